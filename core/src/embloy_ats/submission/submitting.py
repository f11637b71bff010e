"""What connectors that submit applications share: the standard questions every Job
carries, the ATS's reasons made safe to keep, option labels, and whether a record an ATS
finds in a lookup can be the application that was sent.

Pure functions over the Job model and an `Application`; nothing here makes a request.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from embloy_ats import parsing
from embloy_ats.model import Question, QuestionOption
from embloy_ats.submission.model import AnswerValue, Application
from embloy_ats.submission.privacy import mask_personal

#: how many of an ATS's per-field reasons are kept, and how long each key and text may be.
MAX_REASONS = 20
_MAX_KEY = 100
_MAX_REASON = 300
#: a record an ATS created this long before the application was accepted can still be it:
#: the ATS's clock and ours may be apart.
CLOCK_MARGIN = 15 * 60.0


def with_standard_questions(
    questions: Sequence[Question], standard: Sequence[Question]
) -> tuple[Question, ...]:
    """The `standard` questions first (the job's own version where it has one), then the
    job's other questions in their order.

    Every Job carries the fields its ATS's apply endpoint takes (name, email, resume...),
    even where the way in publishes no form, so the apply page and the submission work the
    same for every job; a question the ATS publishes wins over the standard one.
    """
    own = {question.id: question for question in questions}
    first = tuple(own.get(question.id, question) for question in standard)
    ids = {question.id for question in first}
    return (*first, *(question for question in questions if question.id not in ids))


def reasons(pairs: Iterable[tuple[object, object]], application: Application) -> dict[str, str]:
    """The ATS's reasons per field, as `SubmitRejected` carries them: at most `MAX_REASONS`,
    each bounded, and every answer of the application or anything shaped like an email
    address or a phone number masked (an ATS's message may quote what it refused)."""
    kept: dict[str, str] = {}
    for key, value in pairs:
        name = parsing.text(key) if isinstance(key, str) else None
        text = parsing.text(value) if isinstance(value, str) else None
        if text is None or len(kept) >= MAX_REASONS:
            continue
        field = mask_personal(name or "application", application)[:_MAX_KEY]
        kept.setdefault(field, mask_personal(text, application)[:_MAX_REASON])
    return kept


def option_labels(question: Question, option_ids: Iterable[str]) -> list[str]:
    """The labels of the options chosen (an ATS that takes the option's text)."""
    labels = {option.id: option.label for option in question.options}
    return [labels.get(option_id, option_id) for option_id in option_ids]


def yes_no_option(question: Question, answer: bool) -> QuestionOption | None:
    """The option that says `answer`, where a yes/no question is a choice of two."""
    wanted = "yes" if answer else "no"
    return next((o for o in question.options if o.label.strip().casefold() == wanted), None)


def plain(value: AnswerValue) -> str | list[str]:
    """An answer as an ATS's text field takes it: numbers as written, dates ISO 8601,
    yes/no as `yes`/`no`, option ids as they are."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def whole_number(value: Decimal) -> int | float:
    """A number for an ATS that takes JSON numbers: an int when it is whole."""
    return int(value) if value == value.to_integral_value() else float(value)


def created_since(value: object, application: Application) -> bool:
    """Whether a record an ATS created at `value` (ISO 8601, or seconds or milliseconds
    since the epoch) can be `application`: not made before it was accepted, less
    `CLOCK_MARGIN`. An earlier application of the same candidate to the same job is not
    this one. A time that cannot be read counts as possible: sending twice is worse."""
    stamp = parsing.timestamp(value)
    return stamp is None or stamp.timestamp() >= application.created_at - CLOCK_MARGIN
