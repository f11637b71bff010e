"""Readers shared by both Ashby APIs: addresses, compensation tiers, workplace and URLs.

The public Posting API and the authenticated `jobPosting.info` spell some things
differently (`location` vs `locationName`, `jobUrl` vs `externalLink`) but share the
postal-address and compensation-tier shapes; those live here.
"""

from __future__ import annotations

from typing import Any

from embloy_ats.contract import (
    Compensation,
    CompensationKind,
    Location,
    Visibility,
    WorkplaceType,
    geo,
    parsing,
    vocab,
)

_COMPENSATION_KINDS = {
    "salary": CompensationKind.SALARY,
    "bonus": CompensationKind.BONUS,
    "equitypercentage": CompensationKind.EQUITY,
    "equitycashvalue": CompensationKind.EQUITY,
    "equity": CompensationKind.EQUITY,
    "commission": CompensationKind.COMMISSION,
}
# Names Ashby has used for "show pay to applicants" (posting API, docs, recorded answer).
_DISPLAY_FLAGS = (
    "shouldDisplayCompensationOnJobPostings",
    "shouldDisplayCompensationOnJobBoard",
    "shouldDisplayCompensation",
)


def postal_address(address: Any) -> dict[str, Any]:
    """`{"postalAddress": {...}}` as recorded, or the bare fields as Ashby's docs print them."""
    outer = parsing.obj(address)
    inner = parsing.obj(outer.get("postalAddress"))
    return inner or outer


def location(name: Any, address: Any) -> Location | None:
    """A place from its display name and postal address; the address wins where it speaks."""
    raw = parsing.text(name)
    postal = postal_address(address)
    city = parsing.text(postal.get("addressLocality"))
    region = parsing.text(postal.get("addressRegion"))
    country = geo.country_code(parsing.text(postal.get("addressCountry")))
    if raw is None and city is None and region is None and country is None:
        return None
    if city is None and region is None and country is None:
        parsed = geo.parse_location(raw)
        city, region, country = parsed.city, parsed.region, parsed.country_code
    return Location(
        raw=raw,
        street=parsing.text(postal.get("streetAddress")),
        city=city,
        region=region,
        postal_code=parsing.text(postal.get("postalCode")),
        country_code=country,
    )


def unique(locations: list[Location | None]) -> tuple[Location, ...]:
    return tuple(dict.fromkeys(place for place in locations if place is not None))


def workplace(payload: dict[str, Any]) -> WorkplaceType | None:
    """`workplaceType` (OnSite, Hybrid, Remote) wins; `isRemote` is the older, coarser flag.

    Ashby sets `isRemote` on hybrid postings too, so `false` means the job is on site.
    """
    explicit = vocab.workplace_type(parsing.text(payload.get("workplaceType")))
    if explicit is not None:
        return explicit
    remote = parsing.flag(payload.get("isRemote"))
    if remote is None:
        return None
    return WorkplaceType.REMOTE if remote else WorkplaceType.ON_SITE


def visibility(payload: dict[str, Any]) -> Visibility:
    listed = parsing.flag(payload.get("isListed"))
    if listed is None:
        return Visibility.UNKNOWN
    return Visibility.PUBLIC if listed else Visibility.UNLISTED


def compensation(value: Any, *, flags: dict[str, Any] | None = None) -> tuple[Compensation, ...]:
    """Every component of every tier; `summaryComponents` only when there are no tiers.

    A posting whose settings say pay must not be shown to applicants yields none.
    """
    block = parsing.obj(value)
    for source in (block, flags or {}):
        for name in _DISPLAY_FLAGS:
            if parsing.flag(source.get(name)) is False:
                return ()
    found: list[Compensation] = []
    for tier in parsing.objects(block.get("compensationTiers")):
        title = parsing.text(tier.get("title"))
        for component in parsing.objects(tier.get("components")):
            found.append(_component(component, title))
    if not found:
        found = [_component(c, None) for c in parsing.objects(block.get("summaryComponents"))]
    return tuple(dict.fromkeys(found))


def _component(component: dict[str, Any], tier_title: str | None) -> Compensation:
    source_type = parsing.text(component.get("compensationType")) or ""
    kind = _COMPENSATION_KINDS.get(source_type.casefold(), CompensationKind.OTHER)
    low, high = parsing.amount_range(
        parsing.decimal(component.get("minValue")), parsing.decimal(component.get("maxValue"))
    )
    summary = parsing.text(component.get("summary"))
    raw = f"{tier_title}: {summary}" if tier_title and summary else summary or tier_title
    return Compensation(
        kind=kind,
        min_amount=low,
        max_amount=high,
        currency=geo.currency_code(parsing.text(component.get("currencyCode"))),
        # Ashby writes intervals as "1 YEAR", "1 HOUR"... and "NONE" for one-off components.
        interval=vocab.pay_interval(component.get("interval")),
        raw=raw,
    )
