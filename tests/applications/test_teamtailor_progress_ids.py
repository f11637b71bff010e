"""Teamtailor's ids and question ids in the delivery's progress: every key is one the
progress keeps, the same in every attempt, and an id that cannot be kept never makes the
next attempt send again what Teamtailor already made."""

from __future__ import annotations

import dataclasses
import json
import time
from datetime import UTC, datetime

import httpx
import pytest
from embloy_ats.applications import Application, Receipt
from embloy_ats.contract import MAX_PROGRESS_STEPS, SubmitRejected
from embloy_ats.model import Job, Question, QuestionCategory, QuestionType
from embloy_ats.submission.model import DeliveryProgress
from embloy_ats_teamtailor import TeamtailorConnector, apply

from tests.applications.test_teamtailor_progress_keys import LONG_ID, _fake, _job
from tests.conftest import FakeAts


def _application(question_id: str, progress: DeliveryProgress) -> Application:
    return Application(
        id="a1", tenant_id="t", mode="teamtailor", job_id="7301",
        answers={"name": "Ada Lovelace", "email": "ada@example.org", question_id: "Because"},
        files={}, created_at=time.time(), progress=progress,
    )  # fmt: skip


def _kinds(ats: FakeAts) -> list[str]:
    return [json.loads(r.content)["data"]["type"] for r in ats.requests if r.method == "POST"]


def _connector(ats: FakeAts) -> TeamtailorConnector:
    return TeamtailorConnector({}, {"api_key": "k"}, http=ats.client())


@pytest.mark.parametrize("question_id", [LONG_ID, "5\x0001"])
async def test_an_answer_to_a_question_whose_id_fits_no_key_is_made_once(
    question_id: str,
) -> None:
    progress = DeliveryProgress()
    first = _fake()
    receipt = await _connector(first).submit_application(
        _job(question_id), _application(question_id, progress)
    )
    assert receipt == Receipt(ats_application_id="22", ats_candidate_id="11")
    keys = [key for key in progress.values if key.startswith(apply.ANSWER_DIGEST)]
    assert len(keys) == 1
    assert len(keys[0]) <= 100
    assert keys[0].isprintable()
    again = _fake()
    found = await _connector(again).find_application(
        _job(question_id), _application(question_id, progress)
    )
    assert found == receipt, "the digest is the same in the next attempt"
    assert again.requests == []


async def test_a_question_id_that_fits_keeps_its_plain_key() -> None:
    """Progress kept by earlier versions stays readable: nothing is made twice on upgrade."""
    progress = DeliveryProgress({"candidate": "11", "job-application": "22", "answer.5001": "77"})
    ats = _fake()
    receipt = await _connector(ats).submit_application(_job("5001"), _application("5001", progress))
    assert receipt.ats_application_id == "22"
    assert ats.requests == []


async def test_an_answer_id_with_a_control_character_marks_the_answer_made() -> None:
    progress = DeliveryProgress()
    ats = _fake(answer_id="7\x007")
    await _connector(ats).submit_application(_job("5001"), _application("5001", progress))
    assert progress.get("answer.5001") is not None
    assert (progress.get("answer.5001") or "").isprintable()
    assert _kinds(ats) == ["candidates", "job-applications", "answers"]


async def test_a_job_application_id_that_cannot_be_kept_ends_it_without_sending_more() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        kind = request.url.path.rsplit("/", 1)[-1]
        ident = {"candidates": "11", "job-applications": "2" * 300, "answers": "77"}[kind]
        return httpx.Response(201, json={"data": {"type": kind, "id": ident}})

    progress = DeliveryProgress()
    ats = FakeAts(handle)
    with pytest.raises(SubmitRejected, match="check Teamtailor"):
        await _connector(ats).submit_application(_job("5001"), _application("5001", progress))
    assert _kinds(ats) == ["candidates", "job-applications"], "no answer to an unknown one"
    assert progress.values == {"candidate": "11"}


async def test_a_lookup_passes_over_a_candidate_id_it_cannot_keep() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        found = {"type": "candidates", "id": "1\x001", "attributes": {"email": "ada@example.org"}}
        return httpx.Response(200, json={"data": [found]})

    progress = DeliveryProgress()
    ats = FakeAts(handle)
    found = await _connector(ats).find_application(_job("5001"), _application("5001", progress))
    assert found is None
    assert progress.values == {}


async def test_more_answers_than_the_progress_can_record_are_refused_before_sending() -> None:
    many = tuple(
        Question(id=f"q{n}", label="Why?", type=QuestionType.SHORT_TEXT,
                 category=QuestionCategory.CUSTOM, source_type="Text")
        for n in range(MAX_PROGRESS_STEPS - 1)
    )  # fmt: skip
    job = Job(
        connector="teamtailor", external_id="7301", title="Dev", fetched_at=datetime.now(UTC),
        questions=(*apply.STANDARD_QUESTIONS, *many),
    )  # fmt: skip
    application = dataclasses.replace(
        _application("5001", DeliveryProgress()),
        answers={"name": "Ada Lovelace", "email": "ada@example.org",
                 **{question.id: "Because" for question in many}},
    )  # fmt: skip
    ats = _fake()
    with pytest.raises(SubmitRejected, match="exactly once"):
        await _connector(ats).submit_application(job, application)
    assert ats.requests == [], "nothing made"
