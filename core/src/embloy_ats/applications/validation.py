"""A candidate's form, checked against the Job's questions before anything is stored.

`validate_answers` is a pure function: the same job and form always give the same typed
answers or the same per-field errors, keyed `answer.<question id>` as the form names its
fields. The messages are for the candidate, in plain words, and never repeat what was
typed (that is personal data, and the page shows it next to the message anyway).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from embloy_ats.applications.filetypes import (
    KINDS,
    accepted_kinds,
    extension_of,
    name_for,
    sniff,
)
from embloy_ats.model import Job, Question, QuestionType
from embloy_ats.submission.model import AnswerValue, UploadedFile
from embloy_ats.validation import is_http_url

FIELD_PREFIX = "answer."
MIB = 1024 * 1024

_SINGLE_LINE_TYPES = frozenset(
    {
        QuestionType.SHORT_TEXT, QuestionType.EMAIL, QuestionType.PHONE, QuestionType.LINK,
        QuestionType.NUMBER, QuestionType.DATE, QuestionType.LOCATION,
        QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE, QuestionType.YES_NO,
    }
)  # fmt: skip
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NEWLINE = re.compile(r"[\r\n\u2028\u2029]")
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s.][^@\s]*\.[^@\s.]{2,}")
_PHONE = re.compile(r"\+?[0-9 ()./-]{4,40}(?:\s*(?:x|ext\.?)\s*[0-9]{1,6})?", re.IGNORECASE)
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_BARE_LINK = re.compile(r"(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?:[/?#]\S*)?")
_YES = frozenset({"yes", "true", "1", "on"})
_NO = frozenset({"no", "false", "0", "off"})
_LENGTHS = {
    QuestionType.EMAIL: 254,
    QuestionType.PHONE: 60,
    QuestionType.LINK: 2048,
    QuestionType.NUMBER: 40,
    QuestionType.DATE: 10,
    QuestionType.LOCATION: 500,
}
_MAX_FILE_NAME = 200


@dataclass(frozen=True)
class Limits:
    """How much a candidate may send; every cap holds whatever the form holds."""

    max_file_bytes: int = 10 * MIB
    #: all files of one application together.
    max_total_file_bytes: int = 25 * MIB
    max_files_per_question: int = 1
    max_short_text: int = 2_000
    max_long_text: int = 20_000
    #: why `max_file_bytes` is what it is, where an ATS sets it (said with the refusal).
    file_limit_reason: str | None = None
    #: why `max_files_per_question` is what it is, where a connector sends fewer (said
    #: likewise).
    files_limit_reason: str | None = None

    def __post_init__(self) -> None:
        if min(self.max_file_bytes, self.max_total_file_bytes, self.max_files_per_question,
               self.max_short_text, self.max_long_text) < 1:  # fmt: skip
            raise ValueError("every limit must be at least 1")


@dataclass(frozen=True, repr=False)
class ValidAnswers:
    """The typed answers and the accepted files, by question id (unanswered ones absent)."""

    answers: dict[str, AnswerValue]
    files: dict[str, tuple[UploadedFile, ...]]

    def __repr__(self) -> str:
        return f"ValidAnswers(answers={len(self.answers)}, files={len(self.files)})"


@dataclass(frozen=True)
class InvalidApplication:
    """What is wrong, per form field: `{"answer.<question id>": "why"}`. Nothing is stored."""

    fields: dict[str, str]
    message: str = "Some answers need attention before the application can be sent."
    code: str = field(default="invalid_application", init=False)

    def to_json(self) -> dict[str, Any]:
        """The body of the `422` answer."""
        return {"error": {"code": self.code, "message": self.message, "fields": self.fields}}


class _Problem(Exception):
    """One field's error, raised inside the checks and collected by `validate_answers`."""


def validate_answers(
    job: Job,
    fields: Mapping[str, Sequence[str]],
    files: Mapping[str, Sequence[UploadedFile]],
    limits: Limits | None = None,
    *,
    left_out: Mapping[str, str] | None = None,
) -> ValidAnswers | InvalidApplication:
    """Check a form against `job.questions`.

    `fields` holds every text value of each form field (a repeated field, as multiple
    choice sends, has several), `files` the file parts, both by form field name; fields not
    named `answer.<id>` (the request token...) are not looked at. `left_out` names, by id,
    questions of the ATS's that `job` no longer asks (its ATS cannot take their answers),
    with why: an answer to one is refused with that.
    """
    limits = limits or Limits()
    errors: dict[str, str] = {}
    answers: dict[str, AnswerValue] = {}
    accepted_files: dict[str, tuple[UploadedFile, ...]] = {}
    questions = {question.id: question for question in job.questions}
    for name in _answer_fields(fields, files):
        ident = name.removeprefix(FIELD_PREFIX)
        if ident not in questions and (_texts(fields.get(name)) or _files(files.get(name))):
            errors[name] = (left_out or {}).get(
                ident, "This question is not part of this job any more; reload the page."
            )
    total = 0
    for question in job.questions:
        name = FIELD_PREFIX + question.id
        try:
            texts = _texts(fields.get(name))
            given = _files(files.get(name))
            if question.type is QuestionType.FILE:
                if texts:
                    raise _Problem("Attach a file.")
                if not given:
                    if question.required:
                        raise _Problem("This question needs a file.")
                    continue
                checked = _check_files(question, given, limits)
                total += sum(file.size for file in checked)
                if total > limits.max_total_file_bytes:
                    raise _Problem(
                        "The files together are larger than "
                        f"{size_text(limits.max_total_file_bytes)}; attach smaller ones."
                    )
                accepted_files[question.id] = checked
                continue
            if given:
                raise _Problem("This question takes text, not a file.")
            value = _answer(question, texts, limits)
        except _Problem as problem:
            errors[name] = str(problem)
            continue
        if value is None:
            if question.required:
                errors[name] = "This question needs an answer."
            continue
        answers[question.id] = value
    if errors:
        return InvalidApplication(errors)
    return ValidAnswers(answers, accepted_files)


def _answer_fields(
    fields: Mapping[str, Sequence[str]], files: Mapping[str, Sequence[UploadedFile]]
) -> list[str]:
    names = [*fields, *files]
    return sorted({n for n in names if isinstance(n, str) and n.startswith(FIELD_PREFIX)})


def _texts(values: object) -> list[str]:
    """The non-blank text values of a field; blank ones are what an untouched input sends."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, Sequence):
        raise _Problem("This answer could not be read; fill it in again.")
    texts = []
    for value in values:
        if not isinstance(value, str):
            raise _Problem("This answer could not be read; fill it in again.")
        if value.strip():
            texts.append(value.strip())
    return texts


def _files(values: object) -> list[UploadedFile]:
    """The file parts of a field; an empty part without a name is a file input left empty."""
    if values is None:
        return []
    if isinstance(values, UploadedFile):
        values = [values]
    if not isinstance(values, Sequence) or isinstance(values, str | bytes):
        raise _Problem("This file could not be read; attach it again.")
    found = []
    for value in values:
        if not isinstance(value, UploadedFile) or not isinstance(value.data, bytes):
            raise _Problem("This file could not be read; attach it again.")
        if value.size == 0 and not (isinstance(value.name, str) and value.name.strip()):
            continue
        found.append(value)
    return found


def _one(texts: list[str]) -> str | None:
    if len(texts) > 1:
        raise _Problem("Give one answer only.")
    return texts[0] if texts else None


def _text(question: Question, value: str, limits: Limits) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _Problem("Remove the characters this form cannot take.") from None
    if _CONTROL.search(value):
        raise _Problem("Remove the characters this form cannot take.")
    if question.type in _SINGLE_LINE_TYPES and _NEWLINE.search(value):
        raise _Problem("Keep this answer on one line.")
    cap = _LENGTHS.get(question.type)
    if cap is None:
        cap = limits.max_short_text if question.type in _SINGLE_LINE_TYPES else limits.max_long_text
    if len(value) > cap:
        raise _Problem(f"Keep this answer under {cap} characters.")
    return value


def _answer(question: Question, texts: list[str], limits: Limits) -> AnswerValue | None:
    kind = question.type
    option_ids = [option.id for option in question.options]
    if kind is QuestionType.MULTIPLE_CHOICE and option_ids:
        chosen = tuple(dict.fromkeys(texts))
        if any(choice not in option_ids for choice in chosen):
            raise _Problem("Choose from the listed options only.")
        return chosen or None
    raw = _one(texts)
    if raw is None:
        return None
    if kind is QuestionType.YES_NO:
        folded = raw.casefold()
        if folded in _YES:
            return True
        if folded in _NO:
            return False
        raise _Problem("Answer yes or no.")
    if kind is QuestionType.SINGLE_CHOICE and option_ids:
        if raw not in option_ids:
            raise _Problem("Choose one of the listed options.")
        return raw
    value = _text(question, raw, limits)
    if kind is QuestionType.NUMBER:
        return _number(value)
    if kind is QuestionType.DATE:
        return _date(value)
    if kind is QuestionType.EMAIL:
        if len(value) > 254 or not _EMAIL.fullmatch(value):
            raise _Problem("Enter an email address, e.g. name@example.com.")
        return value
    if kind is QuestionType.PHONE:
        if not _PHONE.fullmatch(value) or not 5 <= sum(c.isdigit() for c in value) <= 20:
            raise _Problem("Enter a phone number: digits, spaces and + ( ) - only.")
        return value
    if kind is QuestionType.LINK:
        return _link(value)
    if kind is QuestionType.MULTIPLE_CHOICE:  # no options to choose from: one text answer
        return (value,)
    return value


def _number(value: str) -> Decimal:
    if not _NUMBER.fullmatch(value):
        raise _Problem("Enter a number, e.g. 42 or 3.5.")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise _Problem("Enter a number, e.g. 42 or 3.5.") from None
    return number


def _date(value: str) -> date:
    if not _DATE.fullmatch(value):
        raise _Problem("Enter a date as YYYY-MM-DD.")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _Problem("Enter a date that exists, as YYYY-MM-DD.") from None


def _link(value: str) -> str:
    if "://" not in value and _BARE_LINK.fullmatch(value):
        value = "https://" + value  # "linkedin.com/in/..." as candidates type it
    problem = _Problem("Enter a web address, e.g. https://example.com/you.")
    if not is_http_url(value):
        raise problem
    try:
        host = urlsplit(value).hostname
    except ValueError:
        raise problem from None
    if not host or "." not in host.strip("."):
        raise problem
    return value


def _check_files(
    question: Question, given: list[UploadedFile], limits: Limits
) -> tuple[UploadedFile, ...]:
    if len(given) > limits.max_files_per_question:
        why = f" ({limits.files_limit_reason})" if limits.files_limit_reason else ""
        if limits.max_files_per_question == 1:
            raise _Problem(f"Attach one file only{why}.")
        raise _Problem(f"Attach at most {limits.max_files_per_question} files{why}.")
    accepted = accepted_kinds(question.accepted_file_types)
    checked = []
    for file in given:
        if file.size == 0:
            raise _Problem("The file is empty; attach another one.")
        if file.size > limits.max_file_bytes:
            why = f" ({limits.file_limit_reason})" if limits.file_limit_reason else ""
            raise _Problem(
                f"The file is larger than {size_text(limits.max_file_bytes)}{why}; "
                "attach a smaller one."
            )
        name = _file_name(file.name)
        kind = sniff(file.data)
        if kind is not None and kind in accepted.kinds:
            checked.append(UploadedFile(name_for(name, kind), KINDS[kind].content_type, file.data))
        elif kind is None and extension_of(name) in accepted.unjudged:
            checked.append(UploadedFile(name, "application/octet-stream", file.data))
        else:
            raise _Problem(
                f"This file type is not accepted here (accepted: {accepted.describe()})."
            )
    return tuple(checked)


def _file_name(raw: object) -> str:
    """The base name the candidate's system gave, without folders or control characters."""
    name = raw if isinstance(raw, str) else ""
    name = re.split(r"[/\\]", name)[-1]
    # isprintable() also drops lone surrogates, which no ATS could be sent
    name = "".join(c for c in name if c.isprintable()).strip().lstrip(".")
    if len(name) > _MAX_FILE_NAME:
        extension = extension_of(name)
        name = name[: _MAX_FILE_NAME - len(extension)] + extension
    return name or "file"


def size_text(limit: int) -> str:
    """A size as a candidate reads it (`10 MiB`), in these messages and on the apply page."""
    if limit >= MIB and limit % MIB == 0:
        return f"{limit // MIB} MiB"
    if limit >= 1024:
        return f"{limit / 1024:.0f} KiB"
    return f"{limit} bytes"
