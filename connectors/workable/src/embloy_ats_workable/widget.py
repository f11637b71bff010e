"""Workable's public widget API (`GET /api/v1/widget/accounts/{subdomain}?details=true`) -> Job.

The widget API powers Workable-hosted careers pages: no credentials, the account's
published jobs only, and the whole account in one answer. A job advertised in several
countries may come as several entries with the same shortcode, one per place; they are one
job with several locations here. On this feed `state` is a region name, not a job state.
"""

from __future__ import annotations

from typing import Any

from embloy_ats.contract import (
    JobStatus,
    Location,
    Visibility,
    parsing,
)

from embloy_ats_workable import common


def entries_for(account: dict[str, Any], shortcode: str) -> list[dict[str, Any]]:
    """Every entry of the account's job list that is this job (usually one)."""
    return [
        job
        for job in parsing.objects(account.get("jobs"))
        if parsing.text(job.get("shortcode")) == shortcode
    ]


def job_fields(account: dict[str, Any], entries: list[dict[str, Any]]) -> dict[str, Any]:
    first = entries[0]
    return {
        "title": parsing.text(first.get("title")),
        "company": parsing.text(account.get("name")),
        "requisition_code": parsing.text(first.get("code")),
        "description_html": common.description_html(first),
        # The widget lists the jobs on the public careers page: published ones.
        "status": JobStatus.OPEN,
        "visibility": Visibility.PUBLIC,
        "employment_type": common.employment(first.get("employment_type")),
        "workplace_type": common.workplace(first.get("workplace_type"), first.get("telecommuting")),
        "locations": common.unique([place for entry in entries for place in _locations(entry)]),
        "department": parsing.text(first.get("department")),
        "posting_url": parsing.text(first.get("shortlink")) or parsing.text(first.get("url")),
        "apply_url": parsing.text(first.get("application_url")),
        "posted_at": parsing.timestamp(first.get("published_on"))
        or parsing.timestamp(first.get("created_at")),
        "custom_fields": common.extras(first),
    }


def _locations(entry: dict[str, Any]) -> list[Location | None]:
    places = common.visible(parsing.objects(entry.get("locations")))
    if places:
        return [
            common.place(
                city=place.get("city"),
                region=place.get("region"),
                country_code=place.get("countryCode"),
                country=place.get("country"),
            )
            for place in places
        ]
    return [
        common.place(
            city=entry.get("city"),
            region=entry.get("state"),
            country=entry.get("country"),
        )
    ]
