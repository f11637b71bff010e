"""Every id Teamtailor answers with is one its progress can keep: a created thing whose id
or question id does not fit the progress must not end the attempt with an untyped error
after Teamtailor has made it."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import httpx
from embloy_ats import EmbloyAtsError
from embloy_ats.applications import Application
from embloy_ats.model import Job, Question, QuestionCategory, QuestionType
from embloy_ats.submission.model import DeliveryProgress
from embloy_ats_teamtailor import TeamtailorConnector, apply

from tests.conftest import FakeAts

LONG_ID = "9" * 95  # Teamtailor's question ids are strings of its choosing


def _fake(answer_id: str = "77") -> FakeAts:
    def handle(request: httpx.Request) -> httpx.Response:
        kind = request.url.path.rsplit("/", 1)[-1]
        ident = {"candidates": "11", "job-applications": "22", "answers": answer_id}[kind]
        return httpx.Response(201, json={"data": {"type": kind, "id": ident}})

    return FakeAts(handle)


def _job(question_id: str) -> Job:
    asked = Question(id=question_id, label="Why?", type=QuestionType.LONG_TEXT,
                     category=QuestionCategory.CUSTOM, source_type="Text")  # fmt: skip
    return Job(
        connector="teamtailor", external_id="7301", title="Dev", fetched_at=datetime.now(UTC),
        questions=(*apply.STANDARD_QUESTIONS, asked),
    )  # fmt: skip


def _application(question_id: str) -> Application:
    saved: list[dict[str, str]] = []

    async def save(values: dict[str, str]) -> bool:
        saved.append(values)
        return True

    return Application(
        id="a1", tenant_id="t", mode="teamtailor", job_id="7301",
        answers={"name": "Ada Lovelace", "email": "ada@example.org", question_id: "Because"},
        files={}, created_at=time.time(), progress=DeliveryProgress(saver=save),
    )  # fmt: skip


async def _submit(ats: FakeAts, question_id: str) -> object:
    connector = TeamtailorConnector({}, {"api_key": "k"}, http=ats.client())
    try:
        return await connector.submit_application(_job(question_id), _application(question_id))
    except EmbloyAtsError as exc:
        return exc


async def test_an_answer_to_a_question_with_a_long_id_is_recorded_not_a_crash() -> None:
    ats = _fake()
    outcome = await _submit(ats, LONG_ID)  # a ValueError escapes here today
    assert [json.loads(r.content)["data"]["type"] for r in ats.requests] == [
        "candidates", "job-applications", "answers",
    ]  # fmt: skip
    assert outcome is not None


async def test_a_created_id_with_a_control_character_is_not_a_crash() -> None:
    ats = _fake(answer_id="7\x007")
    outcome = await _submit(ats, "5001")  # a ValueError escapes here today
    assert outcome is not None
