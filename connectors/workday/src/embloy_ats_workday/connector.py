"""Workday: one posting from a career site's public CXS API, normalised.

`GET https://{host}/wday/cxs/{tenant}/{site}/job/{job_id}` answers `{"jobPostingInfo": {...},
"hiringOrganization": {...}, "similarJobs": [...]}` without credentials. Workday publishes no
documentation for this API: the shapes are read off recorded answers (see
docs/connectors/workday.md). `host` decides where we connect, so it must be a Workday careers
host (`{tenant}.wd{N}.myworkdayjobs.com`) before any request; `base_url` replaces it for a
sandbox or a local fake. Workday takes applications only on its own site: no submission.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from embloy_ats.contract import (
    AfterValidator,
    Asked,
    Connector,
    ConnectorSettings,
    Field,
    JsonValue,
    NoCredentials,
    PathSegment,
    PayloadError,
    RateLimitPolicy,
    Request,
    Verify,
    WayIn,
    parsing,
)

from embloy_ats_workday.mapping import job_fields

#: `{tenant}.wd{N}.myworkdayjobs.com`: one DNS label, then Workday's data-centre label.
CAREERS_HOST = re.compile(
    r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.wd[1-9][0-9]{0,2}\.myworkdayjobs\.com"
)
#: the posting's path id, `{Title-Slug}_{jobReqId}` (the last segment of its URL): letters,
#: digits, '-' and '_', ending in '_' and a requisition id that starts and ends alphanumeric.
POSTING_ID = re.compile(
    r"(?=[A-Za-z0-9_-]{3,255}\Z)[A-Za-z0-9-][A-Za-z0-9_-]*_[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
)
#: the search body public CXS clients send, asking for one posting (verify() reads no more).
SEARCH_ONE: JsonValue = {"appliedFacets": {}, "limit": 1, "offset": 0, "searchText": ""}
_WHERE = (
    "Check host, tenant and site: in https://acme.wd5.myworkdayjobs.com/en-US/AcmeCareers the "
    "host is acme.wd5.myworkdayjobs.com, the tenant acme and the site AcmeCareers."
)


def _careers_host(value: str) -> str:
    host = value.lower()
    if not host.isascii() or not CAREERS_HOST.fullmatch(host):
        raise ValueError(
            "must be a Workday careers host name alone, {tenant}.wd{N}.myworkdayjobs.com "
            "(no scheme, port, path or trailing dot)"
        )
    return host


#: A Workday career site's host, checked before it can name where we connect.
CareersHost = Annotated[str, AfterValidator(_careers_host)]


class WorkdaySettings(ConnectorSettings):
    host: CareersHost = Field(
        description="The career site's host: `acme.wd5.myworkdayjobs.com` (the wd number varies).",
    )
    tenant: PathSegment = Field(
        description="The tenant: `acme`, the first label of the host, as in /wday/cxs/acme/...",
    )
    site: PathSegment = Field(
        description=(
            "The career site's name: `AcmeCareers` in acme.wd5.myworkdayjobs.com/en-US/"
            "AcmeCareers (the path segment after the host and the optional locale)."
        ),
    )


def _posting(data: JsonValue, asked: Asked) -> dict[str, Any]:
    """`jobPostingInfo`, with the answer's `hiringOrganization` beside its fields."""
    answer = parsing.require_object(data, what="a job posting answer")
    info = answer.get("jobPostingInfo")
    if not isinstance(info, dict):
        raise PayloadError("answered without a jobPostingInfo object")
    return {**info, "hiringOrganization": answer.get("hiringOrganization")}


def _without_other_jobs(data: JsonValue, payload: Any) -> JsonValue:
    """The answer as `Job.raw` keeps it: the other postings the site suggests are not ours."""
    if not isinstance(data, dict):
        return data
    return {key: value for key, value in data.items() if key != "similarJobs"}


def _search_result(data: JsonValue) -> object:
    """A search answer is an object whose `jobPostings`, when there, is a list."""
    answer = parsing.require_object(data, what="a search answer")
    if "jobPostings" in answer and not isinstance(answer["jobPostings"], list):
        raise PayloadError("answered a search whose jobPostings is not a list")
    return answer


class WorkdayConnector(Connector[WorkdaySettings, NoCredentials]):
    mode = "workday"
    display_name = "Workday"
    job_id_pattern = POSTING_ID
    job_id_format = (
        "the posting's path id, `{Title-Slug}_{requisition id}`: the last segment of the "
        "posting URL, e.g. Senior-Engineer_JR2021705"
    )
    # Workday publishes no limit for the career-site API, and some tenants block clients
    # that ask too often; we stay well below a person browsing the site.
    rate_limit = RateLimitPolicy(
        5, 1.0, note="no limit published by Workday for the CXS career-site API; polite cap"
    )
    supports_questions = False
    supports_compensation = True
    docs_url = None
    ways_in = (
        WayIn(
            "CXS career-site API",
            origin="https://{host}",
            job=Request(
                "/wday/cxs/{tenant}/{site}/job/{job_id}",
                envelope=_posting,
                id_field="jobPostingId",
                what="job posting",
                keep=_without_other_jobs,
            ),
            mapper=job_fields,
            errors={
                401: "The career site refused an anonymous request: it may not be public, "
                "or Workday is blocking automated clients for this tenant.",
                403: "The career site refused an anonymous request: it may not be public, "
                "or Workday is blocking automated clients for this tenant.",
                404: "Check the job id (the last segment of the posting URL) and the "
                "settings host, tenant and site; the posting may have been closed.",
                410: "The posting was closed; check the job id and the settings host, tenant "
                "and site.",
                422: "Check the settings tenant and site: Workday refused the request as invalid.",
            },
            verify=Verify(
                "/wday/cxs/{tenant}/{site}/jobs",
                method="POST",
                body=SEARCH_ONE,
                envelope=_search_result,
                missing="has no career site {site!r} for tenant {tenant!r}",
                missing_hint=_WHERE,
            ),
        ),
    )


__all__ = ["CAREERS_HOST", "POSTING_ID", "WorkdayConnector", "WorkdaySettings"]
