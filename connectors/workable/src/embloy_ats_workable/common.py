"""Pieces both Workable ways in share: descriptions, places, employment and workplace words.

Pure functions over decoded JSON; every reader is tolerant (a wrong type is "absent").
"""

from __future__ import annotations

from typing import Any

from embloy_ats.contract import (
    EmploymentType,
    Location,
    WorkplaceType,
    geo,
    parsing,
    vocab,
)


def description_html(job: dict[str, Any]) -> str:
    """`full_description` is Workable's description + requirements + benefits in one.

    Where only the parts are sent, they are joined under the same headings Workable uses
    in `full_description`.
    """
    full = parsing.text(job.get("full_description"))
    if full is not None:
        return full
    parts = [parsing.text(job.get("description")) or ""]
    for key, heading in (("requirements", "Requirements"), ("benefits", "Benefits")):
        section = parsing.text(job.get(key))
        if section is not None:
            parts.append(f"<p><strong>{heading}</strong></p>{section}")
    return "".join(parts)


def employment(value: Any) -> EmploymentType | None:
    return vocab.employment_type(parsing.text(value))


def workplace(explicit: Any, telecommuting: Any) -> WorkplaceType | None:
    """An explicit `workplace_type` (on_site, hybrid, remote) wins over `telecommuting`.

    `telecommuting: false` alone does not say on-site (a hybrid job is not telecommuting
    either), so it leaves the workplace type unset.
    """
    kind = vocab.workplace_type(parsing.text(explicit))
    if kind is not None:
        return kind
    if parsing.flag(telecommuting) is True:
        return WorkplaceType.REMOTE
    return None


def place(
    *,
    city: Any = None,
    region: Any = None,
    postal_code: Any = None,
    country_code: Any = None,
    country: Any = None,
    raw: Any = None,
) -> Location | None:
    """A Location from Workable's separate fields; None when it names no place at all."""
    city_text = parsing.text(city)
    region_text = parsing.text(region)
    country_name = parsing.text(country)
    code = geo.country_code(parsing.text(country_code)) or geo.country_code(country_name)
    if city_text is None and region_text is None and code is None and country_name is None:
        return None
    shown = parsing.text(raw) or ", ".join(
        part for part in (city_text, region_text, country_name or code) if part
    )
    return Location(
        raw=shown or None,
        city=city_text,
        region=region_text,
        postal_code=parsing.text(postal_code),
        country_code=code,
    )


def visible(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Location entries Workable shows candidates (`hidden: true` ones are internal)."""
    return [entry for entry in entries if parsing.flag(entry.get("hidden")) is not True]


def unique(locations: list[Location | None]) -> tuple[Location, ...]:
    seen: dict[Location, None] = {}
    for location in locations:
        if location is not None:
            seen.setdefault(location, None)
    return tuple(seen)


def extras(job: dict[str, Any]) -> dict[str, Any]:
    """Workable's descriptive job attributes that have no field of their own in a Job."""
    fields: dict[str, Any] = {}
    for key in ("industry", "function", "experience", "education"):
        value = parsing.text(job.get(key))
        if value is not None:
            fields[key] = value
    return fields
