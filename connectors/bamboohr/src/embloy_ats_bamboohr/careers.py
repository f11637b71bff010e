"""BambooHR careers API job opening (`GET /careers/{id}/detail`) -> Job fields.

The answer is `{"meta": {}, "result": {"jobOpening": {...}, "formFields": {...}?}}`. Shapes
from recorded answers of public careers sites (see cassettes/bamboohr/PROVENANCE.md); what
no recording shows (the form, `locationType`'s codes) is read defensively and said so in
docs/connectors/bamboohr.md.
"""

from __future__ import annotations

import re
from typing import Any

from embloy_ats.contract import (
    Asked,
    Compensation,
    JobStatus,
    JsonValue,
    Location,
    PayloadError,
    Visibility,
    WorkplaceType,
    geo,
    parsing,
    vocab,
)

from embloy_ats_bamboohr import form, pay

# BambooHR's job opening statuses (its ATS settings): only `Open` takes applications.
_STATUS = {
    "open": JobStatus.OPEN,
    "filled": JobStatus.CLOSED,
    "canceled": JobStatus.CLOSED,
    "cancelled": JobStatus.CLOSED,
    "closed": JobStatus.CLOSED,
    "on hold": JobStatus.CLOSED,
    "draft": JobStatus.DRAFT,
    "deleted": JobStatus.ARCHIVED,
}
# `locationType` codes, per one client's tests (BambooHR documents none): 0 on site,
# 1 remote, 2 hybrid.
_LOCATION_TYPES = {"0": WorkplaceType.ON_SITE, "1": WorkplaceType.REMOTE, "2": WorkplaceType.HYBRID}
_SHARE_URL_ID = re.compile(r"/careers/([0-9]+)/?\Z")


def status(value: Any) -> JobStatus:
    return _STATUS.get(" ".join((parsing.text(value) or "").casefold().split()), JobStatus.UNKNOWN)


def job_opening(data: JsonValue, asked: Asked) -> dict[str, Any]:
    """`result`, checked to hold a `jobOpening` object for the id asked for."""
    answer = parsing.require_object(data, what="a job opening answer")
    result = parsing.obj(answer.get("result"))
    opening = result.get("jobOpening")
    if not isinstance(opening, dict):
        raise PayloadError("answered without a 'result.jobOpening' object")
    shared = parsing.text(opening.get("jobOpeningShareUrl"))
    found = _SHARE_URL_ID.search(shared) if shared is not None else None
    if found is not None and found.group(1) != asked.job_id:
        raise PayloadError("answered another job opening when asked for this one")
    return result


def workplace(location_type: Any, is_remote: Any = None) -> WorkplaceType | None:
    explicit = _LOCATION_TYPES.get(parsing.text(location_type) or "")
    if explicit is None and is_remote is True:
        return WorkplaceType.REMOTE
    return explicit


def location(opening: dict[str, Any]) -> tuple[Location, ...]:
    """`location` {city, state, postalCode, addressCountry} or `atsLocation` {city, state or
    province, country}: only one of the two is filled; countries are English names."""
    place = parsing.obj(opening.get("location"))
    ats = parsing.obj(opening.get("atsLocation"))
    city = parsing.text(place.get("city")) or parsing.text(ats.get("city"))
    region = (
        parsing.text(place.get("state"))
        or parsing.text(ats.get("state"))
        or parsing.text(ats.get("province"))
    )
    postal = parsing.text(place.get("postalCode"))
    country = parsing.text(place.get("addressCountry")) or parsing.text(ats.get("country"))
    if not any((city, region, postal, country)):
        return ()
    raw = ", ".join(part for part in (city, region, postal, country) if part)
    return (
        Location(
            raw=raw,
            city=city,
            region=region,
            postal_code=postal,
            country_code=geo.country_code(country),
        ),
    )


def compensation(value: Any) -> tuple[Compensation, ...]:
    return pay.from_text(parsing.text(value))


def custom_fields(opening: dict[str, Any]) -> dict[str, Any]:
    """Attributes the Job model has no field for, as BambooHR wrote them."""
    fields: dict[str, Any] = {}
    for source, name in (
        ("departmentId", "department_id"),
        ("jobCategoryId", "job_category_id"),
        ("employmentStatusLabel", "employment_status"),
        ("minimumExperience", "minimum_experience"),
        ("datePosted", "date_posted"),
        ("locationType", "location_type"),
    ):
        value = parsing.text(opening.get(source))
        if value is not None:
            fields[name] = value
    return fields


def job_fields(result: dict[str, Any]) -> dict[str, Any]:
    """Everything but identity and bookkeeping, which the connector adds."""
    opening = parsing.obj(result.get("jobOpening"))
    employment = parsing.text(opening.get("employmentStatusLabel")) or parsing.text(
        opening.get("employmentType")
    )
    return {
        "title": parsing.text(opening.get("jobOpeningName")),
        "description_html": parsing.text(opening.get("description")) or "",
        "status": status(opening.get("jobOpeningStatus")),
        # The careers site shows the jobs a company publishes.
        "visibility": Visibility.PUBLIC,
        "employment_type": vocab.employment_type(employment),
        "workplace_type": workplace(opening.get("locationType"), opening.get("isRemote")),
        "locations": location(opening),
        "department": parsing.text(opening.get("departmentLabel")),
        "compensation": compensation(opening.get("compensation")),
        "posting_url": parsing.http_url(opening.get("jobOpeningShareUrl")),
        # A date without a time or zone: read as the start of that day in UTC.
        "posted_at": parsing.timestamp(parsing.text(opening.get("datePosted"))),
        "questions": form.questions(result.get("formFields")),
        "custom_fields": custom_fields(opening),
    }
