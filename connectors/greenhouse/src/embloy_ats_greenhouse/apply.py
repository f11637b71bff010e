"""Applications to Greenhouse: the Job Board API's `POST /v1/boards/{board}/jobs/{id}`
body, what its answer means, and the Harvest v3 records a lookup reads.

The body is JSON (the Job Board API takes JSON or multipart; JSON carries the nested
consent and the arrays of a multi select as Greenhouse documents them). Facts from
Greenhouse's Job Board API docs, "Submit an application" and "Retrieve a job"; see
docs/connectors/greenhouse.md for what each field gets and what is unverified.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from embloy_ats.contract import (
    AnswerValue,
    Application,
    AuthenticationFailed,
    Fetched,
    Job,
    Question,
    QuestionType,
    Receipt,
    SubmitAmbiguous,
    SubmitRejected,
    SubmitRetryable,
    parsing,
    submitting,
)

from embloy_ats_greenhouse.harvest import ref_id
from embloy_ats_greenhouse.job_board import CONSENT_PREFIX

#: demographic questions (read through Harvest) are `demographic_question_<id>`.
DEMOGRAPHIC_PREFIX = "demographic_question_"


def _id(value: str) -> int | str:
    """Greenhouse's option and question ids are integers; one that is not stays text."""
    return int(value) if value.isascii() and value.isdigit() else value


def _value(question: Question, value: AnswerValue) -> Any:
    if isinstance(value, bool):
        option = submitting.yes_no_option(question, value)
        # A yes/no question is a select of No (0) and Yes (1); without options, 1 and 0.
        return _id(option.id) if option is not None else int(value)
    if question.type is QuestionType.SINGLE_CHOICE and isinstance(value, str):
        return _id(value)
    if isinstance(value, tuple):
        return [_id(option_id) for option_id in value]
    return submitting.plain(value)


def body(job: Job, application: Application) -> dict[str, Any]:
    """The JSON body: each answer under its field name (`first_name`, `question_<id>`),
    files as `<field>_content` (base64) and `<field>_content_filename`, consents in
    `data_compliance`, demographic answers in `demographic_answers`."""
    sent: dict[str, Any] = {}
    consent: dict[str, bool] = {}
    demographics: list[dict[str, Any]] = []
    for question in job.questions:
        field = question.id.removesuffix("[]")  # a multi select's form name
        value = application.answers.get(question.id)
        if value is not None:
            if field.startswith(CONSENT_PREFIX):
                consent[field.removeprefix(CONSENT_PREFIX)] = value is True
            elif field.startswith(DEMOGRAPHIC_PREFIX):
                chosen = value if isinstance(value, tuple) else (str(value),)
                demographics.append({
                    "question_id": _id(field.removeprefix(DEMOGRAPHIC_PREFIX)),
                    "answer_options": [{"answer_option_id": _id(o)} for o in chosen],
                })  # fmt: skip
            else:
                sent[field] = _value(question, value)
        for file in application.files.get(question.id, ())[:1]:  # one file per field
            sent[f"{field}_content"] = base64.b64encode(file.data).decode("ascii")
            sent[f"{field}_content_filename"] = file.name
    if consent:
        sent["data_compliance"] = consent
    if demographics:
        sent["demographic_answers"] = demographics
    return sent


def receipt(fetched: Fetched, application: Application) -> Receipt:
    """What the Job Board API's answer means. It has answered errors with HTTP 200 and
    `{"error": ..., "reason": ...}`, and success as `{"success": "Candidate saved
    successfully"}`, which names no id."""
    status = fetched.response.status_code
    data = fetched.data if isinstance(fetched.data, dict) else {}
    error = data.get("error")
    if status >= 400 or error is not None:
        if data.get("status") in (401, 403):
            raise AuthenticationFailed(
                f"answered HTTP {status} with an error saying the Job Board API key was refused",
                hint="Check job_board_api_key: a Job Board API key of this board's account.",
                status_code=status,
            )
        reasons = submitting.reasons(_reasons(data), application)
        if not reasons and status >= 400:
            reasons = submitting.reasons([("application", error)], application)
        if reasons or status >= 400:
            raise SubmitRejected(
                f"refused the application (HTTP {status})", reasons=reasons, status_code=status
            )
        raise SubmitRetryable(
            f"answered HTTP {status} with an error and no reason: the application was not saved",
            status_code=status,
        )
    if data.get("success") in (None, False, ""):
        raise SubmitAmbiguous(
            f"answered HTTP {status} without saying it saved the application", status_code=status
        )
    return Receipt()


def _reasons(data: dict[str, Any]) -> list[tuple[object, object]]:
    """`reason` (the Job Board API), or Harvest's `errors: [{field, message}]` shape."""
    pairs: list[tuple[object, object]] = [("application", data.get("reason"))]
    pairs += [(e.get("field"), e.get("message")) for e in parsing.objects(data.get("errors"))]
    return pairs


# -- the lookup through Harvest v3 ----------------------------------------------------------


def parent_job_id(job: Job) -> str | None:
    """The Greenhouse job the post belongs to, from what the job was read from: the Job
    Board's `internal_job_id`, or the Harvest job post's `job_id`."""
    for answer in job.raw.values():
        for item in answer if isinstance(answer, list) else [answer]:
            if not isinstance(item, Mapping):
                continue
            if "internal_job_id" in item:
                return ref_id(item.get("internal_job_id"))
            if ref_id(item.get("id")) == job.external_id and "job_id" in item:
                return ref_id(item.get("job_id"))
    return None


def application_of(
    applications: list[dict[str, Any]], job: Job, application: Application
) -> Receipt | None:
    """The application on this job post (or its job) made since `application` was
    accepted, among a candidate's applications (`GET /v3/applications`)."""
    parent = parent_job_id(job)
    for item in applications:
        on_post = ref_id(item.get("job_post_id")) == job.external_id
        on_job = parent is not None and ref_id(item.get("job_id")) == parent
        if (on_post or on_job) and submitting.created_since(item.get("created_at"), application):
            return Receipt(
                ats_application_id=ref_id(item.get("id")),
                ats_candidate_id=ref_id(item.get("candidate_id")),
            )
    return None
