"""The pieces the submitting connectors share, and their encoders' corner cases, without a
server: standard questions, the ATS's reasons, the lookup's time bound, what each ATS gets
for an answer the pipeline tests do not send."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from embloy_ats import (
    AuthenticationFailed,
    JobNotFound,
    RateLimited,
)
from embloy_ats.applications import (
    Application,
    SubmitAmbiguous,
    SubmitRejected,
    UploadedFile,
)
from embloy_ats.connector import Fetched
from embloy_ats.contract import submitting
from embloy_ats.http import Response
from embloy_ats.model import Job, Question, QuestionCategory, QuestionOption, QuestionType
from embloy_ats.submission.privacy import MASK
from embloy_ats_ashby import apply as ashby
from embloy_ats_greenhouse import apply as greenhouse
from embloy_ats_lever import apply as lever

ACCEPTED = datetime(2026, 11, 28, 12, 0, tzinfo=UTC).timestamp()


def job(*questions: Question) -> Job:
    return Job(connector="x", external_id="1", title="T", questions=questions,
               fetched_at=datetime(2026, 11, 28, tzinfo=UTC))  # fmt: skip


def application(answers: dict[str, Any], files: dict[str, Any] | None = None) -> Application:
    return Application("a1", "t1", "x", "1", answers, files or {}, ACCEPTED)


def answered(status: int, body: Any) -> Fetched:
    raw = json.dumps(body).encode()
    return Fetched("/", body, Response(status, {}, raw, "/"))


def q(ident: str, kind: QuestionType, *options: str, **extra: Any) -> Question:
    options_ = tuple(QuestionOption(id=o, label=o) for o in options)
    return Question(id=ident, label=ident, type=kind, options=options_, **extra)


# -- shared helpers -----------------------------------------------------------------------------


def test_standard_questions_come_first_and_the_jobs_own_version_wins() -> None:
    standard = (q("name", QuestionType.SHORT_TEXT, required=True), q("email", QuestionType.EMAIL))
    own_email = q("email", QuestionType.EMAIL, required=True, description="work email")
    found = submitting.with_standard_questions((q("why", QuestionType.LONG_TEXT), own_email),
                                               standard)  # fmt: skip
    assert [x.id for x in found] == ["name", "email", "why"]
    assert found[1] is own_email


def test_reasons_are_bounded_and_masked() -> None:
    app = application({"name": "Jane Sentinelname Doe"})
    pairs: list[tuple[object, object]] = [
        (None, "jane@example.org is taken"),
        ("name", "Jane Sentinelname Doe is not allowed"),
        ("phone", "+49 30 1234 5678 is not a mobile number"),
        ("long", "x" * 1000),
        ("none", None),
        *((f"f{i}", "bad") for i in range(40)),
    ]
    reasons = submitting.reasons(pairs, app)
    assert len(reasons) == submitting.MAX_REASONS
    assert reasons["application"] == f"{MASK} is taken"
    assert reasons["name"] == f"{MASK} is not allowed"
    assert reasons["phone"] == f"{MASK} is not a mobile number"
    assert len(reasons["long"]) == 300
    assert "none" not in reasons


@pytest.mark.parametrize(
    ("created", "counts"),
    [
        ("2026-11-28T12:05:00Z", True),
        ("2026-11-28T11:50:00Z", True),  # within the margin for clocks apart
        ("2026-11-28T11:40:00Z", False),
        ("2026-10-01T00:00:00Z", False),  # the candidate's earlier application
        (int(ACCEPTED * 1000) + 1, True),  # epoch milliseconds
        (int(ACCEPTED) - 3600, False),  # epoch seconds
        (None, True),  # unreadable: a duplicate is worse
        ("yesterday", True),
    ],
)
def test_a_record_counts_only_if_it_was_made_after_the_application_was_accepted(
    created: object, counts: bool
) -> None:
    assert submitting.created_since(created, application({})) is counts


# -- Greenhouse ---------------------------------------------------------------------------------


def test_greenhouse_encodes_yes_no_without_options_consent_and_demographics() -> None:
    questions = job(
        q("question_1", QuestionType.YES_NO),
        q("data_compliance.gdpr_consent_given", QuestionType.YES_NO),
        q("demographic_question_300", QuestionType.SINGLE_CHOICE, "4001", "4002"),
        q("demographic_question_301", QuestionType.MULTIPLE_CHOICE, "4004", "4005"),
        q("resume", QuestionType.FILE),
    )
    files = [UploadedFile("a.pdf", "application/pdf", b"%PDF-1"),
             UploadedFile("b.pdf", "application/pdf", b"%PDF-2")]  # fmt: skip
    body = greenhouse.body(questions, application(
        {"question_1": False, "data_compliance.gdpr_consent_given": False,
         "demographic_question_300": "4002", "demographic_question_301": ("4004", "4005")},
        {"resume": tuple(files)},
    ))  # fmt: skip
    assert body == {
        "question_1": 0,
        "data_compliance": {"gdpr_consent_given": False},
        "demographic_answers": [
            {"question_id": 300, "answer_options": [{"answer_option_id": 4002}]},
            {"question_id": 301, "answer_options": [{"answer_option_id": 4004},
                                                     {"answer_option_id": 4005}]},
        ],
        "resume_content": "JVBERi0x",  # the first file: one per field
        "resume_content_filename": "a.pdf",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (200, {"error": "Failed to save person", "status": 401}, AuthenticationFailed),
        (200, {}, SubmitAmbiguous),
        (200, {"success": ""}, SubmitAmbiguous),
        (400, {"error": "Bad request"}, SubmitRejected),
        (422, {"errors": [{"field": "email", "message": "is invalid"}]}, SubmitRejected),
    ],
)
def test_greenhouse_reads_what_the_answer_says(
    status: int, body: dict[str, Any], error: type[Exception]
) -> None:
    with pytest.raises(error) as caught:
        greenhouse.receipt(answered(status, body), application({}))
    if isinstance(caught.value, SubmitRejected):
        assert caught.value.reasons


# -- Lever --------------------------------------------------------------------------------------


def test_the_postings_api_refuses_answers_it_cannot_carry_instead_of_dropping_them() -> None:
    questions = job(
        *lever.STANDARD_QUESTIONS,
        q("card.f1", QuestionType.SHORT_TEXT, category=QuestionCategory.CUSTOM),
        q("eeo.gender", QuestionType.SINGLE_CHOICE, "Female", category=QuestionCategory.EEO),
    )
    app = application({"fullName": "J", "email": "j@x.org", "card.f1": "x", "eeo.gender": "Female"})
    with pytest.raises(SubmitRejected) as caught:
        lever.postings_form(questions, app)
    assert set(caught.value.reasons) == {"card.f1", "eeo.gender"}


def test_the_lever_api_sends_yes_no_fields_dates_numbers_and_eeo_answers() -> None:
    custom = QuestionCategory.CUSTOM
    questions = job(
        q("c1.a", QuestionType.YES_NO, category=custom),
        q("c1.b", QuestionType.DATE, category=custom),
        q("c2.a", QuestionType.NUMBER, category=custom),
        q("c3.a", QuestionType.SHORT_TEXT, category=custom),
        q("eeo.gender", QuestionType.SINGLE_CHOICE, "Female", "Male",
          category=QuestionCategory.EEO),
    )  # fmt: skip
    body = lever.api_body(questions, application(
        {"c1.a": True, "c1.b": date(2027, 1, 15), "c2.a": Decimal("7.50"), "eeo.gender": "Male"}
    ), {})  # fmt: skip
    assert body == {
        "personalInformation": [],
        "customQuestions": [
            {"id": "c1", "fields": [{"value": "yes"}, {"value": "2027-01-15"}]},
            {"id": "c2", "fields": [{"value": "7.50"}]},
        ],  # c3: no answer, left out
        "eeoResponses": {"gender": "Male"},
    }


# -- Ashby --------------------------------------------------------------------------------------


def test_ashby_values_by_field_type() -> None:
    questions = job(
        q("rich", QuestionType.LONG_TEXT, source_type="RichText"),
        q("where", QuestionType.LOCATION, source_type="Location"),
        q("nowhere", QuestionType.LOCATION, source_type="Location"),
        q("years", QuestionType.NUMBER, source_type="Number"),
    )
    fields, files = ashby.submission(questions, application(
        {"rich": "Hi", "where": "Munich, Bavaria, Germany", "nowhere": "On a boat",
         "years": Decimal("2.5")}
    ))  # fmt: skip
    assert files == []
    assert fields["jobPostingId"] == "1"
    assert json.loads(fields["applicationForm"]) == {"fieldSubmissions": [
        {"path": "rich", "value": {"type": "PlainText", "value": "Hi"}},
        {"path": "where", "value": {"city": "Munich", "region": "Bavaria", "country": "DE"}},
        {"path": "nowhere", "value": {"city": "On a boat"}},
        {"path": "years", "value": 2.5},
    ]}  # fmt: skip


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"success": False, "errorInfo": {"code": "rate_limit_exceeded"}}, RateLimited),
        ({"success": False, "errorInfo": {"code": "job_posting_not_found"}}, JobNotFound),
        ({"success": False, "errorInfo": {"code": "job_posting_not_published"}}, SubmitRejected),
        ({"success": False, "errors": ["Missing required field"]}, SubmitRejected),
        ({"success": True, "results": {"submittedFormInstance": {}}}, Exception),
    ],
)
def test_ashby_reads_what_the_answer_says(body: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        ashby.submitted_form(body, application({}))
