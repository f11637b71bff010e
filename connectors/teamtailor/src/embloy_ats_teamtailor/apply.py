"""Applications to Teamtailor (API v1, JSON:API), in three kinds of call:

1. `POST /v1/candidates` with `merge: true` (a candidate is unique by email; merge folds
   this one into an existing candidate instead of failing);
2. `POST /v1/job-applications` relating the candidate to the job (`cover-letter`);
3. one `POST /v1/answers` per answered question of the job (relating candidate and
   question), the value under the attribute of the question's type.

The connector records the ATS's id of each thing made in the application's
`DeliveryProgress` as soon as it is made, so a later attempt resumes from that step. What
each answer looks like and what the lookup reads is here; the requests are the connector's.
Values by question type as Teamtailor's docs give them (Answers: `text`, `boolean`, `range`
(integer), `choices` (array of choice ids)); see docs/connectors/teamtailor.md for what is
unverified.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from embloy_ats.contract import (
    MAX_PROGRESS_STEPS,
    AnswerValue,
    Application,
    Job,
    Question,
    QuestionCategory,
    QuestionType,
    SubmitAmbiguous,
    SubmitRejected,
    jsonapi,
    parsing,
    submitting,
)

#: The fields every Teamtailor candidate is made from: a job whose form switches the name
#: off, or a job read without its form, still asks for them (the email is what makes a
#: candidate unique, and what the lookup searches by).
STANDARD_QUESTIONS = (
    Question(id="name", label="Name", type=QuestionType.SHORT_TEXT, required=True,
             category=QuestionCategory.STANDARD, source_type="name-requirement"),
    Question(id="email", label="Email", type=QuestionType.EMAIL, required=True,
             category=QuestionCategory.STANDARD, source_type="email"),
)  # fmt: skip
#: the keys of `DeliveryProgress`: the candidate, the job application, each answer.
CANDIDATE = "candidate"
JOB_APPLICATION = "job-application"
ANSWER = "answer."
#: the key of an answer whose question id is too long or not printable to be kept in a key
#: (Teamtailor chooses its question ids): a digest of the id, stable across attempts.
ANSWER_DIGEST = "answer#"
#: the longest key and id a progress keeps (`DeliveryProgress`).
_MAX_KEY = 100
_MAX_ID = 256
#: the job applications of one candidate a lookup reads (one page, newest first).
MAX_LOOKED_UP = 30
_STANDARD_IDS = {"name", "email", "phone", "resume", "cover_letter", "additional_files"}


def _document(kind: str, attributes: dict[str, Any], **related: tuple[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {"type": kind, "attributes": attributes}
    if related:
        data["relationships"] = {
            name: {"data": {"type": of, "id": ident}} for name, (of, ident) in related.items()
        }
    return {"data": data}


def _split_name(name: str) -> tuple[str, str | None]:
    """Teamtailor keeps first and last name apart; the apply page asks one name. The last
    word is the last name."""
    words = name.split()
    if len(words) < 2:
        return name.strip(), None
    return " ".join(words[:-1]), words[-1]


def email_of(job: Job, application: Application) -> str | None:
    found = application.answer_of_type(job, QuestionType.EMAIL)
    return found if isinstance(found, str) else None


def candidate(job: Job, application: Application) -> dict[str, Any]:
    """`POST /v1/candidates`: who applies. `sourced: false` (they applied themselves),
    `merge: true` (a candidate with this email already there takes these attributes)."""
    attributes: dict[str, Any] = {"email": email_of(job, application), "merge": True,
                                  "sourced": False}  # fmt: skip
    name = application.answer("name")
    if isinstance(name, str) and name.strip():
        first, last = _split_name(name)
        attributes["first-name"] = first
        if last is not None:
            attributes["last-name"] = last
    phone = application.answer_of_type(job, QuestionType.PHONE)
    if isinstance(phone, str):
        attributes["phone"] = phone
    return _document("candidates", attributes)


def job_application(job: Job, application: Application, candidate_id: str) -> dict[str, Any]:
    """`POST /v1/job-applications`: the candidate applies to the job."""
    attributes: dict[str, Any] = {"sourced": False}
    letter = application.answer("cover_letter")
    if isinstance(letter, str):
        attributes["cover-letter"] = letter
    return _document(
        "job-applications", attributes,
        candidate=("candidates", candidate_id), job=("jobs", job.external_id),
    )  # fmt: skip


def _choice_id(option_id: str) -> int | str:
    """Teamtailor's choice ids are numbers (its docs send `[3, 4]`); a job whose
    alternatives came without ids has the label as the id, sent as it is."""
    return int(option_id) if option_id.isascii() and option_id.isdigit() else option_id


def answer_value(question: Question, value: AnswerValue) -> dict[str, Any]:
    """The answer's attributes, by the question's Teamtailor type."""
    kind = (question.source_type or "").casefold()
    if isinstance(value, tuple):
        return {"choices": [_choice_id(option) for option in value]}
    if question.type is QuestionType.SINGLE_CHOICE and isinstance(value, str):
        return {"choices": [_choice_id(value)]}
    if isinstance(value, bool):
        return {"boolean": value}
    if kind == "range" and isinstance(value, Decimal):
        return {"range": submitting.whole_number(value)}
    # Text; Date and Number are not among the documented answer attributes: as text.
    found = submitting.plain(value)
    return {"text": found if isinstance(found, str) else ", ".join(found)}


def answers(job: Job, application: Application) -> Iterator[tuple[Question, dict[str, Any]]]:
    """Each answered question of the job's own (its picked questions), with the attributes
    of its answer. The standard fields went with the candidate and the job application."""
    for question in job.questions:
        if question.id in _STANDARD_IDS or question.category is QuestionCategory.STANDARD:
            continue
        value = application.answers.get(question.id)
        if value is not None:
            yield question, answer_value(question, value)


def check_steps(job: Job, application: Application) -> None:
    """Refuse, before anything is made, an application with more answers than its progress
    can record (one step each, after the candidate and the job application): the answer
    past the last step would be made and not recorded, and so made again."""
    steps = 2 + sum(1 for _ in answers(job, application))
    if steps > MAX_PROGRESS_STEPS:
        raise SubmitRejected(
            f"cannot send {steps - 2} answers to Teamtailor: at most "
            f"{MAX_PROGRESS_STEPS - 2} can be delivered exactly once",
            reasons={"answers": f"at most {MAX_PROGRESS_STEPS - 2} answers"},
        )


def answer(candidate_id: str, question: Question, attributes: dict[str, Any]) -> dict[str, Any]:
    """`POST /v1/answers`: one answer of the candidate to one question."""
    return _document(
        "answers", attributes,
        candidate=("candidates", candidate_id), question=("questions", question.id),
    )  # fmt: skip


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def keepable(ident: str) -> bool:
    """Whether an ATS id fits a progress value and a receipt: 1-256 printable characters."""
    return 0 < len(ident) <= _MAX_ID and ident.isprintable()


def answer_key(question: Question) -> str:
    """The progress key of the answer to `question`: the question id where it fits a key,
    else a digest of it (the same for every attempt, so a made answer is never made again)."""
    key = ANSWER + question.id
    if len(key) <= _MAX_KEY and key.isprintable():
        return key
    return ANSWER_DIGEST + _digest(question.id)


def created(data: Any, kind: str, application: Application) -> str:
    """The id of what a create call made. JSON:API answers errors and data never together:
    a 2xx with `errors` refused the call (nothing was made); a 2xx without a resource of
    `kind` with an id may or may not have made one.

    An id that cannot be kept (over 256 characters, or not printable) names a thing that was
    made all the same, so it must never be taken for an unknown outcome (that would send it
    again). An answer's id only marks its step as done: a digest of it stands in. A
    candidate's or a job application's id is what the receipt and the next calls carry:
    the delivery ends there, as refused, without sending anything more."""
    body = parsing.obj(data)
    if "errors" in body:
        raise rejected(data, application, what=kind)
    resource = parsing.obj(body.get("data"))
    ident = parsing.text(resource.get("id"))
    if parsing.text(resource.get("type")) != kind or ident is None:
        raise SubmitAmbiguous(f"answered a 2xx without the created {kind}")
    if keepable(ident):
        return ident
    if kind == "answers":
        return "sha256:" + _digest(ident)
    raise SubmitRejected(
        f"made the {kind} but answered an id that cannot be kept (over {_MAX_ID} characters "
        "or not printable); nothing more was sent: check Teamtailor for it",
        reasons={kind: "Teamtailor answered an unusable id"},
    )


def rejected(data: Any, application: Application, *, what: str) -> SubmitRejected:
    """The JSON:API `errors` of a refused call, as per-field reasons (personal data masked)."""
    pairs: list[tuple[object, object]] = []
    for error in parsing.objects(parsing.obj(data).get("errors")):
        pointer = parsing.text(parsing.obj(error.get("source")).get("pointer")) or what
        field = pointer.rsplit("/", 1)[-1]
        pairs.append((field, error.get("detail") or error.get("title")))
    reasons = submitting.reasons(pairs, application) or {what: "refused without a reason"}
    return SubmitRejected(f"refused the {what}", reasons=reasons)


def candidate_ids(data: Any, email: str) -> list[str]:
    """The candidates of a search whose email is `email` (the filter is not trusted: each
    candidate's email is compared)."""
    wanted = email.strip().casefold()
    found = []
    for resource in parsing.objects(parsing.obj(data).get("data")):
        address = parsing.text(jsonapi.attributes(resource).get("email"))
        ident = parsing.text(resource.get("id"))
        if ident and address and address.strip().casefold() == wanted and keepable(ident):
            found.append(ident)
    return found


def job_application_of(data: Any, job: Job, application: Application) -> str | None:
    """Among a candidate's job applications, the one to this job made since `application`
    was accepted (an earlier application to the job is not this one). One whose job cannot
    be read is not taken for it."""
    for resource in parsing.objects(parsing.obj(data).get("data"))[:MAX_LOOKED_UP]:
        if parsing.text(resource.get("type")) not in (None, "job-applications"):
            continue
        jobs = jsonapi.linkage(resource, "job") or []
        ident = parsing.text(resource.get("id"))
        if (
            ident is not None
            and keepable(ident)
            and any(key[1] == job.external_id for key in jobs)
            and submitting.created_since(
                jsonapi.attributes(resource).get("created-at"), application
            )
        ):
            return ident
    return None
