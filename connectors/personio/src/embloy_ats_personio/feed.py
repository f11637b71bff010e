"""Personio's career-site XML feed (`GET /xml?language=..`) -> the one position -> Job fields.

The feed is `<workzag-jobs>` with one `<position>` per published job (Personio's docs,
"Retrieving open job positions"); it is read with `embloy_ats.safexml` (defusedxml, DTDs
and entity declarations refused, nesting capped), and only the position asked for is kept:
every other job is dropped as soon as it has been parsed. Shapes: cassettes/personio/.
"""

from __future__ import annotations

import html as stdlib_html
from typing import Any

from embloy_ats.contract import (
    ConfigurationError,
    EmploymentType,
    JobNotFound,
    JobStatus,
    JsonValue,
    Location,
    PayloadError,
    Visibility,
    WorkplaceType,
    geo,
    parsing,
    safexml,
    vocab,
)

ROOT = "workzag-jobs"
RECORD = "position"
#: containers whose children always form a list, however many the feed has.
LISTS = ("additionalOffices", "jobDescriptions")
#: `employmentType` values that say more than the schedule does.
_EMPLOYMENT = {
    "intern": EmploymentType.INTERNSHIP,
    "trainee": EmploymentType.INTERNSHIP,
    "freelance": EmploymentType.CONTRACT,
}
_SCHEDULE = {"full-time": EmploymentType.FULL_TIME, "part-time": EmploymentType.PART_TIME}
#: position fields kept as they are in `custom_fields` (Personio's own codes).
_CUSTOM = (
    "id", "subcompany", "recruitingCategory", "employmentType", "seniority", "schedule",
    "yearsOfExperience", "occupation", "occupationCategory",
)  # fmt: skip


def _no_html(body: bytes) -> None:
    """A company without a public career site may be answered with Personio's HTML home
    page instead of a feed: a setup problem (`company`, `domain`), not a missing job."""
    if safexml.is_html(body):
        raise ConfigurationError(
            "answered an HTML page where the career site's XML feed should be",
            hint="Check company and domain (`acme` and `de` in acme.jobs.personio.de), and "
            "that the company publishes a career site.",
        )


def position_of(body: bytes, job_id: str) -> dict[str, Any]:
    """The position `job_id` of a feed, as JSON; `JobNotFound` when the feed lists none."""
    _no_html(body)
    found = safexml.find_record(
        body,
        root=ROOT,
        record=RECORD,
        match=lambda position: (position.findtext("id") or "").strip() == job_id,
        lists=LISTS,
    )
    if found is None:
        raise JobNotFound("has no such position in its career-site feed")
    if not isinstance(found, dict):
        raise PayloadError("answered a position without fields")
    return found


def is_feed(body: bytes) -> JsonValue:
    """What `verify()` reads: that the answer is a job feed (no position is kept)."""
    _no_html(body)
    safexml.find_record(body, root=ROOT, record=RECORD, match=lambda position: False)
    return None


def _description(position: dict[str, Any]) -> str:
    """Each `jobDescription` as a heading (its name, text) and its value (HTML)."""
    parts = []
    for section in parsing.objects(position.get("jobDescriptions")):
        name = parsing.text(section.get("name"))
        value = parsing.text(section.get("value"))
        if value is None:
            continue
        if name is not None:
            parts.append(f"<h3>{stdlib_html.escape(name)}</h3>")
        parts.append(value)
    return "\n".join(parts)


def _offices(position: dict[str, Any]) -> list[str]:
    main = parsing.text(position.get("office"))
    extra = position.get("additionalOffices")
    listed = extra if isinstance(extra, list) else []
    found = [main, *(parsing.text(item) for item in listed)]
    return list(dict.fromkeys(label for label in found if label is not None))


def _employment(position: dict[str, Any]) -> EmploymentType | None:
    kind = (parsing.text(position.get("employmentType")) or "").casefold()
    if kind in _EMPLOYMENT:
        return _EMPLOYMENT[kind]
    schedule = (parsing.text(position.get("schedule")) or "").casefold()
    if schedule in _SCHEDULE:
        return _SCHEDULE[schedule]
    return vocab.employment_type(kind or None)


def job_fields(position: dict[str, Any], *, language: str, posting_url: str) -> dict[str, Any]:
    """The Job fields of one feed position. The feed names no country, address, pay,
    closing date or questions: those stay unset (see docs/connectors/personio.md)."""
    locations: list[Location] = []
    remote = False
    for label in _offices(position):
        place = geo.parse_location(label)
        if place.remote and place.city is None:
            remote = True  # `Remote` is an office label, not a place
            continue
        locations.append(
            Location(
                raw=label,
                city=place.city,
                region=place.region,
                country_code=place.country_code,
            )
        )
    # Only `Remote` says remote; `Remote` beside offices says neither hybrid nor on-site.
    workplace = WorkplaceType.REMOTE if remote and not locations else None
    keywords = [
        word.strip()
        for word in (parsing.text(position.get("keywords")) or "").split(",")
        if word.strip()
    ]
    custom: dict[str, JsonValue] = {}
    for key in _CUSTOM:
        value = parsing.text(position.get(key))
        if value is not None:
            custom[key] = value
    if keywords:
        custom["keywords"] = list[JsonValue](keywords)
    return {
        "title": parsing.text(position.get("name")),
        "description_html": _description(position),
        "company": parsing.text(position.get("subcompany")),
        "department": parsing.text(position.get("department")),
        "team": parsing.text(position.get("recruitingCategory")),
        "language": language,
        "status": JobStatus.OPEN,  # the feed lists published positions only
        "visibility": Visibility.PUBLIC,
        "employment_type": _employment(position),
        "workplace_type": workplace,
        "locations": tuple(locations),
        "posting_url": posting_url,
        "posted_at": parsing.timestamp(position.get("createdAt")),
        "custom_fields": custom,
    }
