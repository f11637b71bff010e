"""BambooHR's `compensation`: free text the employer typed ("$60,000 - $75,000 per year",
"Competitive", "DOE"). Amounts are read only from text that says nothing else: one amount
or a range, an optional currency and an optional interval. Anything else is kept as `raw`.
"""

from __future__ import annotations

import re
from decimal import Decimal

from embloy_ats.contract import Compensation, CompensationKind, geo, parsing, vocab

#: `$` names a dozen currencies (USD, CAD, AUD...): the amount is read, the currency is not.
_SYMBOLS = {"€": "EUR", "£": "GBP", "$": None}
_CURRENCY = r"(?:[$€£]|[A-Za-z]{3}\b)"
_AMOUNT = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]{1,2})?|[0-9]+(?:\.[0-9]{1,2})?"


def _one(name: str) -> str:
    """One amount, with its currency before it and `k` for thousands after it."""
    return rf"(?P<{name}cur>{_CURRENCY})?\s*(?P<{name}num>{_AMOUNT})\s*(?P<{name}k>[kK])?"


_INTERVAL = r"(?:(?:per|/|an|a)\s*)?(?P<interval>hour|hr|day|week|month|year|yr|annum)(?:ly)?"
PATTERN = re.compile(
    r"\A\s*"
    + _one("lo")
    + r"(?:\s*(?:-|\u2013|\u2014|to)\s*"
    + _one("hi")
    + r")?\s*(?P<trail>(?!per\b)[A-Za-z]{3}\b)?\s*(?:,?\s*"
    + _INTERVAL
    + r")?\s*\Z",
    re.IGNORECASE,
)
_SHORT_INTERVALS = {"hr": "hour", "yr": "year", "annum": "year"}


def _amount(number: str | None, thousands: str | None) -> Decimal | None:
    amount = parsing.decimal(number)
    if amount is not None and thousands:
        amount *= 1000
    return amount


def _currency(*written: str | None) -> tuple[bool, str | None]:
    """(consistent, code): every currency the text names must be the same one."""
    codes: set[str | None] = set()
    for word in written:
        if word is None:
            continue
        if word in _SYMBOLS:
            codes.add(_SYMBOLS[word])
            continue
        code = geo.currency_code(word)
        if code is None:
            return False, None
        codes.add(code)
    if len(codes) > 1:
        return False, None
    return True, next(iter(codes), None)


def from_text(text: str | None) -> tuple[Compensation, ...]:
    text = (text or "").strip()
    if not text:
        return ()
    found = PATTERN.match(text)
    if found is not None:
        consistent, currency = _currency(
            found.group("locur"), found.group("hicur"), found.group("trail")
        )
        low = _amount(found.group("lonum"), found.group("lok"))
        high = _amount(found.group("hinum"), found.group("hik"))
        if consistent and low is not None:
            minimum, maximum = parsing.amount_range(low, high if high is not None else low)
            word = (found.group("interval") or "").casefold()
            return (
                Compensation(
                    kind=CompensationKind.SALARY,
                    min_amount=minimum,
                    max_amount=maximum,
                    currency=currency,
                    interval=vocab.pay_interval(_SHORT_INTERVALS.get(word, word)),
                    raw=text,
                ),
            )
    return (Compensation(kind=CompensationKind.OTHER, raw=text[:1000]),)
