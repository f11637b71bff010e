"""Tolerant readers for ATS payloads: a wrong type yields None, never an exception.

Normalisers read untrusted JSON. These helpers make "field missing", "field null" and
"field of another type" the same thing, so a surprising payload degrades to a Job with
fewer fields instead of a crash. Only a missing essential (id, title) is a PayloadError,
raised in our words: the connector base class adds which connector and job it concerns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import JsonValue

from embloy_ats import geo, vocab
from embloy_ats.errors import PayloadError
from embloy_ats.model import (
    Compensation,
    CompensationKind,
    PayInterval,
    Question,
    QuestionCategory,
    QuestionType,
)
from embloy_ats.validation import is_http_url


def obj(value: Any) -> dict[str, Any]:
    """The value if it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def objects(value: Any) -> list[dict[str, Any]]:
    """The JSON objects in a list, skipping anything else."""
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict)]


def text(value: Any) -> str | None:
    """A non-blank string (numbers are written out), else None."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        return str(value)
    return None


def texts(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    return [t for t in (text(item) for item in value) if t is not None]


def flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def decimal(value: Any) -> Decimal | None:
    """A finite, non-negative amount, from a number or a numeric string."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() and amount >= 0 else None


def amount_range(
    low: Decimal | None, high: Decimal | None
) -> tuple[Decimal | None, Decimal | None]:
    """A pay range in order: some ATS answer max before min."""
    if low is not None and high is not None and low > high:
        return high, low
    return low, high


def http_url(value: Any) -> str | None:
    """An http(s) link, else None: an odd value loses the link, not the whole job."""
    link = text(value)
    return link if link is not None and is_http_url(link) else None


def timestamp(value: Any) -> datetime | None:
    """ISO 8601 strings and epoch milliseconds or seconds, as an aware datetime (naive = UTC)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        if isinstance(value, int | float):
            seconds = value / 1000 if abs(value) > 1e11 else value
            return datetime.fromtimestamp(seconds, UTC)
        if isinstance(value, str) and value.strip():
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return None


def a_or_an(noun: str) -> str:
    """`an offer`, `a posting`: the article our messages put before a thing's name."""
    return f"{'an' if noun[:1].lower() in 'aeio' else 'a'} {noun}"


def require_text(
    payload: Mapping[str, Any],
    key: str,
    *,
    connector: str | None = None,
    job_id: str | None = None,
    what: str = "job",
) -> str:
    value = text(payload.get(key))
    if value is None:
        raise PayloadError(
            f"answered {a_or_an(what)} without {key!r}", connector=connector, job_id=job_id
        )
    return value


def require_object(
    value: JsonValue, *, what: str, connector: str | None = None, job_id: str | None = None
) -> dict[str, Any]:
    """`what` is named with its article: "a job", "an offer"."""
    if not isinstance(value, dict):
        raise PayloadError(
            f"answered {type(value).__name__} where {what} (a JSON object) was expected",
            connector=connector,
            job_id=job_id,
        )
    return value


def require_id(
    payload: Mapping[str, Any], key: str, job_id: str, *, what: str = "job", casefold: bool = False
) -> str:
    """The id the ATS answered in `payload[key]`, which must be the one asked for.

    An ATS that answers another job than the one asked for (a cache, a redirect, a slug
    that now names another job) must not have that job stored under this id. The id it
    answered is never put into the message: it is the ATS's text.
    """
    answered = require_text(payload, key, what=what)
    same = answered.casefold() == job_id.casefold() if casefold else answered == job_id
    if not same:
        raise PayloadError(f"answered another {what} when asked for this one")
    return answered


def first(values: Sequence[Any]) -> Any:
    return values[0] if values else None


def salary(
    low: Any,
    high: Any,
    *,
    currency: Any = None,
    interval: PayInterval | None = None,
    raw: Any = None,
) -> tuple[Compensation, ...]:
    """One salary range from an ATS's own values (numbers or numeric strings, a currency code
    or name, a description); none when it names no amount. Bounds are put in order."""
    minimum, maximum = amount_range(decimal(low), decimal(high))
    if minimum is None and maximum is None:
        return ()
    return (
        Compensation(
            kind=CompensationKind.SALARY,
            min_amount=minimum,
            max_amount=maximum,
            currency=geo.currency_code(text(currency)),
            interval=interval,
            raw=text(raw),
        ),
    )


def standard_questions(
    fields: Iterable[tuple[str, str, str, QuestionType]], payload: Mapping[str, Any]
) -> list[Question]:
    """The standard form fields a job switches on, from rows of (the payload's attribute, our
    question id, label, type): each attribute says `required`, `optional` or `off`."""
    found = []
    for attribute, question_id, label, kind in fields:
        setting = vocab.requirement(payload.get(attribute))
        if setting is None or setting == "off":
            continue
        found.append(
            Question(
                id=question_id,
                label=label,
                type=kind,
                required=setting == "required",
                category=QuestionCategory.STANDARD,
                source_type=attribute,
            )
        )
    return found
