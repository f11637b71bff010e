"""What Teamtailor is sent for each kind of question, and how its answers are read: the
pure half of submitting (the requests themselves are tested against a fake Teamtailor in
tests/applications/test_teamtailor_submits.py)."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from embloy_ats.applications import Application, SubmitAmbiguous, SubmitRejected
from embloy_ats.model import Job, Question, QuestionCategory, QuestionOption, QuestionType
from embloy_ats_teamtailor import apply


def question(kind: QuestionType, source_type: str, options: int = 0) -> Question:
    return Question(
        id="5001", label="Q", type=kind, category=QuestionCategory.CUSTOM,
        source_type=source_type,
        options=tuple(QuestionOption(id=str(3 + n), label=f"o{n}") for n in range(options)),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("asked", "value", "sent"),
    [
        (question(QuestionType.YES_NO, "Boolean"), True, {"boolean": True}),
        (question(QuestionType.YES_NO, "Boolean"), False, {"boolean": False}),
        (question(QuestionType.SINGLE_CHOICE, "Choice", 2), "4", {"choices": [4]}),
        (question(QuestionType.MULTIPLE_CHOICE, "Choice", 2), ("3", "4"), {"choices": [3, 4]}),
        # alternatives without ids: the label is the id, sent as it is
        (question(QuestionType.SINGLE_CHOICE, "Choice"), "Svenska", {"choices": ["Svenska"]}),
        (question(QuestionType.LONG_TEXT, "Text"), "Because.", {"text": "Because."}),
        (question(QuestionType.SHORT_TEXT, "Text"), "jane", {"text": "jane"}),
        (question(QuestionType.NUMBER, "Range"), Decimal("7"), {"range": 7}),
        (question(QuestionType.DATE, "Date"), date(2027, 1, 15), {"text": "2027-01-15"}),
        (question(QuestionType.NUMBER, "Number"), Decimal("2.5"), {"text": "2.5"}),
    ],
)
def test_each_question_type_is_answered_under_its_attribute(
    asked: Question, value: Any, sent: dict[str, Any]
) -> None:
    assert apply.answer_value(asked, value) == sent


def job(*questions: Question) -> Job:
    return Job(
        connector="teamtailor", external_id="7301", slug="teamtailor__7301", title="Dev",
        fetched_at=datetime.now(UTC),
        questions=(*apply.STANDARD_QUESTIONS, *questions),
    )  # fmt: skip


def application(**answers: Any) -> Application:
    return Application(
        id="a1", tenant_id="t", mode="teamtailor", job_id="7301", answers=answers, files={},
        created_at=time.time(),
    )  # fmt: skip


def test_the_candidate_is_made_from_the_standard_answers_with_merge() -> None:
    sent = apply.candidate(job(), application(name="Ada King Lovelace", email="ada@example.org"))
    assert sent == {"data": {"type": "candidates", "attributes": {
        "email": "ada@example.org", "merge": True, "sourced": False,
        "first-name": "Ada King", "last-name": "Lovelace",
    }}}  # fmt: skip
    one_word = apply.candidate(job(), application(name="Ada", email="ada@example.org"))
    assert one_word["data"]["attributes"]["first-name"] == "Ada"
    assert "last-name" not in one_word["data"]["attributes"]


def test_only_the_jobs_own_questions_get_answers() -> None:
    custom = question(QuestionType.YES_NO, "Boolean")
    found = list(apply.answers(job(custom), application(name="A", email="a@x.org", **{
        "5001": True, "cover_letter": "Hello"})))  # fmt: skip
    assert [(q.id, sent) for q, sent in found] == [("5001", {"boolean": True})]
    assert apply.answer("11", custom, {"boolean": True}) == {"data": {
        "type": "answers", "attributes": {"boolean": True},
        "relationships": {"candidate": {"data": {"type": "candidates", "id": "11"}},
                          "question": {"data": {"type": "questions", "id": "5001"}}},
    }}  # fmt: skip


def test_a_2xx_is_read_for_what_it_made() -> None:
    made = {"data": {"id": "1337", "type": "candidates", "attributes": {}}}
    assert apply.created(made, "candidates", application()) == "1337"
    with pytest.raises(SubmitAmbiguous):
        apply.created({"data": {"id": "1", "type": "answers"}}, "candidates", application())
    with pytest.raises(SubmitAmbiguous):
        apply.created({}, "candidates", application())
    refused = {"errors": [{"detail": "ada@example.org has already been taken",
                           "source": {"pointer": "/data/attributes/email"}}]}  # fmt: skip
    with pytest.raises(SubmitRejected) as caught:
        apply.created(refused, "candidates", application(email="ada@example.org"))
    assert caught.value.reasons == {"email": "[personal data] has already been taken"}


def test_a_search_is_trusted_only_for_the_email_asked() -> None:
    answer = {"data": [
        {"id": "1", "type": "candidates", "attributes": {"email": "other@example.org"}},
        {"id": "2", "type": "candidates", "attributes": {"email": "Ada@Example.org"}},
    ]}  # fmt: skip
    assert apply.candidate_ids(answer, "ada@example.org") == ["2"]


def test_only_a_job_application_to_this_job_since_it_was_accepted_is_taken() -> None:
    def item(ident: str, job_id: str | None, created: str) -> dict[str, Any]:
        relationships = {"job": {"data": {"type": "jobs", "id": job_id}}} if job_id else {}
        return {"id": ident, "type": "job-applications", "attributes": {"created-at": created},
                "relationships": relationships}  # fmt: skip

    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    listed = {
        "data": [
            item("1", "9999", now),
            item("2", None, now),
            item("3", "7301", "2020-01-01T00:00:00Z"),
            item("4", "7301", now),
        ]
    }
    assert apply.job_application_of(listed, job(), application()) == "4"
    assert apply.job_application_of({"data": listed["data"][:3]}, job(), application()) is None
