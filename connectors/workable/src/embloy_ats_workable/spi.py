"""Workable SPI v3 job (`GET /spi/v3/jobs/{shortcode}`) -> Job fields.

Field meanings from Workable's API reference ("/jobs/:shortcode"); shapes from the
documented example and recorded answers, see cassettes/workable/PROVENANCE.md.
"""

from __future__ import annotations

from typing import Any

from embloy_ats.contract import (
    Compensation,
    JobStatus,
    Location,
    Visibility,
    parsing,
)

from embloy_ats_workable import common

# Workable's job states. Its reference defines "closed" as a job used internally or
# confidentially: no longer on the public careers page.
_STATES = {
    "published": JobStatus.OPEN,
    "draft": JobStatus.DRAFT,
    "closed": JobStatus.CLOSED,
    "archived": JobStatus.ARCHIVED,
}


def job_fields(job: dict[str, Any]) -> dict[str, Any]:
    """Everything but identity, questions and bookkeeping, which the connector adds."""
    location = parsing.obj(job.get("location"))
    status = _STATES.get((parsing.text(job.get("state")) or "").casefold(), JobStatus.UNKNOWN)
    departments = [
        name
        for name in (
            parsing.text(d.get("name")) for d in parsing.objects(job.get("department_hierarchy"))
        )
        if name
    ]
    custom = common.extras(job)
    if len(departments) > 1:
        custom["department_hierarchy"] = departments
    keywords = parsing.texts(job.get("keywords"))
    if keywords:
        custom["keywords"] = keywords
    return {
        "title": parsing.text(job.get("title")),
        "requisition_code": parsing.text(job.get("code")),
        "description_html": common.description_html(job),
        "status": status,
        "visibility": _visibility(job, status),
        "employment_type": common.employment(job.get("employment_type")),
        "workplace_type": common.workplace(
            job.get("workplace_type") or location.get("workplace_type"),
            location.get("telecommuting"),
        ),
        "locations": _locations(job, location),
        "department": parsing.text(job.get("department"))
        or (departments[-1] if departments else None),
        "compensation": _salary(parsing.obj(job.get("salary"))),
        "posting_url": parsing.text(job.get("shortlink")) or parsing.text(job.get("url")),
        "apply_url": parsing.text(job.get("application_url")),
        # The SPI carries no publication date; creation is the closest it has.
        "posted_at": parsing.timestamp(job.get("created_at")),
        "updated_at": parsing.timestamp(job.get("updated_at")),
        "custom_fields": custom,
    }


def _visibility(job: dict[str, Any], status: JobStatus) -> Visibility:
    if parsing.flag(job.get("confidential")) is True:
        return Visibility.CONFIDENTIAL
    if status is JobStatus.OPEN:
        return Visibility.PUBLIC
    if status is JobStatus.CLOSED:
        return Visibility.INTERNAL
    return Visibility.UNKNOWN


def _locations(job: dict[str, Any], primary: dict[str, Any]) -> tuple[Location, ...]:
    """`locations[]` lists every place (first = primary); older jobs only have `location`."""
    entries = common.visible(parsing.objects(job.get("locations")))
    found = common.unique(
        [
            common.place(
                city=entry.get("city"),
                # `subregion` is the region's name, `state_code` its code (or name).
                region=entry.get("subregion") or entry.get("state_code"),
                postal_code=entry.get("zip_code"),
                country_code=entry.get("country_code"),
                country=entry.get("country_name"),
            )
            for entry in entries
        ]
    )
    if found:
        return found
    return common.unique(
        [
            common.place(
                city=primary.get("city"),
                region=primary.get("region") or primary.get("region_code"),
                postal_code=primary.get("zip_code"),
                country_code=primary.get("country_code"),
                country=primary.get("country"),
                raw=primary.get("location_str"),
            )
        ]
    )


def _salary(salary: dict[str, Any]) -> tuple[Compensation, ...]:
    # Workable writes the currency in lower case ("gbp").
    return parsing.salary(
        salary.get("salary_from"), salary.get("salary_to"), currency=salary.get("salary_currency")
    )
