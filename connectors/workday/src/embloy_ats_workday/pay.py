"""Pay as Workday gives it: only in the description's text (US pay-transparency paragraphs).

A range is taken only when the text is unambiguous: exactly one distinct range, amounts
written with comma thousands (or none), and one currency, named by an ISO code next to an
amount or by its sign (`€` EUR, `£` GBP, `$` USD only for a job in the US, since Canada,
Australia and others write `$` too). The interval is read only from the words right after
the range ("per hour", "annually"). Two ranges ("Primary Location Base Pay Range ...
Additional US Location(s) Base Pay Range ...") give none: which applies is for a reader.
"""

from __future__ import annotations

import re
from decimal import Decimal

from embloy_ats.contract import Compensation, CompensationKind, PayInterval, geo, parsing

#: 1,234,567.89 or 1234.5: never 45.000 (a dot as thousands separator is not ours to read).
_AMOUNT = r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?(?!\d|[,.]\d)|\d{1,9}(?:\.\d{1,2})?(?!\d|[,.]\d)"
_RANGE = re.compile(
    rf"(?P<sign>[$€£])\s?(?P<low>{_AMOUNT})(?:\s?(?P<code1>[A-Z]{{3}})\b)?"
    rf"\s*(?:-|\u2013|\u2014|to)\s*"
    rf"(?P<sign2>[$€£])?\s?(?P<high>{_AMOUNT})(?:\s?(?P<code2>[A-Z]{{3}})\b)?"
)
_SIGNS = {"€": "EUR", "£": "GBP"}
_INTERVALS = (
    (
        re.compile(r"^\W{0,3}(?:per|an|a|/)\s?(?:hour|hr)\b|^\W{0,3}hourly\b", re.I),
        PayInterval.HOUR,
    ),
    (
        re.compile(
            r"^\W{0,3}(?:per|a|/)\s?(?:year|yr|annum)\b|^\W{0,3}(?:annually|annual|yearly)\b",
            re.I,
        ),
        PayInterval.YEAR,
    ),
    (re.compile(r"^\W{0,3}(?:per|a|/)\s?month\b|^\W{0,3}monthly\b", re.I), PayInterval.MONTH),
)
_MAX_TEXT = 200_000


def _currency(match: re.Match[str], country: str | None) -> str | None:
    codes = {
        code
        for code in (match.group("code1"), match.group("code2"))
        if code is not None and geo.currency_code(code) is not None
    }
    signs = {sign for sign in (match.group("sign"), match.group("sign2")) if sign is not None}
    if len(codes) > 1 or len(signs) > 1:
        return None
    if codes:
        return codes.pop()
    sign = signs.pop()
    if sign == "$":
        return "USD" if country == "US" else None
    return _SIGNS.get(sign)


def _interval(after: str) -> PayInterval | None:
    for pattern, interval in _INTERVALS:
        if pattern.search(after):
            return interval
    return None


def pay_ranges(text: str, country: str | None) -> tuple[Compensation, ...]:
    """The one pay range `text` names, for a job in `country` (ISO alpha-2); else none."""
    found: dict[tuple[Decimal, Decimal, str], Compensation] = {}
    for match in _RANGE.finditer(text[:_MAX_TEXT]):
        low = parsing.decimal(match.group("low"))
        high = parsing.decimal(match.group("high"))
        currency = _currency(match, country)
        if low is None or high is None or currency is None or low > high:
            return ()
        after = text[match.end() : match.end() + 24]
        found.setdefault(
            (low, high, currency),
            Compensation(
                kind=CompensationKind.SALARY,
                min_amount=low,
                max_amount=high,
                currency=currency,
                interval=_interval(after),
                raw=match.group(0).strip(),
            ),
        )
    return tuple(found.values()) if len(found) == 1 else ()
