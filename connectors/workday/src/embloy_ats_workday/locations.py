"""Workday's free-text locations, read into city, region and ISO country.

Each tenant writes its own format, and the recorded answers show both orders:
"Israel, Yokneam" and "US, Minnesota, Maplewood" (country first), "USA.VA.Reston" (dotted),
"USA - Pennsylvania - West Point", "Kocaeli, Kocaeli, Turkey" (country last), "Austin, TX",
and "Remote - California". The country is found at either end; what is left is read as
"region, city" after a leading country and "city, region" before a trailing one. Nothing is
guessed: text without a country keeps its city only when it is one word group.
"""

from __future__ import annotations

import re

from embloy_ats.contract import Location, geo

_SEPARATORS = re.compile(r"\s*,\s*|\s+-+\s+|\s*;\s*")
#: "USA.VA.Reston": dots between words with no blank around them, when nothing else separates.
_DOTS = re.compile(r"(?<=\S)\.(?=\S)")
_REMOTE = re.compile(r"^(?:remote|virtual|home[- ]?based|work from home)$", re.IGNORECASE)
#: what a list answer shows for several places ("2 Locations"): no place at all.
_COUNT = re.compile(r"\d+\s+locations?", re.IGNORECASE)
_MAX_LENGTH = 200


def _parts(text: str) -> list[str]:
    parts = _SEPARATORS.split(text)
    if len(parts) == 1 and " " not in text:
        parts = _DOTS.split(text)
    return [part.strip() for part in parts if part.strip()]


def is_remote(text: str | None) -> bool:
    """A location that names remote work ("Remote - Texas", "Remote")."""
    return text is not None and any(_REMOTE.match(part) for part in _parts(text))


def location(text: str | None, fallback_country: str | None = None) -> Location | None:
    """The place a Workday location text names; None for a blank text or a count.

    `fallback_country` (an ISO code Workday gave elsewhere) fills the country of a text that
    names none.
    """
    if text is None or not text.strip() or len(text) > _MAX_LENGTH:
        return None
    raw = text.strip()
    if _COUNT.fullmatch(raw):
        return None
    every = _parts(raw)
    parts = [part for part in every if not _REMOTE.match(part)]
    country: str | None = None
    city: str | None = None
    region: str | None = None
    head = geo.country_code(parts[0]) if parts else None
    if head is not None:  # "Israel, Yokneam", "US, Minnesota, Maplewood", "Germany"
        country, rest = head, parts[1:]
        city = rest[-1] if rest else None
        region = rest[0] if len(rest) > 1 else None
    elif len(parts) > 1 and len(parts[-1]) == 2:  # "Austin, TX": a state, not a country
        parsed = geo.parse_location(", ".join(parts))
        country, city, region = parsed.country_code, parsed.city, parsed.region
    elif len(parts) > 1 and (tail := geo.country_code(parts[-1])) is not None:
        country, rest = tail, parts[:-1]  # "Kocaeli, Kocaeli, Turkey"
        city = rest[0]
        region = rest[1] if len(rest) > 1 else None
    elif len(parts) == 1 and len(every) == 1:  # one place, not remote: a city
        city = parts[0]
    if country is None and fallback_country is not None and geo.is_country_code(fallback_country):
        country = fallback_country
    return Location(raw=raw, city=city, region=region, country_code=country)
