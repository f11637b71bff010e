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
#: Personio's own codes for a repeat of one email to one position (`reason`/`code` fields).
_ALREADY_EXISTS_CODES = frozenset({"errors.applicant-already-exists", "applicant-already-exists"})
#: the deprecated endpoint's whole message for it (compared whole, never searched in).
_ALREADY_APPLIED_MESSAGE = "applicant already applied to this position"
#: statuses that may say it: 400 (Personio's documented error status, the deprecated
#: endpoint's too), 409 (a conflict) and 200 (the deprecated `{success: false}` envelope).
_ALREADY_EXISTS_STATUSES = frozenset({200, 400, 409})


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


def unreadable(answer: Fetched) -> bool:
    """A body that is there but is not JSON (a proxy's "Created", an HTML page): it says
    nothing, neither a refusal nor an id."""
    body = answer.response.body
    if not body.strip():
        return False
    try:
        json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return True
    return False


def _is_code(value: object) -> bool:
    return isinstance(value, str) and value.strip().casefold() in _ALREADY_EXISTS_CODES


def _is_message(value: object) -> bool:
    return (
        isinstance(value, str)
        and value.strip().rstrip(".").strip().casefold() == _ALREADY_APPLIED_MESSAGE
    )


def _already_exists(status: int, data: Any) -> bool:
    """Personio's own marker for a repeat: `errors[].errors[].reason` (or an error's
    `reason`/`code`) being `errors.applicant-already-exists`, or an error `message` that is
    exactly the deprecated endpoint's "Applicant already applied to this position.". Only
    those fields count, compared whole: `context` and any other value may quote what the
    candidate wrote, and only on the statuses Personio answers it with."""
    if status not in _ALREADY_EXISTS_STATUSES or not isinstance(data, dict):
        return False
    for entry in parsing.objects(data.get("errors")):
        for item in [entry, *parsing.objects(entry.get("errors"))]:
            if _is_code(item.get("reason")) or _is_code(item.get("code")):
                return True
            if _is_message(item.get("message")):
                return True
    error = data.get("error")
    if isinstance(error, dict):
        if _is_code(error.get("code")) or _is_code(error.get("reason")):
            return True
        error = error.get("message")
    return _is_message(error) or _is_message(data.get("message")) or _is_code(data.get("code"))


def _says_error(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
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
    application, since sending it again would be refused again. A 2xx that names no uuid
    (none in its JSON, or a body that is not JSON) cannot go on: no application was sent, so
    the attempt is retried later, never refused."""
    status = answer.response.status_code
    if status < 400 and unreadable(answer):
        raise SubmitRetryable(
            f"answered a document upload with a body that is not JSON (HTTP {status}): "
            "no application was sent",
            status_code=status,
        )
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
    which means the ATS has it: delivered. A 2xx whose body is not JSON is no refusal:
    a `201` made the applicant (delivered), any other is ambiguous."""
    status, data = answer.response.status_code, answer.data
    if _already_exists(status, data):
        return Receipt()
    if status < 400 and unreadable(answer):
        if status == 201:
            return Receipt()
        raise SubmitAmbiguous(
            f"answered HTTP {status} with a body that is not JSON", status_code=status
        )
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
