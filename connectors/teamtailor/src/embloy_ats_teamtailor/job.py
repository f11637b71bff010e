"""Teamtailor `GET /v1/jobs/{id}?include=...` (JSON:API) -> Job fields.

Attribute and relationship names from Teamtailor's API docs (Jobs, Locations, Departments,
Roles, Picked questions, Questions) and recorded answers; see
cassettes/teamtailor/PROVENANCE.md.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from embloy_ats.contract import (
    Compensation,
    JobStatus,
    JsonValue,
    Location,
    Visibility,
    WorkplaceType,
    geo,
    jsonapi,
    parsing,
    submitting,
    vocab,
)

from embloy_ats_teamtailor.apply import STANDARD_QUESTIONS
from embloy_ats_teamtailor.questions import questions

#: The relations one request asks for: everything the Job needs, in one answer.
INCLUDE = "locations,department,role,picked-questions.question"

# `remote-status`: the explicit workplace field (none / hybrid / temporary / fully).
_REMOTE_STATUS = {
    "none": WorkplaceType.ON_SITE,
    "hybrid": WorkplaceType.HYBRID,
    "temporary": WorkplaceType.REMOTE,  # remote for now; the raw value stays in custom_fields
    "fully": WorkplaceType.REMOTE,
}
# `human-status` (archived, unlisted, expired, draft, published, scheduled, unsaved) first,
# then `status` (open, draft, archived, unlisted, temp).
_HUMAN_STATUS = {
    "published": JobStatus.OPEN,
    "unlisted": JobStatus.OPEN,  # still takes applications through its link
    "expired": JobStatus.CLOSED,
    "archived": JobStatus.ARCHIVED,
    "draft": JobStatus.DRAFT,
    "scheduled": JobStatus.DRAFT,
    "unsaved": JobStatus.DRAFT,
    "pending": JobStatus.DRAFT,
}
_STATUS = {
    "open": JobStatus.OPEN,
    "unlisted": JobStatus.OPEN,
    "draft": JobStatus.DRAFT,
    "temp": JobStatus.DRAFT,
    "archived": JobStatus.ARCHIVED,
}
_CUSTOM_ATTRIBUTES = ("pitch", "human-status", "remote-status", "employment-level")


def job_fields(answer: jsonapi.Document) -> dict[str, Any]:
    """Everything but identity and bookkeeping, which the connector adds."""
    job, included = answer.resource, answer.included
    attributes = jsonapi.attributes(job)
    job_links = jsonapi.links(job)
    locations = [
        location
        for location in (_location(item) for item in _locations(job, included))
        if location is not None
    ]
    internal = parsing.flag(attributes.get("internal"))
    posting_url = parsing.http_url(job_links.get("careersite-job-url"))
    if internal and posting_url is None:
        posting_url = parsing.http_url(job_links.get("careersite-job-internal-url"))
    return {
        "title": parsing.text(attributes.get("title")),
        "company": parsing.text(attributes.get("company-name")),
        "language": parsing.text(attributes.get("language-code")),
        "description_html": parsing.text(attributes.get("body")) or "",
        "status": _status(attributes),
        "visibility": _visibility(attributes, internal),
        "employment_type": vocab.employment_type(parsing.text(attributes.get("employment-type"))),
        "workplace_type": _workplace(attributes, locations),
        "locations": tuple(locations),
        "department": _name(jsonapi.related(job, "department", "departments", included)),
        "team": _name(jsonapi.related(job, "role", "roles", included)),
        "compensation": _compensation(attributes),
        "posting_url": posting_url,
        "apply_url": parsing.http_url(attributes.get("external-application-url"))
        or parsing.http_url(job_links.get("careersite-job-apply-url")),
        "posted_at": parsing.timestamp(attributes.get("start-date"))
        or parsing.timestamp(attributes.get("created-at"))
        or parsing.timestamp(attributes.get("created_at")),  # spelling of older answers
        "updated_at": parsing.timestamp(attributes.get("updated-at")),
        "closes_at": parsing.timestamp(attributes.get("end-date")),
        "questions": submitting.with_standard_questions(
            questions(job, included), STANDARD_QUESTIONS
        ),
        "custom_fields": _custom_fields(attributes),
    }


def _locations(
    job: dict[str, Any], included: dict[jsonapi.Key, dict[str, Any]]
) -> list[dict[str, Any]]:
    found = jsonapi.related(job, "locations", "locations", included)
    if not found and jsonapi.linkage(job, "location"):
        # The single `location` relation predates `locations` (deprecated in 2019).
        found = jsonapi.related(job, "location", "locations", included)
    return found


def _location(resource: dict[str, Any]) -> Location | None:
    attributes = jsonapi.attributes(resource)
    city = parsing.text(attributes.get("city"))
    country = parsing.text(attributes.get("country"))
    name = parsing.text(attributes.get("name"))
    street = parsing.text(attributes.get("address"))
    postal_code = parsing.text(attributes.get("zip"))
    if not any((city, country, name, street, postal_code)):
        return None
    code = geo.country_code(country)
    if code is None and country is None and city is None and name is not None:
        code = geo.parse_location(name).country_code
    return Location(
        raw=name or ", ".join(part for part in (city, country) if part) or street,
        street=street,
        city=city,
        postal_code=postal_code,
        country_code=code,
    )


def _name(resources: list[dict[str, Any]]) -> str | None:
    for resource in resources:
        name = parsing.text(jsonapi.attributes(resource).get("name"))
        if name is not None:
            return name
    return None


def _status(attributes: dict[str, Any]) -> JobStatus:
    for key, table in (("human-status", _HUMAN_STATUS), ("status", _STATUS)):
        value = parsing.text(attributes.get(key))
        if value is not None and value.casefold() in table:
            return table[value.casefold()]
    return JobStatus.UNKNOWN


def _visibility(attributes: dict[str, Any], internal: bool | None) -> Visibility:
    if internal:
        return Visibility.INTERNAL
    states = {
        (parsing.text(attributes.get(key)) or "").casefold() for key in ("human-status", "status")
    }
    if "unlisted" in states:
        return Visibility.UNLISTED
    if internal is False:
        return Visibility.PUBLIC
    return Visibility.UNKNOWN


def _workplace(attributes: dict[str, Any], locations: list[Location]) -> WorkplaceType | None:
    remote_status = parsing.text(attributes.get("remote-status"))
    if remote_status is not None and remote_status.casefold() in _REMOTE_STATUS:
        return _REMOTE_STATUS[remote_status.casefold()]
    # No explicit field: locations named "Remote" or "Hybrid" still say something.
    kinds = [vocab.workplace_type(location.raw) for location in locations]
    if WorkplaceType.HYBRID in kinds:
        return WorkplaceType.HYBRID
    if kinds and all(kind is WorkplaceType.REMOTE for kind in kinds):
        return WorkplaceType.REMOTE
    return None


def _compensation(attributes: dict[str, Any]) -> tuple[Compensation, ...]:
    def amount(*keys: str) -> Decimal | None:
        found = (parsing.decimal(attributes.get(key)) for key in keys)
        return next((value for value in found if value is not None), None)

    return parsing.salary(
        amount("min-salary", "salary-min"),
        amount("max-salary", "salary-max"),
        currency=parsing.text(attributes.get("currency"))
        or parsing.text(attributes.get("salary-currency")),
        interval=vocab.pay_interval(attributes.get("salary-time-unit")),
    )


def _custom_fields(attributes: dict[str, Any]) -> dict[str, JsonValue]:
    fields: dict[str, JsonValue] = {}
    tags = parsing.texts(attributes.get("tags"))
    if tags:
        fields["tags"] = list(tags)
    for key in _CUSTOM_ATTRIBUTES:
        value = parsing.text(attributes.get(key))
        if value is not None:
            fields[key] = value
    return fields
