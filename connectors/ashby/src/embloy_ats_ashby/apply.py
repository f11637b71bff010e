"""Applications to Ashby: `POST /applicationForm.submit` as multipart, what its answer
means, and the records a lookup reads (`candidate.search`, `application.info`).

The form goes as a JSON part `applicationForm` (`{"fieldSubmissions": [{path, value}]}`)
beside `jobPostingId`; a File field's value is the name of a file part of the same request.
Values by field type as Ashby's `applicationForm.submit` reference gives them; see
docs/connectors/ashby.md for what is unverified.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from embloy_ats.contract import (
    AnswerValue,
    Application,
    FilePart,
    Job,
    PayloadError,
    Question,
    QuestionCategory,
    QuestionType,
    RequestRejected,
    SubmitRejected,
    SubmitRetryable,
    geo,
    parsing,
    submitting,
)

from embloy_ats_ashby import errors

#: Ashby's own fields every application takes; a job read from the public Posting API (no
#: form) carries these, and a form without name or email still gets those two.
STANDARD_QUESTIONS = (
    Question(id="_systemfield_name", label="Name", type=QuestionType.SHORT_TEXT, required=True,
             category=QuestionCategory.STANDARD, source_type="String"),
    Question(id="_systemfield_email", label="Email", type=QuestionType.EMAIL, required=True,
             category=QuestionCategory.STANDARD, source_type="Email"),
    Question(id="_systemfield_resume", label="Resume", type=QuestionType.FILE,
             category=QuestionCategory.STANDARD, source_type="File"),
)  # fmt: skip
REQUIRED_QUESTIONS = STANDARD_QUESTIONS[:2]
#: a candidate's applications a lookup reads, at most (each one `application.info`).
MAX_LOOKED_UP = 20


def _value(question: Question, value: AnswerValue) -> Any:
    kind = question.source_type
    if isinstance(value, tuple):
        return list(value)  # MultiValueSelect: the options' values
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and kind == "RichText":
        return {"type": "PlainText", "value": value}
    if isinstance(value, str) and kind == "Location":
        place = geo.parse_location(value)
        found = {"city": place.city, "region": place.region, "country": place.country_code}
        return {k: v for k, v in found.items() if v} or {"city": value}
    if isinstance(value, Decimal):
        return submitting.whole_number(value)  # Ashby's Number takes an integer
    return submitting.plain(value)


def submission(job: Job, application: Application) -> tuple[dict[str, str], list[FilePart]]:
    """The multipart fields (`jobPostingId`, `applicationForm`) and file parts."""
    submissions: list[dict[str, Any]] = []
    files: list[FilePart] = []
    for question in job.questions:
        value = application.answers.get(question.id)
        if value is not None:
            submissions.append({"path": question.id, "value": _value(question, value)})
        for file in application.files.get(question.id, ())[:1]:  # one file per field
            part = f"file{len(files) + 1}"
            files.append((part, (file.name, file.data, file.content_type)))
            submissions.append({"path": question.id, "value": part})
    form = {"fieldSubmissions": submissions}
    fields = {"jobPostingId": job.external_id, "applicationForm": json.dumps(form)}
    return fields, files


def submitted_form(data: Any, application: Application) -> str:
    """The `submittedFormInstance.id` of a success answer. Ashby answers a refused form with
    HTTP 200 and `success: false` (nothing was recorded), and a form it took but blocked
    (the job's application limits) with `formMessages.blocked`: no application exists."""
    body = parsing.obj(data)
    if body.get("success") is False:
        error = errors.error_for(body)
        if not isinstance(error, RequestRejected | PayloadError):
            raise error  # the key, a permission, a rate limit, the posting gone
        raise SubmitRejected(
            "refused the application (success: false)",
            reasons=submitting.reasons(_reasons(body), application),
        )
    results = parsing.obj(body.get("results"))
    if parsing.flag(parsing.obj(results.get("formMessages")).get("blocked")) is True:
        raise SubmitRejected(
            "blocked the application (the job's application limits)",
            reasons={"application": "blocked by the job's application limits"},
        )
    form_id = parsing.text(parsing.obj(results.get("submittedFormInstance")).get("id"))
    if body.get("success") is not True or form_id is None:
        raise SubmitRetryable(
            "answered without success: true and a submitted form: the application was not recorded"
        )
    return form_id


def _reasons(body: dict[str, Any]) -> list[tuple[object, object]]:
    info = parsing.obj(body.get("errorInfo"))
    pairs: list[tuple[object, object]] = [("application", info.get("message"))]
    listed = body.get("errors")
    for item in listed if isinstance(listed, list) else []:
        entry = parsing.obj(item)
        pairs.append((entry.get("path") or entry.get("field"), entry.get("message") or item))
    return pairs


def application_id(data: Any) -> str | None:
    """`application.info`'s application id, when it answers one."""
    body = parsing.obj(data)
    if body.get("success") is not True:
        return None
    found = parsing.text(parsing.obj(body.get("results")).get("id"))
    return found[:256] if found else None


def candidates(data: Any) -> list[dict[str, Any]]:
    """`candidate.search`'s candidates."""
    body = errors.succeeded(parsing.require_object(data, what="a candidate search"))
    return parsing.objects(body.get("results"))


def posting_job_id(job: Job) -> str | None:
    """The Ashby job the posting belongs to, from the `jobPosting.info` it was read from."""
    for answer in job.raw.values():
        results = parsing.obj(parsing.obj(answer).get("results"))
        if parsing.text(results.get("id")) and parsing.text(results.get("jobId")):
            return parsing.text(results.get("jobId"))
    return None


def is_this_application(data: Any, job: Job, application: Application) -> bool:
    """Whether `application.info`'s answer is an application to this posting (or its job)
    made since `application` was accepted."""
    body = parsing.obj(data)
    found = parsing.obj(body.get("results"))
    if body.get("success") is not True or not found:
        return False
    posting = (parsing.text(found.get("appliedViaJobPostingId")) or "").casefold()
    parent = posting_job_id(job)
    on_job = parent is not None and parsing.text(parsing.obj(found.get("job")).get("id")) == parent
    return (posting == job.external_id.casefold() or on_job) and submitting.created_since(
        found.get("createdAt"), application
    )
