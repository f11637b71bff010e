"""Greenhouse, Lever and Ashby receive applications exactly as their APIs take them.

Each test delivers through the whole pipeline (the apply page's answers validated, stored,
claimed by a worker, sent by the real connector) to a fake of the ATS that records the
wire: field names and encodings, file bytes, the Authorization header or key.
"""

from __future__ import annotations

import pytest
from embloy_ats import ConfigurationError
from embloy_ats.applications import ApplicationStatus, FailureReason
from embloy_ats_greenhouse import GreenhouseConnector
from embloy_ats_lever import LeverConnector

from benchmarks.apply_ats import Kept, Step
from tests.applications import ats_fakes, expected
from tests.applications.ats_fakes import (
    GH_CLIENT,
    GH_KEY,
    LEVER_KEY,
    LEVER_POSTINGS_KEY,
    basic,
    email_of,
)
from tests.applications.conftest import Pipeline

ats_pipeline = ats_fakes.ats_pipeline


def only(pipeline: Pipeline) -> Kept:
    (kept,) = pipeline.ats.kept
    return kept


async def delivered(pipeline: Pipeline, n: int = 0) -> str:
    """Candidate `n`'s application, accepted and delivered in one attempt; its id."""
    accepted = await pipeline.accept(n)
    assert await pipeline.worker().run_once() == 1
    record = await pipeline.store.show(accepted.application_id)
    assert (record.status, record.attempts) == (ApplicationStatus.DELIVERED, 1), record
    return accepted.application_id


@pytest.mark.parametrize("ats_pipeline", ["greenhouse-job-board"], indirect=True)
async def test_greenhouse_job_board_receives_json_with_field_names_option_ids_and_files(
    ats_pipeline: Pipeline,
) -> None:
    await delivered(ats_pipeline)
    expected.greenhouse_received(ats_pipeline.ats)
    record = (await ats_pipeline.store.list_applications())[0]
    assert record.ats_application_id is None, "the Job Board API answers no id"


@pytest.mark.parametrize("ats_pipeline", ["greenhouse"], indirect=True)
async def test_greenhouse_with_harvest_reads_through_harvest_and_submits_to_the_job_board(
    ats_pipeline: Pipeline,
) -> None:
    assert "/v3/job_posts?ids=4011" in ats_pipeline.job.raw, "read through Harvest v3"
    await delivered(ats_pipeline)
    kept = only(ats_pipeline)
    assert kept.auth == basic(GH_KEY)
    assert kept.answers["question_5002"] == 1  # Harvest's boolean question: No 0, Yes 1
    assert kept.answers["question_5004"] == [60021, 60022]
    assert "data_compliance" not in kept.answers
    assert {f["field"] for f in kept.files} == {"resume", "question_5006"}


@pytest.mark.parametrize("ats_pipeline", ["lever"], indirect=True)
async def test_lever_api_uploads_files_then_applies_with_the_form_mirrored(
    ats_pipeline: Pipeline,
) -> None:
    await delivered(ats_pipeline)
    expected.lever_received(ats_pipeline.ats)
    kept = only(ats_pipeline)
    record = (await ats_pipeline.store.list_applications())[0]
    assert record.ats_application_id == kept.ats_id


@pytest.mark.parametrize("ats_pipeline", ["lever-postings"], indirect=True)
async def test_lever_postings_api_receives_form_fields_and_the_resume_part(
    ats_pipeline: Pipeline,
) -> None:
    await delivered(ats_pipeline)
    expected.lever_postings_received(ats_pipeline.ats)
    kept = only(ats_pipeline)
    record = (await ats_pipeline.store.list_applications())[0]
    assert record.ats_application_id == kept.ats_id


@pytest.mark.parametrize("ats_pipeline", ["ashby"], indirect=True)
async def test_ashby_receives_a_multipart_form_with_values_by_field_type(
    ats_pipeline: Pipeline,
) -> None:
    await delivered(ats_pipeline)
    expected.ashby_received(ats_pipeline.ats)
    kept = only(ats_pipeline)
    record = (await ats_pipeline.store.list_applications())[0]
    assert record.ats_application_id == kept.ats_id, "the application, from application.info"


# -- what a body says ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ats_pipeline", "body"),
    [
        ("greenhouse", {"error": "Failed to save person",
                        "reason": f"Validation failed: {email_of(0)} is not a valid email"}),
        ("lever-postings", {"ok": False, "error": f"Invalid email: {email_of(0)}"}),
        ("ashby", {"success": False, "errors": [f"{email_of(0)} failed validation"]}),
    ],
    indirect=["ats_pipeline"],
)  # fmt: skip
async def test_a_200_whose_body_refuses_is_failed_with_the_reasons_masked(
    ats_pipeline: Pipeline, body: dict[str, object]
) -> None:
    await expected.refused_with_the_reasons_masked(ats_pipeline, 200, body)


@pytest.mark.parametrize(
    ("ats_pipeline", "body"),
    [
        ("greenhouse", {"error": "Failed to save person"}),
        ("lever", {"code": "InternalError"}),
        ("ashby", {"success": True, "results": {}}),
    ],
    indirect=["ats_pipeline"],
)
async def test_a_200_without_a_saved_application_is_not_delivered_and_is_sent_again(
    ats_pipeline: Pipeline, body: dict[str, object]
) -> None:
    ats_pipeline.ats.then(Step(status=200, record=False, body=body))
    accepted = await ats_pipeline.accept()
    worker = ats_pipeline.worker()
    await worker.run_once()
    record = await ats_pipeline.store.show(accepted.application_id)
    assert record.status is ApplicationStatus.RETRYING, "not counted as delivered"
    assert ats_pipeline.ats.kept == []
    await ats_pipeline.drain(worker)
    assert ats_pipeline.ats.times_kept() == {email_of(0): 1}
    assert await ats_pipeline.status(accepted.application_id) is ApplicationStatus.DELIVERED


@pytest.mark.parametrize("ats_pipeline", ["ashby"], indirect=True)
async def test_an_ashby_form_blocked_by_application_limits_is_failed(
    ats_pipeline: Pipeline,
) -> None:
    blocked = {"success": True, "results": {"submittedFormInstance": {"id": "f-1"},
                                            "formMessages": {"blocked": True}}}  # fmt: skip
    ats_pipeline.ats.then(Step(status=200, record=False, body=blocked))
    accepted = await ats_pipeline.accept()
    await ats_pipeline.worker().run_once()
    record = await ats_pipeline.store.show(accepted.application_id)
    assert record.failure_reason is FailureReason.REJECTED
    assert "application limits" in (record.last_error or "")


@pytest.mark.parametrize("ats_pipeline", ["greenhouse-job-board"], indirect=True)
async def test_greenhouse_without_harvest_fails_an_ambiguous_outcome_for_an_operator(
    ats_pipeline: Pipeline,
) -> None:
    """The Job Board API answers no id and reads nothing back, and Greenhouse documents no
    dedupe: after a 503 the application is failed as unknown_outcome, never resent."""
    ats_pipeline.ats.then(Step(status=503, record=True, body={"error": "unavailable"}))
    accepted = await ats_pipeline.accept()
    await ats_pipeline.drain(ats_pipeline.worker())
    record = await ats_pipeline.store.show(accepted.application_id)
    assert record.failure_reason is FailureReason.UNKNOWN_OUTCOME
    assert len(ats_pipeline.ats.post_times) == 1
    assert ats_pipeline.ats.times_kept() == {email_of(0): 1}
    await ats_pipeline.service.retry(accepted.application_id)  # someone checked: send it
    await ats_pipeline.drain(ats_pipeline.worker())
    assert await ats_pipeline.status(accepted.application_id) is ApplicationStatus.DELIVERED


# -- credentials that only submit ---------------------------------------------------------------


def test_a_job_board_key_without_a_board_is_refused_when_configured() -> None:
    with pytest.raises(ConfigurationError, match="board_token"):
        GreenhouseConnector({}, {"job_board_api_key": GH_KEY, **GH_CLIENT})


def test_submit_credentials_do_not_choose_the_way_in() -> None:
    board = GreenhouseConnector({"board_token": "acme"}, {"job_board_api_key": GH_KEY})
    assert board.way_in is not None
    assert board.way_in.name == "Job Board API"
    assert board.find_application is None, "the Job Board API reads no application back"
    harvest = GreenhouseConnector(
        {"board_token": "acme"}, {"job_board_api_key": GH_KEY, **GH_CLIENT}
    )
    assert harvest.way_in is not None
    assert harvest.way_in.name == "Harvest API v3"
    assert harvest.find_application is not None
    postings = LeverConnector({"site": "acme"}, {"postings_api_key": LEVER_POSTINGS_KEY})
    assert postings.way_in is not None
    assert postings.way_in.name == "public Postings API"
    assert postings.find_application is None
    assert postings.resend_after_unknown_outcome is True
    assert postings.submit_rate_limit is not None
    assert (postings.submit_rate_limit.requests, postings.submit_rate_limit.per_seconds) == (2, 1)
    api = LeverConnector({}, {"api_key": LEVER_KEY, "postings_api_key": LEVER_POSTINGS_KEY})
    assert api.find_application is not None
    assert api.resend_after_unknown_outcome is False
    assert api.submit_rate_limit is None, "the Lever API's general limit"
    for connector in (board, harvest, postings, api):
        assert GH_KEY not in repr(connector.credentials)
        assert LEVER_POSTINGS_KEY not in repr(connector.credentials)


@pytest.mark.parametrize(
    "ats_pipeline", ["greenhouse", "lever", "ashby", "teamtailor"], indirect=True
)
async def test_an_earlier_application_of_the_candidate_is_not_taken_for_this_one(
    ats_pipeline: Pipeline,
) -> None:
    """The candidate applied to this job a month ago. Their new application meets a 503 the
    ATS lost it with: the lookup finds only the old one, which is not this one, so the new
    one is sent again and both are in the ATS."""
    ats_pipeline.ats.then(Step(record=True))
    await delivered(ats_pipeline)
    ats_pipeline.clock.advance(30 * 24 * 3600)
    ats_pipeline.ats.then(Step(status=503, record=False, body={}))
    accepted = await ats_pipeline.accept()  # the same candidate, the same job
    await ats_pipeline.drain(ats_pipeline.worker())
    assert ats_pipeline.ats.lookups == 1
    assert ats_pipeline.ats.times_kept() == {email_of(0): 2}, "resent: the old one is not it"
    assert await ats_pipeline.status(accepted.application_id) is ApplicationStatus.DELIVERED
