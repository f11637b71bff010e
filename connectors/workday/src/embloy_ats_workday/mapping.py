"""Workday CXS `jobPostingInfo` (with the answer's `hiringOrganization`) -> Job fields.

Field names and shapes from recorded answers (see cassettes/workday/PROVENANCE.md); Workday
documents none of them, so every field is read tolerantly and may be missing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from embloy_ats.contract import (
    JobStatus,
    Location,
    Visibility,
    WorkplaceType,
    geo,
    html,
    parsing,
    vocab,
)

from embloy_ats_workday.locations import is_remote, location
from embloy_ats_workday.pay import pay_ranges

#: Workday's own fields kept as they are, for a reader who needs them.
KEPT = (
    "id", "jobPostingSiteId", "timeType", "remoteType", "postedOn", "timeLeftToApply",
    "jobPostingEndDateAsText",
)  # fmt: skip
_END_OF_DAY = time(23, 59, 59, tzinfo=UTC)
_START_OF_DAY = time(0, 0, tzinfo=UTC)


def _date(value: Any, at: time) -> datetime | None:
    """A `YYYY-MM-DD` date (Workday gives no time or zone) at `at`, UTC."""
    text = parsing.text(value)
    if text is None or len(text) != 10:
        return None
    try:
        return datetime.combine(date.fromisoformat(text), at)
    except ValueError:
        return None


def _status(info: dict[str, Any]) -> JobStatus:
    flags = [parsing.flag(info.get("canApply")), parsing.flag(info.get("posted"))]
    if False in flags:
        return JobStatus.CLOSED
    return JobStatus.OPEN if flags[0] is True else JobStatus.UNKNOWN


def _locations(info: dict[str, Any], country: str | None) -> list[Location]:
    found = [location(parsing.text(info.get("location")), country)]
    found += [location(text) for text in parsing.texts(info.get("additionalLocations"))]
    unique: dict[str, Location] = {}
    for place in found:
        if place is not None and place.raw is not None:
            unique.setdefault(place.raw.casefold(), place)
    return list(unique.values())


def _workplace(info: dict[str, Any], places: list[Location]) -> WorkplaceType | None:
    """`remoteType` when it says one; else remote when every location says remote."""
    said = parsing.text(info.get("remoteType"))
    if said is not None:
        return vocab.workplace_type(said)
    if places and all(is_remote(place.raw) for place in places):
        return WorkplaceType.REMOTE
    return None


def job_fields(info: dict[str, Any]) -> dict[str, Any]:
    """Everything but identity and bookkeeping, which the connector adds."""
    requisition = parsing.obj(info.get("jobRequisitionLocation"))
    country = parsing.text(parsing.obj(requisition.get("country")).get("alpha2Code"))
    country = country if country is not None and geo.is_country_code(country) else None
    places = _locations(info, country)
    description = parsing.text(info.get("jobDescription")) or ""
    posting_url = parsing.http_url(info.get("externalUrl"))
    status = _status(info)
    custom: dict[str, Any] = {
        key: value for key in KEPT if (value := parsing.text(info.get(key))) is not None
    }
    custom.update(
        {
            name: value
            for name, value in (
                ("requisitionLocation", parsing.text(requisition.get("descriptor"))),
                ("country", parsing.text(parsing.obj(info.get("country")).get("descriptor"))),
                ("questionnaireId", parsing.text(info.get("questionnaireId"))),
                ("secondaryQuestionnaireId", parsing.text(info.get("secondaryQuestionnaireId"))),
            )
            if value is not None
        }
    )
    return {
        "title": parsing.text(info.get("title")),
        "company": parsing.text(parsing.obj(info.get("hiringOrganization")).get("name")),
        "requisition_code": parsing.text(info.get("jobReqId")),
        "description_html": description,
        # A public career site shows what is posted; canApply/posted say when it closed.
        "status": status,
        "visibility": Visibility.PUBLIC,
        "employment_type": vocab.employment_type(parsing.text(info.get("timeType"))),
        "workplace_type": _workplace(info, places),
        "locations": places,
        "compensation": pay_ranges(html.html_to_text(description), country),
        "posting_url": posting_url,
        # Applications are made on the posting's own page (its Apply button).
        "apply_url": posting_url if status is not JobStatus.CLOSED else None,
        "posted_at": _date(info.get("startDate"), _START_OF_DAY),
        "closes_at": _date(info.get("endDate"), _END_OF_DAY),
        "custom_fields": custom,
    }
