"""Applications to Personio's Recruiting API v1: the documents uploaded first, then the
application naming them, and what each answer means.

Facts from Personio's Recruiting API reference (`POST /v1/recruiting/applications/documents`,
`POST /v1/recruiting/applications`, the introduction's upload flow and limits); see
docs/connectors/personio.md for what each field gets and what is unverified.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from embloy_ats.contract import (
    AnswerValue,
    Application,
    Fetched,
    Job,
    JsonValue,
    Question,
    QuestionCategory,
    QuestionType,
    Receipt,
    SubmitAmbiguous,
    SubmitRejected,
    SubmitRetryable,
    UploadedFile,
    parsing,
    submitting,
)

#: Personio refuses documents over 20 MB (413); larger ones are refused before sending.
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
#: file types Personio's documents endpoint takes that the apply page can judge.
_FILE_TYPES = (".pdf", ".doc", ".docx", ".odt", ".jpg", ".jpeg", ".png", ".gif")
#: the application's own fields; an answer to any other question goes in `attributes`.
_FIELDS = ("first_name", "last_name", "email", "message")
#: Personio's system attributes the standard questions fill (`attributes[{id, value}]`).
SYSTEM_ATTRIBUTES = ("phone", "available_from", "salary_expectations")
#: file questions -> Personio's document category.
CATEGORIES = {"cv": "cv", "cover-letter": "cover-letter"}
#: requests one application takes at most: each document, then the application.
MAX_REQUESTS = len(CATEGORIES) + 1
#: statuses whose body says why (validation, duplicates, a refused document).
READ_STATUSES = frozenset({400, 409, 413, 415, 422})
_ALREADY_EXISTS = ("applicant-already-exists", "already applied")


def _q(id: str, label: str, kind: QuestionType, *, required: bool = False) -> Question:
    files = _FILE_TYPES if kind is QuestionType.FILE else ()
    return Question(id=id, label=label, type=kind, required=required, accepted_file_types=files,
                    category=QuestionCategory.STANDARD, source_type=id)  # fmt: skip


#: What `POST /v1/recruiting/applications` takes besides custom attributes: the feed
#: publishes no form, so every Personio job carries these.
STANDARD_QUESTIONS = (
    _q("first_name", "First name", QuestionType.SHORT_TEXT, required=True),
    _q("last_name", "Last name", QuestionType.SHORT_TEXT, required=True),
    _q("email", "Email", QuestionType.EMAIL, required=True),
    _q("phone", "Phone", QuestionType.PHONE),
    _q("cv", "CV", QuestionType.FILE),
    _q("cover-letter", "Cover letter", QuestionType.FILE),
    _q("message", "Message", QuestionType.LONG_TEXT),
    _q("available_from", "Available from", QuestionType.DATE),
    _q("salary_expectations", "Salary expectations", QuestionType.SHORT_TEXT),
)


@dataclass(frozen=True)
class Uploaded:
    """A document Personio took: the uuid the application names it by."""

    uuid: str
    original_filename: str
    category: str


def documents(job: Job, application: Application) -> Iterator[tuple[str, UploadedFile]]:
    """Each file to upload with its category (one per file question), refusing one over
    Personio's 20 MB before anything is sent."""
    chosen: list[tuple[str, UploadedFile]] = []
    for question in job.questions:
        category = CATEGORIES.get(question.id)
        for file in application.files.get(question.id, ())[:1]:
            if category is None:
                continue
            if file.size > MAX_DOCUMENT_BYTES:
                raise SubmitRejected(
                    "holds a document over Personio's 20 MB limit",
                    reasons={question.id: "larger than 20 MB"},
                )
            chosen.append((category, file))
    yield from chosen


def decode(body: bytes) -> JsonValue:
    """An answer's body: JSON where there is any (Personio's 201 has none)."""
    if not body.strip():
        return None
    try:
        value: JsonValue = json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return "unreadable"
    return value


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _already_exists(data: Any) -> bool:
    """`errors.applicant-already-exists` (v1), or "Applicant already applied to this
    position." (the deprecated endpoint), wherever in the answer it stands."""
    return any(mark in text.casefold() for text in _strings(data) for mark in _ALREADY_EXISTS)


def _says_error(data: Any) -> bool:
    if not isinstance(data, dict):
        return bool(data == "unreadable")
    return data.get("success") is False or bool(data.get("error")) or bool(data.get("errors"))


def _reasons(data: Any) -> list[tuple[object, object]]:
    """`{errors: [{field, errors: [{reason, context}]}]}`, or `{error: {message}}`."""
    body = parsing.obj(data)
    pairs: list[tuple[object, object]] = []
    for entry in parsing.objects(body.get("errors")):
        field = entry.get("field")
        inner = parsing.objects(entry.get("errors"))
        pairs += [(field, item.get("reason")) for item in inner]
        pairs.append((field, entry.get("reason") or entry.get("message")))
    error = body.get("error")
    pairs.append(("application", parsing.obj(error).get("message") or error))
    pairs.append(("application", body.get("message")))
    return pairs


def uploaded(
    answer: Fetched, category: str, file: UploadedFile, application: Application
) -> Uploaded:
    """The document's uuid; a refused document (413 too large, 422 type) refuses the
    application, since sending it again would be refused again."""
    status = answer.response.status_code
    body = parsing.obj(answer.data)
    if status >= 400 or _says_error(answer.data):
        raise SubmitRejected(
            f"refused a document (HTTP {status})",
            reasons=submitting.reasons(_reasons(answer.data), application)
            or {category: f"refused (HTTP {status})"},
            status_code=status,
        )
    uuid = parsing.text(body.get("uuid"))
    if uuid is None:
        raise SubmitRetryable(
            f"answered a document upload without its uuid (HTTP {status}): no application was sent",
            status_code=status,
        )
    return Uploaded(uuid, parsing.text(body.get("original_filename")) or file.name, category)


def _value(question: Question, value: AnswerValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()  # Personio: dates as ISO local dates
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, tuple):
        return ", ".join(submitting.option_labels(question, value))
    if question.type is QuestionType.SINGLE_CHOICE:
        return submitting.option_labels(question, [value])[0]  # an OPTION takes its value
    return value


def body(job: Job, application: Application, files: list[Uploaded]) -> dict[str, Any]:
    """The JSON of `POST /v1/recruiting/applications`: the position, the candidate's
    fields, the documents by uuid, every other answer as an attribute by question id
    (Personio's system attributes, or `custom_attribute_<n>` set up for the job)."""
    sent: dict[str, Any] = {"job_position_id": int(job.external_id)}
    attributes: list[dict[str, str]] = []
    for question in job.questions:
        value = application.answers.get(question.id)
        if value is None or question.type is QuestionType.FILE:
            continue
        if question.id in _FIELDS:
            sent[question.id] = _value(question, value)
        else:
            attributes.append({"id": question.id, "value": _value(question, value)})
    if files:
        sent["files"] = [
            {"uuid": f.uuid, "original_filename": f.original_filename, "category": f.category}
            for f in files
        ]
    if attributes:
        sent["attributes"] = attributes
    return sent


def receipt(answer: Fetched, application: Application) -> Receipt:
    """What the application's answer means. Personio documents `201` with no body and no
    id; a repeat of one email to one position is refused as `applicant-already-exists`,
    which means the ATS has it: delivered."""
    status, data = answer.response.status_code, answer.data
    if _already_exists(data):
        return Receipt()
    if status >= 400 or _says_error(data):
        raise SubmitRejected(
            f"refused the application (HTTP {status})",
            reasons=submitting.reasons(_reasons(data), application),
            status_code=status,
        )
    if status == 201 or (isinstance(data, dict) and data.get("success") is True):
        return Receipt()
    raise SubmitAmbiguous(
        f"answered HTTP {status} without saying it created the application", status_code=status
    )
