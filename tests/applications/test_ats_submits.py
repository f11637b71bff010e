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
from tests.applications import ats_fakes
from tests.applications.ats_fakes import (
    ASHBY_KEY,
    ASHBY_POSTING,
    GH_CLIENT,
    GH_KEY,
    LEVER_CARD,
    LEVER_KEY,
    LEVER_POSTINGS_KEY,
    SAMPLE,
    FakeLever,
    basic,
    email_of,
)
from tests.applications.conftest import PDF, SENTINEL, Pipeline

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
    kept = only(ats_pipeline)
    assert kept.auth == basic(GH_KEY), "Basic, the Job Board API key as the user"
    assert kept.job_id == "4011"
    assert kept.answers == {
        "first_name": f"Jane{SENTINEL}first",
        "last_name": f"Doe{SENTINEL}last",
        "email": email_of(0),
        "phone": "+49 30 1234 5678",
        "question_5001": "https://linkedin.com/in/jane",
        "question_5002": 1,  # yes: the option value of "Yes"
        "question_5003": 60012,  # a single select: the option's integer id
        "question_5004": [60021, 60022],  # a multi select: the ids, without the `[]`
        "question_5005": f"Because. {SENTINEL}why",
        "data_compliance": {"gdpr_consent_given": True},
    }
    assert [(f["field"], f["name"], f["data"]) for f in kept.files] == [
        ("resume", f"{SENTINEL}-cv.pdf", PDF),
        ("question_5006", f"{SENTINEL}-sample.txt", SAMPLE),
    ]
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
    kept = only(ats_pipeline)
    assert kept.auth == basic(LEVER_KEY)
    assert isinstance(ats_pipeline.ats, FakeLever)
    uploads = {uri: file["data"] for uri, file in ats_pipeline.ats.uploads.items()}
    resume_uri = next(uri for uri, data in uploads.items() if data == PDF)
    sample_uri = next(uri for uri, data in uploads.items() if data == SAMPLE)
    assert kept.answers == {
        "personalInformation": [
            {"name": "fullName", "value": f"Jane {SENTINEL}name Doe"},
            {"name": "email", "value": email_of(0)},
            {"name": "phone", "value": "+49 30 1234 5678"},
            {"name": "currentCompany", "value": "Acme"},
            {"name": "resume", "value": resume_uri},
            {"name": "additionalInformation", "value": f"Thanks. {SENTINEL}note"},
        ],
        "urls": [{"name": "LinkedIn", "value": "https://linkedin.com/in/jane"}],
        "customQuestions": [{
            "id": LEVER_CARD,
            "fields": [  # by position; option texts; null where unanswered
                {"value": "Yes"}, {"value": "1 month"}, {"value": ["English", "German"]},
                {"value": None}, {"value": sample_uri},
            ],
        }],
    }  # fmt: skip
    assert [(f["field"], f["name"]) for f in ats_pipeline.ats.uploads.values()] == [
        ("file", f"{SENTINEL}-cv.pdf"), ("file", f"{SENTINEL}-sample.txt"),
    ]  # fmt: skip
    record = (await ats_pipeline.store.list_applications())[0]
    assert record.ats_application_id == kept.ats_id


@pytest.mark.parametrize("ats_pipeline", ["lever-postings"], indirect=True)
async def test_lever_postings_api_receives_form_fields_and_the_resume_part(
    ats_pipeline: Pipeline,
) -> None:
    await delivered(ats_pipeline)
    kept = only(ats_pipeline)
    assert kept.auth == f"key={LEVER_POSTINGS_KEY}", "the Postings API key, as ?key="
    assert kept.answers == {
        "name": f"Jane {SENTINEL}name Doe",
        "email": email_of(0),
        "phone": "+49 30 1234 5678",
        "org": "Acme",
        "urls[LinkedIn]": "https://linkedin.com/in/jane",
        "comments": f"Thanks. {SENTINEL}note",
    }
    assert [(f["field"], f["name"], f["content_type"], f["data"]) for f in kept.files] == [
        ("resume", f"{SENTINEL}-cv.pdf", "application/pdf", PDF),
    ]
    record = (await ats_pipeline.store.list_applications())[0]
    assert record.ats_application_id == kept.ats_id


@pytest.mark.parametrize("ats_pipeline", ["ashby"], indirect=True)
async def test_ashby_receives_a_multipart_form_with_values_by_field_type(
    ats_pipeline: Pipeline,
) -> None:
    await delivered(ats_pipeline)
    kept = only(ats_pipeline)
    assert kept.auth == basic(ASHBY_KEY)
    field = "0f3e2d1c-0000-4000-8000-00000000000{}".format
    assert kept.answers == {
        "jobPostingId": ASHBY_POSTING,
        "_systemfield_name": f"Jane {SENTINEL}name Doe",
        "_systemfield_email": email_of(0),
        "_systemfield_resume": "file1",  # the name of the file part
        field(1): "+49 30 1234 5678",
        field(2): "https://linkedin.com/in/jane",
        field(3): "5-10 years",  # ValueSelect: the option's value
        field(4): ["English", "German"],
        field(5): True,
        field(6): 7,  # Number: an integer
        field(7): "2027-01-15",
        field(8): f"Because. {SENTINEL}why",
        "_systemfield_location": {"city": "Berlin", "country": "DE"},
    }
    assert [(f["field"], f["name"], f["data"]) for f in kept.files] == [
        ("file1", f"{SENTINEL}-cv.pdf", PDF),
    ]
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
    ats_pipeline.ats.then(Step(status=200, record=False, body=body))
    accepted = await ats_pipeline.accept()
    worker = ats_pipeline.worker()
    await worker.run_once()
    record = await ats_pipeline.store.show(accepted.application_id)
    assert (record.status, record.failure_reason) == (
        ApplicationStatus.FAILED, FailureReason.REJECTED,
    ), "a 2xx is not success until the body says so"  # fmt: skip
    assert record.ats_application_id is None
    assert "[personal data]" in (record.last_error or ""), record.last_error
    assert SENTINEL not in (record.last_error or "")
    assert ats_pipeline.ats.kept == []
    ats_pipeline.clock.advance(7 * 24 * 3600)
    assert await worker.run_once() == 0, "a refusal is not retried"


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
