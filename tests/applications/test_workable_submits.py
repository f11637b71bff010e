"""Workable receives applications exactly as its SPI v3 takes them, and its answers are
read for what they say.

Each test delivers through the whole pipeline (the apply page's answers validated,
stored, claimed by a worker, sent by the real connector) to a fake SPI v3 that records the
wire: the JSON body, the file bytes, the Authorization header.
"""

from __future__ import annotations

import itertools

import pytest
from embloy_ats.applications import ApplicationStatus, FailureReason

from benchmarks.apply_ats import Kept, Step
from tests.applications import ats_fakes
from tests.applications.ats_fakes import email_of
from tests.applications.conftest import PDF, SENTINEL, Pipeline
from tests.applications.fake_workable import WK_JOB, WK_SAMPLE, WK_TOKEN
from tests.applications.test_processes import real_time, until_delivered, worker_processes

ats_pipeline = ats_fakes.ats_pipeline


def only(pipeline: Pipeline) -> Kept:
    (kept,) = pipeline.ats.kept
    return kept


@pytest.mark.parametrize("ats_pipeline", ["workable"], indirect=True)
async def test_workable_receives_json_as_applied_with_answers_by_question_type(
    ats_pipeline: Pipeline,
) -> None:
    accepted = await ats_pipeline.accept()
    assert await ats_pipeline.worker().run_once() == 1
    kept = only(ats_pipeline)
    assert kept.auth == f"Bearer {WK_TOKEN}"
    assert kept.job_id == WK_JOB
    sent = dict(kept.answers)
    candidate = dict(sent.pop("candidate"))
    assert sent == {"sourced": False}, "applied, not sourced: the candidate gets Workable's mail"
    resume = candidate.pop("resume")
    answers = candidate.pop("answers")
    assert candidate == {
        "firstname": f"Jane{SENTINEL}first",
        "lastname": f"Doe{SENTINEL}last",
        "email": email_of(0),
        "phone": "+49 30 1234 5678",
        "address": "Berlin, Germany",
        "summary": f"Engineer. {SENTINEL}summary",
        "cover_letter": f"Dear team, {SENTINEL}letter",
    }
    assert resume["name"] == f"{SENTINEL}-cv.pdf"
    sample = next(a for a in answers if a["question_key"] == "c4a108")
    assert answers == [
        {"question_key": "c4a101", "body": f"Because. {SENTINEL}why"},  # free_text
        {"question_key": "c4a102", "checked": True},  # boolean
        {"question_key": "c4a103", "choices": ["d01", "d03"]},  # multiple_choice: choice ids
        {"question_key": "c4a104", "choices": ["d12"]},  # single_answer: still a list
        {"question_key": "c4a105", "choice": "d22"},  # dropdown: one choice id
        {"question_key": "c4a106", "number": 7},  # numeric: a JSON number
        {"question_key": "c4a107", "date": "2027-01-15"},  # date: ISO 8601
        sample,  # file: base64 `data`
    ]
    assert [(f["field"], f["data"]) for f in kept.files] == [("resume", PDF), ("c4a108", WK_SAMPLE)]
    record = await ats_pipeline.store.show(accepted.application_id)
    assert (record.status, record.ats_application_id) == (ApplicationStatus.DELIVERED, kept.ats_id)


@pytest.mark.parametrize("ats_pipeline", ["workable"], indirect=True)
async def test_a_fraction_of_years_is_sent_as_a_decimal_number(ats_pipeline: Pipeline) -> None:
    await ats_pipeline.accept(c4a106=["2.5"])
    await ats_pipeline.worker().run_once()
    answers = only(ats_pipeline).answers["candidate"]["answers"]
    assert {"question_key": "c4a106", "number": 2.5} in answers


@pytest.mark.parametrize("ats_pipeline", ["workable"], indirect=True)
async def test_candidate_already_exists_counts_as_delivered(ats_pipeline: Pipeline) -> None:
    """The candidate applied to this job before (through another channel, say): Workable
    refuses the second create with a 422 on `email`. The application is there: delivered,
    nothing created twice, nothing retried."""
    await ats_pipeline.accept()
    await ats_pipeline.worker().run_once()
    again = await ats_pipeline.accept()  # the same email, the same job
    worker = ats_pipeline.worker()
    assert await worker.run_once() == 1
    record = await ats_pipeline.store.show(again.application_id)
    assert (record.status, record.attempts) == (ApplicationStatus.DELIVERED, 1)
    assert record.ats_application_id is None, "Workable names no id in its refusal"
    assert ats_pipeline.ats.times_kept() == {email_of(0): 1}
    assert len(ats_pipeline.ats.post_times) == 2


@pytest.mark.parametrize("ats_pipeline", ["workable"], indirect=True)
async def test_a_422_on_other_fields_is_failed_with_the_reasons_masked(
    ats_pipeline: Pipeline,
) -> None:
    refusal = {"error": "Validation failed",
               "validation_errors": {"phone": [f"{email_of(0)} is not a phone number"],
                                     "email": ["is invalid"]}}  # fmt: skip
    ats_pipeline.ats.then(Step(status=422, record=False, body=refusal))
    accepted = await ats_pipeline.accept()
    worker = ats_pipeline.worker()
    await worker.run_once()
    record = await ats_pipeline.store.show(accepted.application_id)
    assert (record.status, record.failure_reason) == (
        ApplicationStatus.FAILED, FailureReason.REJECTED,
    )  # fmt: skip
    error = record.last_error or ""
    assert "phone: [personal data] is not a phone number" in error, error
    assert "email: is invalid" in error
    assert SENTINEL not in error
    ats_pipeline.clock.advance(7 * 24 * 3600)
    assert await worker.run_once() == 0, "a refusal is not retried"
    assert ats_pipeline.ats.kept == []


@pytest.mark.parametrize("ats_pipeline", ["workable"], indirect=True)
async def test_a_2xx_carrying_an_error_is_not_delivered_and_looked_up_before_resending(
    ats_pipeline: Pipeline,
) -> None:
    ats_pipeline.ats.then(Step(status=200, record=False, body={"error": "Something went wrong"}))
    accepted = await ats_pipeline.accept()
    worker = ats_pipeline.worker()
    await worker.run_once()
    record = await ats_pipeline.store.show(accepted.application_id)
    assert record.status is ApplicationStatus.RETRYING, "a 2xx is not success by itself"
    assert "without the candidate it created" in (record.last_error or "")
    await ats_pipeline.drain(worker)
    assert ats_pipeline.ats.lookups == 1
    assert ats_pipeline.ats.times_kept() == {email_of(0): 1}
    assert await ats_pipeline.status(accepted.application_id) is ApplicationStatus.DELIVERED


@pytest.mark.parametrize("ats_pipeline", ["workable"], indirect=True)
async def test_an_earlier_candidate_on_the_job_is_not_taken_for_this_application(
    ats_pipeline: Pipeline,
) -> None:
    """The candidate applied a month ago. Their new application meets a 503 Workable lost
    it with: the lookup finds only the old candidate, which is not this application, so it
    is sent again, and Workable's "already exists" makes it delivered, not twice."""
    await ats_pipeline.accept()
    await ats_pipeline.worker().run_once()
    ats_pipeline.clock.advance(30 * 24 * 3600)
    ats_pipeline.ats.then(Step(status=503, record=False, body={}))
    accepted = await ats_pipeline.accept()
    await ats_pipeline.drain(ats_pipeline.worker())
    record = await ats_pipeline.store.show(accepted.application_id)
    assert ats_pipeline.ats.lookups == 1
    assert len(ats_pipeline.ats.post_times) == 3, "first, the lost one, then the resend"
    assert record.status is ApplicationStatus.DELIVERED
    assert record.ats_application_id is None, "not the old candidate's id"
    assert ats_pipeline.ats.times_kept() == {email_of(0): 1}


@pytest.mark.parametrize("ats_pipeline", ["workable"], indirect=True)
async def test_without_an_access_token_nothing_is_sent_and_it_waits_for_one(
    ats_pipeline: Pipeline,
) -> None:
    await ats_pipeline.resolver.set_connection(
        "acme", "workable", {"base_url": ats_pipeline.ats.url, "subdomain": "acme"}, {}
    )
    accepted = await ats_pipeline.accept()
    await ats_pipeline.worker().run_once()
    record = await ats_pipeline.store.show(accepted.application_id)
    assert record.status is ApplicationStatus.RETRYING
    assert "access_token" in (record.last_error or "")
    assert ats_pipeline.ats.post_times == []


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
@pytest.mark.parametrize("ats_pipeline", ["workable"], indirect=True)
async def test_two_workers_keep_workables_10_per_10_seconds_together(
    ats_pipeline: Pipeline,
) -> None:
    """Workable allows an account token 10 requests in 10 s: two workers, each sending two
    at once, space their creates one a second between them (the turn is booked in the
    store), so no window of 10 s ever sees more than 10."""
    real_time(ats_pipeline)
    count = 4
    for n in range(count):
        await ats_pipeline.accept(n)
    with worker_processes(ats_pipeline, 2, lease=5.0, concurrency=2) as workers:
        for worker in workers:
            await worker.ready()
        await until_delivered(ats_pipeline, count, within=60)
        delivered = [await worker.stop() for worker in workers]
    stats = ats_pipeline.ats.stats()
    assert (stats["kept"], stats["duplicates"], stats["posts"]) == (count, 0, count)
    assert min(delivered) > 0, f"both workers sent: {delivered}"
    arrivals = sorted(stats["post_times"])
    gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
    assert min(gaps) >= 0.85, [round(gap, 3) for gap in gaps]
