"""Applications to SmartRecruiters: `POST /postings/{uuid}/candidates` (Application API).

JSON, files inline as base64 (at most 2 MB each), screening answers as records of string
arrays. Facts from SmartRecruiters' Application API docs as NOTES-apply.md sums them up;
the exact names of the file objects' members and the shape of the success answer come from
no recorded exchange and are marked unverified in docs/connectors/smartrecruiters.md.
"""

from __future__ import annotations

import base64
from decimal import Decimal
from typing import Any

from embloy_ats.contract import (
    AnswerValue,
    Application,
    Fetched,
    Job,
    Question,
    QuestionCategory,
    QuestionType,
    Receipt,
    SubmitAmbiguous,
    SubmitRejected,
    UploadedFile,
    parsing,
    submitting,
)

from embloy_ats_smartrecruiters.configuration import CONSENT, SEPARATOR

#: the Application API's limit on each attached file.
MAX_FILE_BYTES = 2 * 1024 * 1024
#: the Application API's limit on a text answer, in bytes (UTF-8).
MAX_TEXT_BYTES = 4000
#: resumes and attachments it takes.
FILE_TYPES = (".pdf", ".doc", ".docx", ".rtf", ".jpg", ".jpeg", ".png")
RESUME = "resume"
ATTACHMENT = "attachments"

STANDARD_QUESTIONS = (
    Question(id="firstName", label="First name", type=QuestionType.SHORT_TEXT, required=True,
             category=QuestionCategory.STANDARD),
    Question(id="lastName", label="Last name", type=QuestionType.SHORT_TEXT, required=True,
             category=QuestionCategory.STANDARD),
    Question(id="email", label="Email", type=QuestionType.EMAIL, required=True,
             category=QuestionCategory.STANDARD),
    Question(id="phoneNumber", label="Phone", type=QuestionType.PHONE,
             category=QuestionCategory.STANDARD),
    Question(id=RESUME, label="Resume", type=QuestionType.FILE, accepted_file_types=FILE_TYPES,
             category=QuestionCategory.STANDARD),
    Question(id=ATTACHMENT, label="Other document (e.g. a cover letter)",
             type=QuestionType.FILE, accepted_file_types=FILE_TYPES,
             category=QuestionCategory.STANDARD),
    Question(id="messageToHiringManager", label="Message to the hiring manager",
             type=QuestionType.LONG_TEXT, category=QuestionCategory.STANDARD),
)  # fmt: skip
_PERSONAL = ("firstName", "lastName", "email", "phoneNumber", "messageToHiringManager")


def _file(file: UploadedFile) -> dict[str, str]:
    return {
        "fileName": file.name,
        "mimeType": file.content_type,
        "fileContent": base64.b64encode(file.data).decode("ascii"),
    }


def values(question: Question, value: AnswerValue) -> list[str]:
    """A screening answer as SmartRecruiters takes it: an array of strings. Choices by
    their option ids, a checkbox as `true`/`false`, dates ISO 8601, numbers as written."""
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Decimal):
        return [format(value, "f")]
    plain = submitting.plain(value)
    return plain if isinstance(plain, list) else [plain]


def _too_long(question: Question, value: AnswerValue) -> bool:
    return isinstance(value, str) and len(value.encode()) > MAX_TEXT_BYTES


def body(job: Job, application: Application) -> dict[str, Any]:
    """The JSON of `POST /postings/{uuid}/candidates`. A file over 2 MB or a text answer
    over 4000 bytes is refused here, before anything is sent (the apply page refuses such
    files already)."""
    sent: dict[str, Any] = {}
    records: dict[str, dict[str, list[str]]] = {}
    problems: dict[str, str] = {}
    for question in job.questions:
        value = application.answers.get(question.id)
        files = application.files.get(question.id, ())
        for file in files:
            if file.size > MAX_FILE_BYTES:
                problems[question.id] = "SmartRecruiters takes files of at most 2 MB"
        if value is not None and _too_long(question, value):
            problems[question.id] = "SmartRecruiters takes answers of at most 4000 bytes"
        if question.id == RESUME and files:
            sent["resume"] = _file(files[0])
        elif question.id == ATTACHMENT and files:
            sent["attachments"] = [_file(file) for file in files]
        elif value is None:
            continue
        elif question.id in _PERSONAL:
            sent[question.id] = submitting.plain(value)
        elif question.id == CONSENT:
            sent["consentDecisions"] = {"SINGLE": value is True}
        elif SEPARATOR in question.id:
            question_id, _, field_id = question.id.partition(SEPARATOR)
            records.setdefault(question_id, {})[field_id] = values(question, value)
    if problems:
        raise SubmitRejected(
            "cannot send this application to SmartRecruiters as it is",
            reasons=dict(list(problems.items())[: submitting.MAX_REASONS]),
        )
    if records:
        sent["answers"] = [
            {"id": question_id, "records": [{"fields": fields}]}
            for question_id, fields in records.items()
        ]
    return sent


def _reasons(data: dict[str, Any], application: Application) -> dict[str, str]:
    """An error answer's texts: `message`, and each of `errors[]` by its `code`/`field`."""
    pairs: list[tuple[object, object]] = [("application", data.get("message"))]
    for item in parsing.objects(data.get("errors")):
        key = parsing.text(item.get("field")) or parsing.text(item.get("code")) or "application"
        pairs.append((key, item.get("message")))
    return submitting.reasons(pairs, application)


def receipt(fetched: Fetched, application: Application) -> Receipt:
    """A success answers the new candidate's `id` (what the status endpoint,
    `GET /postings/{uuid}/candidates/{id}/status`, takes). A 2xx naming the candidate is a
    receipt whatever else it carries: the confirmation's shape is unverified and may well
    hold a `message` ("Application submitted successfully"); the candidate exists, and
    failing it as refused would tell the candidate a final untruth. Only a 2xx without the
    id is read for an error (`message`, `errors[]`): a refusal with its reasons, or an
    answer that says nothing (ambiguous)."""
    status = fetched.response.status_code
    data = fetched.data if isinstance(fetched.data, dict) else {}
    if status >= 400:
        raise SubmitRejected(
            f"refused the application (HTTP {status})",
            reasons=_reasons(data, application),
            status_code=status,
        )
    candidate = parsing.text(data.get("id"))
    if candidate is not None:
        return Receipt(ats_application_id=candidate[:256], ats_candidate_id=candidate[:256])
    reasons = _reasons(data, application)
    if reasons:
        raise SubmitRejected(
            f"answered HTTP {status} with an error instead of the candidate",
            reasons=reasons,
            status_code=status,
        )
    raise SubmitAmbiguous(f"answered HTTP {status} without the candidate's id", status_code=status)
