"""Recruitee receives applications as its careers-site API takes them, its answers are read
for what they say, and its faults end in one application or in a person's hands.

Recruitee's careers-site API reads no candidate back and Recruitee documents no dedupe, so
after an ambiguous outcome the application is failed as `unknown_outcome` (never resent by
itself); retrying it by hand sends it. Each test runs the whole pipeline against a fake
careers site, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import pytest
from embloy_ats.applications import ApplicationStatus, DeliverySettings, FailureReason, Worker
from embloy_ats.clock import SYSTEM_CLOCK

from benchmarks.apply_ats import Kept, Step
from tests.applications import ats_fakes
from tests.applications.ats_fakes import email_of
from tests.applications.conftest import PDF, SENTINEL, Pipeline
from tests.applications.fake_recruitee import RC_SAMPLE, RC_SLUG, FakeRecruitee
from tests.applications.test_processes import real_time, worker_processes

ats_pipeline = ats_fakes.ats_pipeline


@pytest.fixture(autouse=True)
def no_personal_data_in_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level(logging.DEBUG)
    yield
    for record in caplog.records:
        text = record.getMessage() + " " + " ".join(map(str, record.__dict__.values()))
        assert SENTINEL not in text, record.__dict__
        assert "example.org" not in text, record.__dict__


def only(pipeline: Pipeline) -> Kept:
    (kept,) = pipeline.ats.kept
    return kept


def content_types(pipeline: Pipeline) -> list[str]:
    assert isinstance(pipeline.ats, FakeRecruitee)
    return pipeline.ats.content_types or []


async def delivered(pipeline: Pipeline) -> str:
    accepted = await pipeline.accept()
    assert await pipeline.worker().run_once() == 1
    record = await pipeline.store.show(accepted.application_id)
    assert (record.status, record.attempts) == (ApplicationStatus.DELIVERED, 1), record
    return accepted.application_id


# -- what is sent where ----------------------------------------------------------------------


@pytest.mark.parametrize("ats_pipeline", ["recruitee"], indirect=True)
async def test_recruitee_receives_a_multipart_candidate_with_answers_by_kind(
    ats_pipeline: Pipeline,
) -> None:
    application_id = await delivered(ats_pipeline)
    kept = only(ats_pipeline)
    assert kept.job_id == RC_SLUG
    assert kept.auth is None, "the careers-site API takes no credentials"
    assert content_types(ats_pipeline) == ["multipart/form-data"]
    candidate = dict(kept.answers["candidate"])
    cv = candidate.pop("cv")
    assert (cv["name"], cv["content_type"], cv["data"]) == (
        f"{SENTINEL}-cv.pdf", "application/pdf", PDF,
    )  # fmt: skip
    answers = candidate.pop("open_question_answers_attributes")
    assert candidate == {
        "name": f"Jane {SENTINEL}name Doe",
        "email": email_of(0),
        "phone": "+49 30 1234 5678",
        "cover_letter": f"Dear team, {SENTINEL}letter",
    }
    sample = answers.pop(6)
    assert (sample["open_question_id"], sample["file"]["data"]) == ("7107", RC_SAMPLE)
    assert answers == [  # form fields are text: ids, flags and lists as a form writes them
        {"open_question_id": "7101", "content": "In a month"},  # string
        {"open_question_id": "7102", "content": f"Because. {SENTINEL}why"},  # text
        {"open_question_id": "7103", "flag": "true"},  # boolean
        {"open_question_id": "7104", "content": "Referral"},  # single_choice: the option's text
        {"open_question_id": "7105", "multi_content": ["English", "French"]},  # its texts
        {"open_question_id": "7106", "content": "2027-01-15"},  # date: ISO 8601
        {"open_question_id": "7108", "flag": "true"},  # legal: the consent, as a flag
    ]
    record = await ats_pipeline.store.show(application_id)
    assert record.ats_application_id == kept.ats_id, "the id nested under `candidate`"


@pytest.mark.parametrize("ats_pipeline", ["recruitee"], indirect=True)
async def test_without_files_the_candidate_goes_as_json(ats_pipeline: Pipeline) -> None:
    fields, _ = ats_pipeline.form_for(0)
    ats_pipeline.form_for = lambda n=0, **answers: (fields, {})  # no CV, no work sample
    ats_pipeline.job = ats_pipeline.job.model_copy(
        update={"questions": tuple(
            q.model_copy(update={"required": False}) if q.id == "cv" else q
            for q in ats_pipeline.job.questions
        )}
    )  # fmt: skip
    await delivered(ats_pipeline)
    assert content_types(ats_pipeline) == ["application/json"]
    candidate = only(ats_pipeline).answers["candidate"]
    assert candidate["email"] == email_of(0)
    assert {"open_question_id": 7103, "flag": True} in candidate["open_question_answers_attributes"]
    assert {"open_question_id": 7105, "multi_content": ["English", "French"]} in candidate[
        "open_question_answers_attributes"
    ]


@pytest.mark.parametrize("ats_pipeline", ["recruitee-ats-api"], indirect=True)
async def test_jobs_read_through_the_ats_api_are_applied_to_on_the_careers_site(
    ats_pipeline: Pipeline,
) -> None:
    assert list(ats_pipeline.job.raw) == [f"/c/31337/offers/{RC_SLUG}"], "read with the token"
    await delivered(ats_pipeline)
    assert only(ats_pipeline).auth is None, "the personal API token never goes to the site"


# -- what an answer says ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (422, {"errors": {"email": [f"{email_of(0)} is invalid"], "cv": ["can't be blank"]}}),
        (200, {"errors": [f"{email_of(0)} has already been taken"]}),
    ],
    ids=["422", "2xx-carrying-errors"],
)
@pytest.mark.parametrize("ats_pipeline", ["recruitee"], indirect=True)
async def test_a_refusal_is_failed_with_the_reasons_masked(
    ats_pipeline: Pipeline, status: int, body: dict[str, object]
) -> None:
    ats_pipeline.ats.then(Step(status=status, record=False, body=body))
    accepted = await ats_pipeline.accept()
    worker = ats_pipeline.worker()
    await worker.run_once()
    record = await ats_pipeline.store.show(accepted.application_id)
    assert (record.status, record.failure_reason) == (
        ApplicationStatus.FAILED, FailureReason.REJECTED,
    ), "a 2xx is not success until the body says so"  # fmt: skip
    assert "[personal data]" in (record.last_error or ""), record.last_error
    assert SENTINEL not in (record.last_error or "")
    ats_pipeline.clock.advance(7 * 24 * 3600)
    assert await worker.run_once() == 0, "a refusal is not retried"
    assert ats_pipeline.ats.kept == []


@pytest.mark.parametrize("ats_pipeline", ["recruitee"], indirect=True)
async def test_a_2xx_without_a_candidate_is_not_delivered(ats_pipeline: Pipeline) -> None:
    ats_pipeline.ats.then(Step(status=201, record=False, body={"error": "Something went wrong"}))
    accepted = await ats_pipeline.accept()
    await ats_pipeline.drain(ats_pipeline.worker())
    record = await ats_pipeline.store.show(accepted.application_id)
    assert (record.status, record.failure_reason) == (
        ApplicationStatus.FAILED, FailureReason.UNKNOWN_OUTCOME,
    )  # fmt: skip
    assert "cannot look applications up" in (record.last_error or "")
    assert len(ats_pipeline.ats.post_times) == 1, "never resent by itself"


# -- faults ------------------------------------------------------------------------------------


@pytest.mark.parametrize("recorded", [False, True], ids=["ats-lost-it", "ats-kept-it"])
@pytest.mark.parametrize("ats_pipeline", ["recruitee"], indirect=True)
async def test_503_then_200_fails_for_a_person_and_a_retry_by_hand_sends_it_once(
    ats_pipeline: Pipeline, recorded: bool
) -> None:
    """A 5xx is ambiguous and Recruitee cannot be asked: the application fails as
    unknown_outcome, never resent by itself, so the ATS never holds two. Whoever checks the
    ATS and finds nothing retries it, and then it arrives once."""
    ats_pipeline.ats.then(Step(status=503, record=recorded, body={}))
    accepted = await ats_pipeline.accept()
    await ats_pipeline.drain(ats_pipeline.worker())
    record = await ats_pipeline.store.show(accepted.application_id)
    assert record.failure_reason is FailureReason.UNKNOWN_OUTCOME
    assert "check the ATS" in (record.last_error or "")
    assert len(ats_pipeline.ats.post_times) == 1
    assert ats_pipeline.ats.times_kept() == ({email_of(0): 1} if recorded else {})
    if not recorded:  # someone checked Recruitee and found nothing
        await ats_pipeline.service.retry(accepted.application_id)
        await ats_pipeline.drain(ats_pipeline.worker())
        assert await ats_pipeline.status(accepted.application_id) is ApplicationStatus.DELIVERED
        assert ats_pipeline.ats.times_kept() == {email_of(0): 1}


@pytest.mark.parametrize("ats_pipeline", ["recruitee"], indirect=True)
async def test_429_waits_for_retry_after_then_arrives_once(ats_pipeline: Pipeline) -> None:
    ats_pipeline.ats.then(Step(status=429, record=False, retry_after=120, body={}))
    accepted = await ats_pipeline.accept()
    worker = ats_pipeline.worker(backoff_base=1.0)
    now = ats_pipeline.clock.now().timestamp()
    await worker.run_once()
    record = await ats_pipeline.store.show(accepted.application_id)
    assert record.status is ApplicationStatus.RETRYING, "a 429 is a refusal: safe to resend"
    assert record.next_attempt_at is not None
    assert record.next_attempt_at - now >= 120, "the ATS's Retry-After is honoured"
    ats_pipeline.clock.advance(60)
    assert await worker.run_once() == 0, "not before Retry-After"
    await ats_pipeline.drain(worker)
    assert ats_pipeline.ats.times_kept() == {email_of(0): 1}
    assert len(ats_pipeline.ats.post_times) == 2


@pytest.mark.parametrize("ats_pipeline", ["recruitee"], indirect=True)
async def test_a_timeout_after_recruitee_recorded_it_leaves_one(ats_pipeline: Pipeline) -> None:
    ats_pipeline.ats.then(Step(hang=1.3))
    accepted = await ats_pipeline.accept()
    await ats_pipeline.drain(ats_pipeline.worker())
    record = await ats_pipeline.store.show(accepted.application_id)
    assert record.failure_reason is FailureReason.UNKNOWN_OUTCOME
    assert "check the ATS" in (record.last_error or "")
    assert len(ats_pipeline.ats.post_times) == 1, "not sent a second time"
    assert ats_pipeline.ats.times_kept() == {email_of(0): 1}
    assert SENTINEL not in str(record.to_json())


@pytest.mark.parametrize("ats_pipeline", ["recruitee"], indirect=True)
async def test_a_worker_killed_mid_send_leaves_one_and_a_person_decides(
    ats_pipeline: Pipeline,
) -> None:
    """SIGKILL while Recruitee holds the request it has recorded: the next worker, once the
    dead one's lease expired, cannot tell whether it arrived, so it fails it as
    unknown_outcome instead of sending a second."""
    real_time(ats_pipeline)
    ats_pipeline.ats.then(Step(hang=3.0))
    accepted = await ats_pipeline.accept()
    with worker_processes(ats_pipeline, 1, lease=1.0) as (doomed,):
        await doomed.ready()
        await asyncio.wait_for(ats_pipeline.ats.posted(), 30)
        doomed.kill()
    settings = DeliverySettings(lease=1.0, poll_interval=0.05, lookup_delay=0.1)
    restarted = Worker(
        ats_pipeline.store, ats_pipeline.connectors, settings=settings, clock=SYSTEM_CLOCK
    )
    await asyncio.sleep(1.1)
    await restarted.run_once()
    record = await ats_pipeline.store.show(accepted.application_id)
    assert (record.status, record.failure_reason) == (
        ApplicationStatus.FAILED, FailureReason.UNKNOWN_OUTCOME,
    )  # fmt: skip
    assert ats_pipeline.ats.times_kept() == {email_of(0): 1}
    assert len(ats_pipeline.ats.post_times) == 1
