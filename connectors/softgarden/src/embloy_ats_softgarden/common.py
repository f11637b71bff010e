"""What both of Softgarden's ways in share: German country names, placeholders, places.

Softgarden writes countries as German names (`Deutschland`, `Tschechien`), and the public
feed fills a missing street or postal code with `-`. pycountry carries the ISO 3166 names in
German as well as in English, so every country Softgarden can name maps to its code.
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from typing import Any

import pycountry
from embloy_ats.contract import Location, geo, parsing

#: what the feed writes where it has no value.
_PLACEHOLDERS = frozenset({"-", "--", "n/a", "k.a.", "k. a."})


def value(raw: Any) -> str | None:
    """A text, without Softgarden's `-` placeholder."""
    found = parsing.text(raw)
    return None if found is None or found.casefold() in _PLACEHOLDERS else found


@lru_cache(maxsize=1)
def _german_names() -> dict[str, str]:
    """German country name (casefolded) -> ISO alpha-2, from pycountry's own translations."""
    try:
        german = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["de"])
    except OSError:  # a pycountry build without locales: the English names still map
        return {}
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            english = getattr(country, attribute, None)
            if isinstance(english, str):
                names.setdefault(german.gettext(english).casefold(), str(country.alpha_2))
    return names


def country_code(raw: Any) -> str | None:
    """ISO alpha-2 for a German or English country name, or a code; None otherwise."""
    name = value(raw)
    if name is None or len(name) > 64:
        return None
    return _german_names().get(name.casefold()) or geo.country_code(name)


def place(
    *,
    raw: Any = None,
    street: Any = None,
    city: Any = None,
    region: Any = None,
    postal_code: Any = None,
    country: Any = None,
) -> Location | None:
    fields = {
        "raw": value(raw),
        "street": value(street),
        "city": value(city),
        "region": value(region),
        "postal_code": value(postal_code),
        "country_code": country_code(country),
    }
    if not any(fields.values()):
        return None
    return Location(**fields)


def unique(places: list[Location | None]) -> tuple[Location, ...]:
    found: list[Location] = []
    for item in places:
        if item is not None and item not in found:
            found.append(item)
    return tuple(found)
