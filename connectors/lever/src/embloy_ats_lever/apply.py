"""Applications to Lever, two ways: the Lever API's `POST /v1/postings/{id}/apply` (JSON,
files uploaded first to `POST /v1/uploads`), or the Postings API's
`POST /v0/postings/{site}/{id}?key=` (form fields, the resume as a multipart part).

Question ids are the ones `apply_form` gives (a personal field by its `name`, a link as
`urls.<name>`, an EEO question as `eeo.<key>`, a custom field as `<card id>.<field id>`),
and a job read through the Postings API carries the standard ones under the same ids, so
either way can send any Lever job's answers. Facts from Lever's Postings API README ("Apply
to a job posting") and, for the Lever API, from public clients of "Apply to a posting" (see
docs/connectors/lever.md for what is unverified).
"""

from __future__ import annotations

from collections.abc import Mapping
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
    SubmitRetryable,
    parsing,
    submitting,
)

#: what every Lever application takes, under the Lever API form's names; a job read
#: through the Postings API (which publishes no form) carries these.
STANDARD_QUESTIONS = (
    Question(id="fullName", label="Full name", type=QuestionType.SHORT_TEXT, required=True,
             category=QuestionCategory.STANDARD),
    Question(id="email", label="Email", type=QuestionType.EMAIL, required=True,
             category=QuestionCategory.STANDARD),
    Question(id="phone", label="Phone", type=QuestionType.PHONE,
             category=QuestionCategory.STANDARD),
    Question(id="currentCompany", label="Current company", type=QuestionType.SHORT_TEXT,
             category=QuestionCategory.STANDARD),
    Question(id="resume", label="Resume", type=QuestionType.FILE,
             category=QuestionCategory.STANDARD),
    Question(id="urls.LinkedIn", label="LinkedIn", type=QuestionType.LINK,
             category=QuestionCategory.STANDARD),
    Question(id="urls.Other", label="Other website", type=QuestionType.LINK,
             category=QuestionCategory.STANDARD),
    Question(id="additionalInformation", label="Additional information",
             type=QuestionType.LONG_TEXT, category=QuestionCategory.STANDARD),
)  # fmt: skip
#: the two Lever needs on every application (a form without them still gets them).
REQUIRED_QUESTIONS = STANDARD_QUESTIONS[:2]
URLS = "urls."
#: the Lever API form's personal fields -> the Postings API's form fields.
_POSTINGS_FIELDS = {
    "fullName": "name",
    "email": "email",
    "phone": "phone",
    "currentCompany": "org",
    "additionalInformation": "comments",
}


def _is_card_field(question: Question) -> bool:
    return question.category is QuestionCategory.CUSTOM and "." in question.id


# -- the Postings API (v0) ----------------------------------------------------------------


def postings_form(job: Job, application: Application) -> tuple[dict[str, str], list[FilePart]]:
    """The form fields and the resume part of a Postings API application. It takes the
    standard fields only: answers to anything else are refused here, not dropped."""
    form: dict[str, str] = {}
    files: list[FilePart] = []
    unsendable: list[str] = []
    for question in job.questions:
        value = application.answers.get(question.id)
        sent = application.files.get(question.id, ())
        if question.id == "resume":
            files += [("resume", (f.name, f.data, f.content_type)) for f in sent[:1]]
        elif value is not None and question.id in _POSTINGS_FIELDS:
            form[_POSTINGS_FIELDS[question.id]] = str(submitting.plain(value))
        elif value is not None and question.id.startswith(URLS):
            form[f"urls[{question.id.removeprefix(URLS)}]"] = str(submitting.plain(value))
        elif value is not None or sent:
            unsendable.append(question.id)
    if unsendable:
        raise SubmitRejected(
            "cannot send answers to these questions through the Postings API, which takes the "
            "standard fields only; give the Lever API credentials to send them",
            reasons={question_id: "not sendable through the Postings API"
                     for question_id in unsendable[: submitting.MAX_REASONS]},
        )  # fmt: skip
    return form, files


def postings_receipt(fetched: Fetched, application: Application) -> Receipt:
    """`{ok: true, applicationId}`; `{ok: false, error}` with the HTTP status otherwise."""
    status = fetched.response.status_code
    data = fetched.data if isinstance(fetched.data, dict) else {}
    if data.get("ok") is True and status < 400:
        ats_id = parsing.text(data.get("applicationId"))
        if ats_id is None:
            raise SubmitAmbiguous("answered ok without an applicationId", status_code=status)
        return Receipt(ats_application_id=ats_id[:256])
    reasons = submitting.reasons([("application", data.get("error"))], application)
    if reasons:
        raise SubmitRejected(
            f"refused the application (HTTP {status})", reasons=reasons, status_code=status
        )
    if status >= 400:
        raise SubmitRejected(f"refused the application (HTTP {status})", status_code=status)
    if data.get("ok") is False:
        raise SubmitRetryable(
            f"answered HTTP {status} with ok: false and no error: the application was not saved",
            status_code=status,
        )
    raise SubmitAmbiguous(
        f"answered HTTP {status} without saying it saved the application", status_code=status
    )


# -- the Lever API (v1) -----------------------------------------------------------------------


def _choice(question: Question, value: AnswerValue) -> Any:
    """Lever takes an option's text, and a yes/no question's text where it has options."""
    if isinstance(value, bool):
        option = submitting.yes_no_option(question, value)
        return option.label if option is not None else submitting.plain(value)
    if isinstance(value, tuple):
        return submitting.option_labels(question, value)
    if question.type is QuestionType.SINGLE_CHOICE and isinstance(value, str):
        return submitting.option_labels(question, (value,))[0]
    return submitting.plain(value)


def api_body(job: Job, application: Application, uploads: Mapping[str, str]) -> dict[str, Any]:
    """The Lever API's body, mirroring its form: `personalInformation` and `urls` as
    `[{name, value}]`, each custom card as `{id, fields: [{value}, ...]}` with a value per
    field in the card's order (null where unanswered), `eeoResponses` by key. `uploads`
    holds the uri of each file question's upload."""
    personal: list[dict[str, Any]] = []
    urls: list[dict[str, Any]] = []
    eeo: dict[str, Any] = {}
    cards: dict[str, list[dict[str, Any]]] = {}
    for question in job.questions:
        answer = application.answers.get(question.id)
        value = uploads.get(question.id) if answer is None else _choice(question, answer)
        if _is_card_field(question):
            card = question.id.partition(".")[0]
            cards.setdefault(card, []).append({"value": value})
        elif value is None:
            continue
        elif question.category is QuestionCategory.EEO:
            eeo[question.id.removeprefix("eeo.")] = value
        elif question.id.startswith(URLS):
            urls.append({"name": question.id.removeprefix(URLS), "value": value})
        else:
            personal.append({"name": question.id, "value": value})
    body: dict[str, Any] = {"personalInformation": personal}
    if urls:
        body["urls"] = urls
    answered = [
        {"id": card, "fields": fields}
        for card, fields in cards.items()
        if any(field["value"] is not None for field in fields)
    ]
    if answered:
        body["customQuestions"] = answered
    if eeo:
        body["eeoResponses"] = eeo
    return body


def upload_uri(fetched: Fetched) -> str:
    """`POST /v1/uploads` answers `{"data": {"uri": ...}}`."""
    uri = parsing.text(parsing.obj(parsing.obj(fetched.data).get("data")).get("uri"))
    if uri is None:
        raise SubmitRetryable(
            "answered an upload without its uri; the application was not sent",
            status_code=fetched.response.status_code,
        )
    return uri


def api_receipt(fetched: Fetched, application: Application) -> Receipt:
    """`{"data": {"applicationId": ...}}` (HTTP 201 when recorded); an error answers
    `{"code", "message"}` with a 4xx."""
    status = fetched.response.status_code
    data = fetched.data if isinstance(fetched.data, dict) else {}
    if status >= 400:
        raise SubmitRejected(
            f"refused the application (HTTP {status})",
            reasons=submitting.reasons(
                [("application", data.get("message") or data.get("error"))], application
            ),
            status_code=status,
        )
    ats_id = parsing.text(parsing.obj(data.get("data")).get("applicationId"))
    if ats_id is None:
        raise SubmitAmbiguous(
            f"answered HTTP {status} without the application's id", status_code=status
        )
    return Receipt(ats_application_id=ats_id[:256])


def opportunity_of(opportunities: list[dict[str, Any]], application: Application) -> Receipt | None:
    """The opportunity (`GET /v1/opportunities?email=&posting_id=`) made since the
    application was accepted: Lever's record of this candidate applying to this posting."""
    for item in opportunities:
        if submitting.created_since(item.get("createdAt"), application):
            applications = parsing.texts(item.get("applications"))
            return Receipt(
                ats_application_id=applications[0][:256] if applications else None,
                ats_candidate_id=(parsing.text(item.get("id")) or "")[:256] or None,
            )
    return None
