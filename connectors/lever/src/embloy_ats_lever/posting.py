"""Posting fields both Lever APIs share: categories, places, pay, workplace, description parts.

Pure functions over decoded JSON. The public Postings API (`/v0`) and the authenticated
API (`/v1`) describe a posting with the same `categories`, `country`, `workplaceType` and
`salaryRange` fields; only the text and URL fields are arranged differently.
"""

from __future__ import annotations

import html
import re
from typing import Any

from embloy_ats.contract import (
    Compensation,
    Location,
    WorkplaceType,
    geo,
    parsing,
    vocab,
)

_TAG = re.compile(r"<[A-Za-z/!][^>]*>")
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v\u00a0]*\n")


# -- text -------------------------------------------------------------------------------------


def as_html(value: Any) -> str:
    """Lever's styled HTML as it is; plain text (older postings) as escaped paragraphs."""
    text = value if isinstance(value, str) else ""
    if not text.strip():
        return ""
    if _TAG.search(text):
        return text
    paragraphs = []
    for block in _BLANK_LINE.split(text):
        lines = [html.escape(line.strip()) for line in block.splitlines() if line.strip()]
        if lines:
            paragraphs.append("<p>" + "<br>".join(lines) + "</p>")
    return "".join(paragraphs)


def lists_html(value: Any) -> str:
    """`lists` ([{text, content}], content being bare `<li>` items) as headed lists."""
    parts: list[str] = []
    for item in parsing.objects(value):
        heading = parsing.text(item.get("text"))
        content = item.get("content")
        content = content if isinstance(content, str) else ""
        if heading:
            parts.append(f"<h3>{html.escape(heading)}</h3>")
        if "<li" in content.lower():
            parts.append(f"<ul>{content}</ul>")
        else:
            parts.append(as_html(content))
    return "".join(parts)


def join_html(*parts: str) -> str:
    return "".join(part for part in parts if part)


def first_html(*candidates: Any) -> str:
    """The first candidate with content, as HTML (HTML fields are listed before plain ones)."""
    for candidate in candidates:
        converted = as_html(candidate)
        if converted:
            return converted
    return ""


# -- places and workplace -----------------------------------------------------------------------


def location_names(categories: dict[str, Any]) -> list[str]:
    """`categories.allLocations`, with the primary `categories.location` first if missing."""
    names = parsing.texts(categories.get("allLocations"))
    primary = parsing.text(categories.get("location"))
    if primary is not None and primary not in names:
        names.insert(0, primary)
    return list(dict.fromkeys(names))


def _place(name: str) -> tuple[str | None, str | None, str | None]:
    parsed = geo.parse_location(name)
    if parsed.country_code is None:
        # Lever sites often write "Country - City" ("Portugal - Lisbon").
        head, sep, tail = name.partition(" - ")
        country = geo.country_code(head.strip()) if sep else None
        if country is not None and tail.strip():
            rest = geo.parse_location(tail)
            return rest.city or tail.strip(), rest.region, country
    return parsed.city, parsed.region, parsed.country_code


def locations(categories: dict[str, Any], country: Any) -> tuple[Location, ...]:
    """Every location; the posting's `country` fills in where the text names none.

    `country` is one ISO code for the whole posting, so with several locations it is only
    given to the primary one (`categories.location`).
    """
    names = location_names(categories)
    posting_country = geo.country_code(parsing.text(country))
    primary = parsing.text(categories.get("location"))
    found: list[Location] = []
    for name in names:
        city, region, code = _place(name)
        if code is None and (len(names) == 1 or name == primary):
            code = posting_country
        found.append(Location(raw=name, city=city, region=region, country_code=code))
    if not found and posting_country is not None:
        found.append(Location(country_code=posting_country))
    return tuple(found)


def workplace(value: Any, names: list[str]) -> WorkplaceType | None:
    """Lever's `workplaceType` (on-site, remote, hybrid) wins; `unspecified` falls back to
    what the location names say (remote only if every one of them does)."""
    explicit = vocab.workplace_type(parsing.text(value))
    if explicit is not None:
        return explicit
    kinds = [vocab.workplace_type(name) for name in names]
    if WorkplaceType.HYBRID in kinds:
        return WorkplaceType.HYBRID
    if kinds and all(kind is WorkplaceType.REMOTE for kind in kinds):
        return WorkplaceType.REMOTE
    return None


# -- pay ----------------------------------------------------------------------------------------


def compensation(salary_range: Any, description: Any) -> tuple[Compensation, ...]:
    """`salaryRange` {min, max, currency, interval}; the salary description as `raw`.

    Lever's intervals read as words: `per-year-salary`, `per-hour-wage`, `one-time`.
    """
    salary = parsing.obj(salary_range)
    return parsing.salary(
        salary.get("min"),
        salary.get("max"),
        currency=salary.get("currency"),
        interval=vocab.pay_interval(salary.get("interval")),
        raw=description,
    )


# -- the rest -----------------------------------------------------------------------------------


def custom_fields(posting: dict[str, Any], categories: dict[str, Any]) -> dict[str, Any]:
    """Posting attributes the Job model has no field for."""
    fields: dict[str, Any] = {}
    level = parsing.text(categories.get("level"))
    if level is not None:
        fields["level"] = level
    tags = parsing.texts(posting.get("tags"))
    if tags:
        fields["tags"] = tags
    codes = parsing.texts(posting.get("requisitionCodes"))
    if codes:
        fields["requisition_codes"] = codes
    return fields


def shared_fields(posting: dict[str, Any]) -> dict[str, Any]:
    """The Job fields both APIs fill the same way."""
    categories = parsing.obj(posting.get("categories"))
    names = location_names(categories)
    return {
        "title": parsing.text(posting.get("text")),
        "employment_type": vocab.employment_type(parsing.text(categories.get("commitment"))),
        "workplace_type": workplace(posting.get("workplaceType"), names),
        "locations": locations(categories, posting.get("country")),
        "department": parsing.text(categories.get("department")),
        "team": parsing.text(categories.get("team")),
        "compensation": compensation(
            posting.get("salaryRange"), posting.get("salaryDescriptionPlain")
        ),
        "posted_at": parsing.timestamp(posting.get("createdAt")),
        "updated_at": parsing.timestamp(posting.get("updatedAt")),
        "custom_fields": custom_fields(posting, categories),
    }
