"""The applicant tracking API's way in: the job summary, then the careers detail.

BambooHR's API has no single-job request: `GET /api/v1/applicant_tracking/jobs` lists job
summaries (id, title, status, location with its address, department, posted date, posting
URL) in every status, without description or form. The careers detail adds those where the
job is published; a job that is not (draft, filled, on hold) is the summary alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from embloy_ats.contract import (
    Asked,
    Fetched,
    Job,
    JobNotFound,
    Location,
    NoAuth,
    PayloadError,
    Visibility,
    geo,
    parsing,
)

from embloy_ats_bamboohr import careers

if TYPE_CHECKING:
    from embloy_ats_bamboohr.connector import BamboohrConnector

JOBS_PATH = "/api/v1/applicant_tracking/jobs"
DETAIL_PATH = "/careers/{job_id}/detail"
#: every status, not only open and draft jobs (a third-party client's value; unverified).
ALL_STATUSES = {"statusGroups": "ALL"}


def summary(data: Any, job_id: str) -> dict[str, Any]:
    """The list's row for the job asked for."""
    if not isinstance(data, list):
        raise PayloadError("answered the job summaries without a list")
    for row in parsing.objects(data):
        if parsing.text(row.get("id")) == job_id:
            return row
    raise JobNotFound("has no job opening with this id in its applicant tracking jobs")


def kept(row: dict[str, Any]) -> dict[str, Any]:
    """What `Job.raw` keeps of the row: not the hiring lead (an employee) nor the counts."""
    dropped = {"hiringLead", "newApplicantsCount", "activeApplicantsCount", "totalApplicantsCount"}
    return {key: value for key, value in row.items() if key not in dropped}


def summary_location(value: Any) -> tuple[Location, ...]:
    """`location` {label, address {city, state, zipcode, country}}; country an English name."""
    place = parsing.obj(value)
    address = parsing.obj(place.get("address"))
    city = parsing.text(address.get("city"))
    region = parsing.text(address.get("state"))
    postal = parsing.text(address.get("zipcode"))
    country = parsing.text(address.get("country"))
    label = parsing.text(place.get("label"))
    if not any((city, region, postal, country, label)):
        return ()
    return (
        Location(
            raw=label,
            city=city,
            region=region,
            postal_code=postal,
            country_code=geo.country_code(country),
        ),
    )


def summary_fields(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": parsing.text(parsing.obj(row.get("title")).get("label")),
        "status": careers.status(parsing.obj(row.get("status")).get("label")),
        "locations": summary_location(row.get("location")),
        "department": parsing.text(parsing.obj(row.get("department")).get("label")),
        "posting_url": parsing.http_url(row.get("postingUrl")),
        "posted_at": parsing.timestamp(row.get("postedDate")),
    }


def merged(row: dict[str, Any], detail: dict[str, Any] | None) -> dict[str, Any]:
    """The careers detail where the job is published; the summary's status (the detail's is
    the careers site's), and its title, place and dates where the detail has none."""
    fields = summary_fields(row)
    if detail is None:
        return {**fields, "visibility": Visibility.UNKNOWN}
    published = careers.job_fields(detail)
    for name, value in fields.items():
        if name == "status" or not published.get(name):
            published[name] = value
    return published


async def load(connector: BamboohrConnector, job_id: str) -> Job:
    listed = await connector.request_json("GET", JOBS_PATH, job_id=job_id, params=ALL_STATUSES)
    row = summary(listed.data, job_id)
    fetched = [Fetched(listed.path, kept(row), listed.response)]
    detail: dict[str, Any] | None = None
    try:
        answer = await connector.request_json("GET", DETAIL_PATH, job_id=job_id, auth=NoAuth())
    except JobNotFound:
        answer = None  # not on the careers site: a draft, filled or internal job
    if answer is not None:
        detail = careers.job_opening(answer.data, Asked(job_id, connector.settings))
        fetched.append(answer)
    fields = merged(row, detail)
    if fields.get("title") is None:
        raise PayloadError("answered a job opening without a title")
    return connector.new_job(external_id=job_id, fetched=fetched, **fields)
