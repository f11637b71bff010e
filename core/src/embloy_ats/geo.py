"""Countries, currencies and free-text locations, normalised to ISO codes.

ATS send countries as ISO alpha-2, alpha-3, English names or inside a free-text location
("Berlin, Germany", "San Francisco, CA"). pycountry carries the ISO tables; this module
only decides which part of a string is which.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

import pycountry

_SPLIT = re.compile(r"\s*[,;/]\s*|\s+-\s+")
_MULTI = re.compile(r"\s*(?:\||\bor\b|\n)\s*", re.IGNORECASE)
_REMOTE = re.compile(r"\b(remote|anywhere|home[- ]?office|work from home|wfh)\b", re.IGNORECASE)
# Names people write that the ISO table spells differently.
_ALIASES = {
    "usa": "US", "u.s.": "US", "u.s.a.": "US", "united states of america": "US",
    "america": "US", "uk": "GB", "u.k.": "GB", "england": "GB", "scotland": "GB",
    "wales": "GB", "great britain": "GB", "deutschland": "DE", "österreich": "AT",
    "schweiz": "CH", "suisse": "CH", "españa": "ES", "nederland": "NL", "россия": "RU",
    "russia": "RU", "south korea": "KR", "korea": "KR", "czech republic": "CZ",
    "türkiye": "TR", "turkey": "TR", "vietnam": "VN", "iran": "IR", "taiwan": "TW",
    "bolivia": "BO", "venezuela": "VE", "tanzania": "TZ", "moldova": "MD", "syria": "SY",
    "laos": "LA", "brasil": "BR", "méxico": "MX", "italia": "IT", "polska": "PL",
    "sverige": "SE", "norge": "NO", "danmark": "DK", "suomi": "FI", "éire": "IE",
}  # fmt: skip
# US states and Canadian provinces by code: "Austin, TX" means the USA.
_US_STATES = frozenset(
    [
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
        "DC",
    ]
)
_CA_PROVINCES = frozenset(
    ["AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"]
)


class ParsedLocation(NamedTuple):
    city: str | None
    region: str | None
    country_code: str | None
    remote: bool


def is_country_code(code: str) -> bool:
    return len(code) == 2 and code.isascii() and code.isupper() and _lookup_alpha2(code)


@lru_cache(maxsize=512)
def _lookup_alpha2(code: str) -> bool:
    return pycountry.countries.get(alpha_2=code) is not None


@lru_cache(maxsize=2048)
def country_code(value: str | None) -> str | None:
    """ISO 3166-1 alpha-2 for a code or a name, or None when it is not a country."""
    if not value:
        return None
    text = value.strip()
    if not text or len(text) > 64:
        return None
    alias = _ALIASES.get(text.casefold())
    if alias:
        return alias
    if len(text) == 2 and text.isascii() and text.isalpha():
        return text.upper() if _lookup_alpha2(text.upper()) else None
    if len(text) == 3 and text.isascii() and text.isalpha():
        found = pycountry.countries.get(alpha_3=text.upper())
        return str(found.alpha_2) if found else None
    try:
        return str(pycountry.countries.lookup(text).alpha_2)
    except LookupError:
        return None


@lru_cache(maxsize=256)
def currency_code(value: str | None) -> str | None:
    """ISO 4217 code, or None when the value is not a currency we know."""
    if not value:
        return None
    text = value.strip().upper()
    if len(text) != 3 or not text.isascii() or not text.isalpha():
        return None
    return text if pycountry.currencies.get(alpha_3=text) is not None else None


def split_locations(raw: str | None) -> list[str]:
    """One string naming several places ("Austin | Chicago", "Berlin or Remote") as a list."""
    if not raw:
        return []
    return [part.strip() for part in _MULTI.split(raw) if part.strip()]


def parse_location(raw: str | None) -> ParsedLocation:
    """Split "City, Region, Country" as people write it; never guesses a city from nothing."""
    if not raw or not raw.strip():
        return ParsedLocation(None, None, None, False)
    remote = bool(_REMOTE.search(raw))
    parts = [_REMOTE.sub("", part).strip(" ()-") for part in _SPLIT.split(raw.strip())]
    parts = [part for part in parts if part]
    country: str | None = None
    region: str | None = None
    if parts:
        last = parts[-1]
        if len(parts) >= 2 and last in _US_STATES:
            country, region = "US", last
        elif len(parts) >= 2 and last in _CA_PROVINCES:
            country, region = "CA", last
        else:
            country = country_code(last)
        if country:
            parts = parts[:-1]
    if country and region is None and len(parts) >= 2:
        region = parts.pop()
    city = parts[0] if parts else None
    return ParsedLocation(city, region, country, remote)
