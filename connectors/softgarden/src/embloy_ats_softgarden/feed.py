"""Softgarden's public career-site feed (`GET /jobs.feed.json`) -> one Job.

A schema.org `DataFeed` whose `dataFeedElement[].item` are `JobPosting`s: every open posting
of the career site, in full, in one answer. There is no single-job request, so the one job is
picked by `identifier.value` (the `jobDbId`); the others are dropped at once and never kept
(`Job.raw` holds the picked posting only). Shape: cassettes/softgarden/PROVENANCE.md.
"""

from __future__ import annotations

import re
from typing import Any

from embloy_ats.contract import (
    Asked,
    Compensation,
    EmploymentType,
    JobNotFound,
    JobStatus,
    JsonValue,
    Location,
    PayloadError,
    Visibility,
    WorkplaceType,
    parsing,
    vocab,
)

from embloy_ats_softgarden import common

#: the job page: `https://{career_site}.career.softgarden.de/jobs/{jobDbId}/{slug}/`.
_JOB_PATH = re.compile(r"/jobs/([0-9]+)(?:/|$)")


def posting_for(data: JsonValue, asked: Asked) -> dict[str, Any]:
    """The feed's posting with this `jobDbId`; `JobNotFound` when the feed has none."""
    feed = parsing.require_object(data, what="a job feed")
    if "dataFeedElement" not in feed:
        raise PayloadError("answered something that is not a schema.org job feed")
    for element in parsing.objects(feed.get("dataFeedElement")):
        posting = parsing.obj(element.get("item")) or element
        if _job_id(posting) == asked.job_id:
            return posting
    raise JobNotFound(
        f"is not among the open jobs of career site {asked.settings.career_site!r}",
        hint="Check the job id (the number after /jobs/ in the job page's address) and "
        "career_site; the feed lists published jobs only.",
    )


def keep_posting(data: JsonValue, posting: Any) -> JsonValue:
    """`Job.raw` keeps the picked posting, never the rest of the career site's jobs."""
    kept: JsonValue = posting
    return kept


def _job_id(posting: dict[str, Any]) -> str | None:
    identifier = posting.get("identifier")
    found = (
        parsing.text(parsing.obj(identifier).get("value"))
        if isinstance(identifier, dict)
        else parsing.text(identifier)
    )
    if found is not None:
        return found
    link = parsing.text(posting.get("url"))
    match = _JOB_PATH.search(link) if link is not None else None
    return match.group(1) if match else None


def posting_fields(posting: dict[str, Any]) -> dict[str, Any]:
    identifier = parsing.obj(posting.get("identifier"))
    locations = _locations(posting.get("jobLocation"))
    custom: dict[str, JsonValue] = {}
    if (name := parsing.text(identifier.get("name"))) is not None:
        custom["identifier_name"] = name
    kinds = _employment_words(posting.get("employmentType"))
    if kinds:
        custom["employment_type"] = list(kinds)
    return {
        "title": parsing.text(posting.get("title")),
        "company": parsing.text(parsing.obj(posting.get("hiringOrganization")).get("name")),
        "language": parsing.text(posting.get("inLanguage")),
        "description_html": parsing.text(posting.get("description")) or "",
        # The feed lists the career site's open, published postings.
        "status": JobStatus.OPEN,
        "visibility": Visibility.PUBLIC,
        "employment_type": _employment(kinds),
        "workplace_type": _workplace(posting.get("jobLocationType")),
        "locations": locations,
        "compensation": _salary(posting.get("baseSalary")),
        "posting_url": parsing.http_url(posting.get("url")),
        "posted_at": parsing.timestamp(posting.get("datePosted")),
        "closes_at": parsing.timestamp(posting.get("validThrough")),
        "custom_fields": custom,
    }


def _employment_words(raw: Any) -> list[str]:
    return parsing.texts(raw) if isinstance(raw, list) else parsing.texts([raw])


def _employment(kinds: list[str]) -> EmploymentType | None:
    """schema.org `FULL_TIME`, `PART_TIME`, `CONTRACTOR`, ...; the first one the model knows."""
    found = [vocab.employment_type(kind) for kind in kinds]
    return next((kind for kind in found if kind is not None), None)


def _workplace(raw: Any) -> WorkplaceType | None:
    """schema.org says `TELECOMMUTE` for a remote job; nothing else is defined."""
    words = _employment_words(raw)
    if any(word.upper() == "TELECOMMUTE" for word in words):
        return WorkplaceType.REMOTE
    return None


def _locations(raw: Any) -> tuple[Location, ...]:
    places = raw if isinstance(raw, list) else [raw]
    found: list[Location | None] = []
    for item in parsing.objects(places):
        address = parsing.obj(item.get("address"))
        country = address.get("addressCountry")
        if isinstance(country, dict):
            country = country.get("name")
        found.append(
            common.place(
                raw=item.get("name"),
                street=address.get("streetAddress"),
                city=address.get("addressLocality"),
                region=address.get("addressRegion"),
                postal_code=address.get("postalCode"),
                country=country,
            )
        )
    return common.unique(found)


def _salary(raw: Any) -> tuple[Compensation, ...]:
    """schema.org `MonetaryAmount`: `currency` and a `QuantitativeValue` (min/max or value,
    `unitText` HOUR/DAY/WEEK/MONTH/YEAR)."""
    amount = parsing.obj(raw)
    quantity = amount.get("value")
    if isinstance(quantity, dict):
        low = quantity.get("minValue", quantity.get("value"))
        high = quantity.get("maxValue", quantity.get("value"))
        unit = quantity.get("unitText")
    else:
        low = high = quantity
        unit = amount.get("unitText")
    return parsing.salary(
        low, high, currency=amount.get("currency"), interval=vocab.pay_interval(unit)
    )
