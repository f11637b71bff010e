"""The public job API's way in: the job, then its row in the company's job list.

The job's answer names its company (`company.domain`, the slug in join.com/companies/{slug});
a job of another company is not this tenant's and is answered as not found. Its place,
category, employment type and pay are only on the company's list of open jobs, five to a
page (larger pages were refused to another client), read until the job's row.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from embloy_ats.contract import (
    NUMERIC_ID,
    Fetched,
    Job,
    JobNotFound,
    PayloadError,
    parsing,
)

from embloy_ats_join import job

if TYPE_CHECKING:
    from embloy_ats_join.connector import JoinConnector

JOB_PATH = "/api/public/jobs/{job_id}"
LIST_PATH = "/api/public/companies/{company_id}/jobs"
PAGE_SIZE = "5"
#: 20 pages of 5: a company's first 100 open jobs. Past them the job has no place or pay.
MAX_PAGES = 20
_URL_NUMBER = re.compile(r"([0-9]+)-")


def url_number(job: dict[str, Any]) -> str | None:
    """The number a job's public URL starts with (`idParam` 16769212-title, or `lastId`)."""
    param = parsing.text(job.get("idParam"))
    found = _URL_NUMBER.match(param) if param is not None else None
    return found.group(1) if found is not None else parsing.text(job.get("lastId"))


def checked_job(data: Any, job_id: str, company: str) -> dict[str, Any]:
    """The answer, if it is the job asked for (by `id` or URL number) of this company."""
    answer = parsing.require_object(data, what="a job")
    if job_id not in {parsing.text(answer.get("id")), url_number(answer)}:
        raise PayloadError("answered another job when asked for this one")
    domain = parsing.text(parsing.obj(answer.get("company")).get("domain"))
    if domain is None:
        raise PayloadError("answered a job without its company's name")
    if domain.casefold() != company.casefold():
        raise JobNotFound(f"has no job with this id at company {company!r}")
    return answer


def _row(page: Fetched, job_id: str) -> dict[str, Any] | None:
    for item in parsing.objects(parsing.obj(page.data).get("items")):
        if parsing.text(item.get("id")) == job_id:
            return item
    return None


def _following(page: Fetched) -> dict[str, str] | None:
    paging = parsing.obj(parsing.obj(page.data).get("pagination"))
    current, count = paging.get("page"), paging.get("pageCount")
    if isinstance(current, int) and isinstance(count, int) and 0 < current < count:
        return {"locale": "en", "page": str(current + 1), "pageSize": PAGE_SIZE}
    return None


async def _listed(connector: JoinConnector, asked: str, answer: dict[str, Any]) -> Fetched | None:
    """The job's row of its company's list (as `Fetched`, the row alone), if found."""
    company_id = parsing.text(answer.get("companyId")) or parsing.text(
        parsing.obj(answer.get("company")).get("id")
    )
    own_id = parsing.text(answer.get("id"))
    if company_id is None or own_id is None or not NUMERIC_ID.fullmatch(company_id):
        return None
    path = LIST_PATH.replace("{company_id}", company_id)
    try:
        async for page in connector.pages(
            path,
            job_id=asked,
            params={"locale": "en", "page": "1", "pageSize": PAGE_SIZE},
            following=_following,
            max_pages=MAX_PAGES,
        ):
            row = _row(page, own_id)
            if row is not None:
                return Fetched(page.path, row, page.response)
    except JobNotFound:
        return None  # no list for this company id: the job without its row
    return None


async def load(connector: JoinConnector, job_id: str) -> Job:
    fetched = await connector.get_json(JOB_PATH, job_id=job_id)
    answer = checked_job(fetched.data, job_id, connector.settings.company)
    listed = await _listed(connector, job_id, answer)
    row = parsing.obj(listed.data) if listed is not None else {}
    fields = job.job_fields(answer, row)
    if fields.get("title") is None:
        raise PayloadError("answered a job without a title")
    kept = [fetched] if listed is None else [fetched, listed]
    return connector.new_job(external_id=job_id, fetched=kept, **fields)
