"""Applications to Recruitee: the careers-site API's `POST /api/offers/{offer}/candidates`
body and what its answer means.

The candidate goes as `{"candidate": {...}}`: `name`, `email`, `phone`, `cover_letter`,
the CV and photo, and `open_question_answers_attributes` with one
`{open_question_id, <value>}` per answered question, the value's key by the question's
kind (Recruitee's "Apply for the job offer" reference). With files the body is
`multipart/form-data`, the same keys written as form fields (`candidate[name]`,
`candidate[open_question_answers_attributes][0][content]`...), files as parts; without, it
is JSON. See docs/connectors/recruitee.md for what is unverified.
"""

from __future__ import annotations

from typing import Any

from embloy_ats.contract import (
    AnswerValue,
    Application,
    Fetched,
    FilePart,
    Job,
    Question,
    QuestionCategory,
    QuestionType,
    Receipt,
    SubmitAmbiguous,
    SubmitRejected,
    parsing,
    submitting,
)

#: the fields Recruitee always asks (its reference: name and email cannot be made
#: optional), which no offer lists among its `options_*`.
STANDARD_QUESTIONS = (
    Question(id="name", label="Full name", type=QuestionType.SHORT_TEXT, required=True,
             category=QuestionCategory.STANDARD, source_type="name"),
    Question(id="email", label="Email", type=QuestionType.EMAIL, required=True,
             category=QuestionCategory.STANDARD, source_type="email"),
)  # fmt: skip
#: standard text fields, sent as `candidate[<id>]`.
_TEXT_FIELDS = frozenset({"name", "email", "phone", "cover_letter"})
#: standard file fields, sent as the part `candidate[<id>]`.
_FILE_FIELDS = frozenset({"cv", "photo"})
#: open question kinds answered with `flag` (a consent is a `legal` question).
_FLAGGED = frozenset({"boolean", "legal"})

#: what a body holds before it is written as JSON or as form fields: a file stands where
#: its part goes.
Body = dict[str, Any]


class _File:
    """A file inside a body: its part's content."""

    def __init__(self, name: str, data: bytes, content_type: str) -> None:
        self.part = (name, data, content_type)


def _answer(question: Question, value: AnswerValue) -> dict[str, Any]:
    key: dict[str, Any] = {"open_question_id": _id(question.id)}
    if isinstance(value, bool) or question.source_type in _FLAGGED:
        return key | {"flag": value is True}
    if isinstance(value, tuple):  # multi_choice: the options' texts
        return key | {"multi_content": submitting.option_labels(question, value)}
    if question.type is QuestionType.SINGLE_CHOICE:  # the option's text
        return key | {"content": submitting.option_labels(question, (str(value),))[0]}
    return key | {"content": submitting.plain(value)}


def _id(value: str) -> int | str:
    """Recruitee's question ids are integers; one that is not stays text."""
    return int(value) if value.isascii() and value.isdigit() else value


def candidate(job: Job, application: Application) -> Body:
    """The candidate, files in place (`_File`), in Recruitee's JSON shape."""
    sent: Body = {}
    answers: list[dict[str, Any]] = []
    for question in job.questions:
        value = application.answers.get(question.id)
        files = application.files.get(question.id, ())[:1]  # one file per field
        if question.category is QuestionCategory.CUSTOM:
            if value is not None:
                answers.append(_answer(question, value))
            for file in files:
                answers.append(
                    {"open_question_id": _id(question.id),
                     "file": _File(file.name, file.data, file.content_type)}
                )  # fmt: skip
        elif question.id in _FILE_FIELDS:
            for file in files:
                sent[question.id] = _File(file.name, file.data, file.content_type)
        elif question.id in _TEXT_FIELDS and value is not None:
            sent[question.id] = submitting.plain(value)
    if answers:
        sent["open_question_answers_attributes"] = answers
    return {"candidate": sent}


def has_files(body: Body) -> bool:
    return any(isinstance(leaf, _File) for _, leaf in _leaves(body, ""))


def form(body: Body) -> tuple[dict[str, str | list[str]], list[FilePart]]:
    """The body as multipart fields and file parts, keys written the way form posts nest
    them: `candidate[open_question_answers_attributes][0][multi_content][]`."""
    fields: dict[str, str | list[str]] = {}
    files: list[FilePart] = []
    for key, leaf in _leaves(body, ""):
        if isinstance(leaf, _File):
            files.append((key, leaf.part))
        elif isinstance(leaf, list):
            fields[f"{key}[]"] = [str(item) for item in leaf]
        elif isinstance(leaf, bool):
            fields[key] = "true" if leaf else "false"
        else:
            fields[key] = str(leaf)
    return fields, files


def _leaves(value: Any, prefix: str) -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        found: list[tuple[str, Any]] = []
        for key, item in value.items():
            found += _leaves(item, f"{prefix}[{key}]" if prefix else str(key))
        return found
    if isinstance(value, list) and any(isinstance(item, dict) for item in value):
        return [pair for i, item in enumerate(value) for pair in _leaves(item, f"{prefix}[{i}]")]
    return [(prefix, value)]


def receipt(fetched: Fetched, application: Application) -> Receipt:
    """What the answer means: `{"candidate": {"id": ...}}` (the id nested under
    `candidate`) is a receipt; a 422, or a 2xx listing `errors`, a refusal with Recruitee's
    reasons; a 2xx without a candidate, not a receipt."""
    status = fetched.response.status_code
    data = parsing.obj(fetched.data)
    reasons = submitting.reasons(_reasons(data), application)
    if status == 422 or (status < 300 and data.get("errors")):
        raise SubmitRejected(
            f"refused the application (HTTP {status})", reasons=reasons, status_code=status
        )
    found = parsing.text(parsing.obj(data.get("candidate")).get("id"))
    if found is None:
        raise SubmitAmbiguous(
            f"answered HTTP {status} without the candidate it created", status_code=status
        )
    return Receipt(ats_application_id=found[:256], ats_candidate_id=found[:256])


def _reasons(data: dict[str, Any]) -> list[tuple[object, object]]:
    """`error` as text, and `errors` as `{field: [messages]}` or a list of messages."""
    pairs: list[tuple[object, object]] = [("application", data.get("error"))]
    errors = data.get("errors")
    if isinstance(errors, dict):
        for field, messages in errors.items():
            listed = [messages] if isinstance(messages, str) else parsing.texts(messages)
            pairs += [(field, message) for message in listed]
    elif isinstance(errors, list):
        pairs += [("application", message) for message in errors]
    return pairs
