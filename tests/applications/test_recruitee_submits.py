"""Recruitee receives applications as its careers-site API takes them, and its answers are
read for what they say.

Recruitee's careers-site API reads no candidate back and Recruitee documents no dedupe, so
after an ambiguous outcome the application is failed as `unknown_outcome` (never resent by
itself); retrying it by hand sends it. Its faults (a 503, a 429, a timeout, a killed worker)
are the shared ones of test_ats_faults.py. Each test runs the whole pipeline against a fake
careers site, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from embloy_ats.applications import ApplicationStatus, FailureReason

from benchmarks.apply_ats import Kept, Step
from tests.applications import ats_fakes
from tests.applications.ats_fakes import email_of
from tests.applications.conftest import PDF, SENTINEL, Pipeline
from tests.applications.fake_recruitee import RC_SAMPLE, RC_SLUG, FakeRecruitee

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
