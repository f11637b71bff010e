"""Applications to Workable: the SPI v3 `POST /spi/v3/jobs/{shortcode}/candidates` body,
what its answer means, and the candidates a lookup reads (`GET /spi/v3/candidates`).

The body is JSON, `{"sourced": false, "candidate": {...}}`: without `sourced: false` the
candidate lands in the "Sourced" stage (uploaded by a recruiter), not "Applied", and gets
no confirmation. Standard fields go under their form key (`firstname`, `phone`...), the
resume as `resume: {name, data}` (base64), custom questions in `answers` by
`question_key`, the value's member by the question's type. Facts and their sources in
docs/connectors/workable.md, with what is unverified.
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
    Receipt,
    SubmitAmbiguous,
    SubmitRejected,
    parsing,
    submitting,
)

#: the standard field the resume is sent as (`resume: {name, data}`).
RESUME = "resume"
#: standard fields the create call has no member for (the photo; education and
#: experience, which are groups the apply page asks as text): not sent.
NOT_SENT = frozenset({"avatar", "education", "experience"})
#: Workable's words for a second create of one email on one job.
ALREADY_EXISTS = "already exists"


def _answer(question: Question, value: AnswerValue) -> dict[str, Any]:
    """A custom question's answer: `{question_key, <member by type>}`."""
    kind = question.source_type
    key: dict[str, Any] = {"question_key": question.id}
    if isinstance(value, bool):
        return key | {"checked": value}
    if isinstance(value, tuple):
        return key | {"choices": list(value)}
    if kind == "multiple_choice":  # asked as one choice (single_answer): still a list
        return key | {"choices": [str(value)]}
    if kind == "dropdown":
        return key | {"choice": str(value)}
    if isinstance(value, Decimal):
        return key | {"number": submitting.whole_number(value)}
    if kind == "date":
        return key | {"date": submitting.plain(value)}
    return key | {"body": submitting.plain(value)}


def body(job: Job, application: Application) -> dict[str, Any]:
    """The JSON body of the create call."""
    candidate: dict[str, Any] = {}
    answers: list[dict[str, Any]] = []
    for question in job.questions:
        value = application.answers.get(question.id)
        files = application.files.get(question.id, ())[:1]  # one file per field
        if question.category is QuestionCategory.CUSTOM:
            if value is not None:
                answers.append(_answer(question, value))
            for file in files:
                data = base64.b64encode(file.data).decode("ascii")
                answers.append({"question_key": question.id, "data": data})
            continue
        if question.id in NOT_SENT:
            continue
        if question.id == RESUME:
            for file in files:
                data = base64.b64encode(file.data).decode("ascii")
                candidate["resume"] = {"name": file.name, "data": data}
            continue
        if value is not None:
            candidate[question.id] = submitting.plain(value)
    if answers:
        candidate["answers"] = answers
    return {"sourced": False, "candidate": candidate}


def _email_errors(data: dict[str, Any]) -> list[str]:
    errors = parsing.obj(data.get("validation_errors")).get("email")
    if isinstance(errors, str):
        return [errors]
    return parsing.texts(errors)


def receipt(fetched: Fetched, application: Application) -> Receipt:
    """What the create call's answer means. A 422 whose `validation_errors.email` says the
    candidate already exists is a second create of this email on this job: Workable has
    the application, and it counts as delivered (without an id: Workable names none)."""
    status = fetched.response.status_code
    data = parsing.obj(fetched.data)
    if status == 422:
        if any(ALREADY_EXISTS in error.casefold() for error in _email_errors(data)):
            return Receipt()
        raise SubmitRejected(
            "refused the application (HTTP 422)",
            reasons=submitting.reasons(_reasons(data), application),
            status_code=status,
        )
    candidate = parsing.obj(data.get("candidate"))
    found = parsing.text(candidate.get("id"))
    if data.get("error") is not None or found is None:
        raise SubmitAmbiguous(
            f"answered HTTP {status} without the candidate it created", status_code=status
        )
    return Receipt(ats_application_id=found[:256], ats_candidate_id=found[:256])


def _reasons(data: dict[str, Any]) -> list[tuple[object, object]]:
    """`error`, then each field's messages of `validation_errors: {field: [messages]}`."""
    pairs: list[tuple[object, object]] = [("application", data.get("error"))]
    for field, messages in parsing.obj(data.get("validation_errors")).items():
        listed = [messages] if isinstance(messages, str) else parsing.texts(messages)
        pairs += [(field, message) for message in listed]
    return pairs


def candidate_of(data: Any, job: Job, application: Application) -> Receipt | None:
    """Among `GET /spi/v3/candidates?email=&shortcode=`'s candidates, one on this job
    created since `application` was accepted."""
    for candidate in parsing.objects(parsing.obj(data).get("candidates")):
        shortcode = parsing.text(parsing.obj(candidate.get("job")).get("shortcode"))
        found = parsing.text(candidate.get("id"))
        if (
            found is not None
            and shortcode in (None, job.external_id)
            and submitting.created_since(candidate.get("created_at"), application)
        ):
            return Receipt(ats_application_id=found[:256], ats_candidate_id=found[:256])
    return None
