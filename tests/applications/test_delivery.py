"""The worker against a misbehaving ATS: every application arrives, and arrives once."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import pytest
from embloy_ats.applications import (
    ApplicationStatus,
    FailureReason,
    SubmissionUnsupported,
    Worker,
)
from embloy_ats.applications.metrics import ATTEMPTS, FAILURES
from prometheus_client import REGISTRY

from benchmarks.apply_ats import MODE, Step
from tests.applications.conftest import SENTINEL, Pipeline, form


async def test_a_queued_application_is_delivered_with_its_answers_and_files(
    pipeline: Pipeline,
) -> None:
    accepted = await pipeline.accept()
    assert await pipeline.worker().run_once() == 1
    record = await pipeline.store.show(accepted.application_id)
    assert record.status is ApplicationStatus.DELIVERED
    assert record.attempts == 1
    (kept,) = pipeline.ats.kept
    assert record.ats_application_id == kept.ats_id
    assert kept.reference == accepted.application_id
    assert kept.answers["permit"] is True
    assert kept.answers["languages"] == ["en", "de"]
    assert kept.answers["years"] == "7.5"
    assert kept.answers["available"] == "2027-01-15"
    assert kept.answers["profile"] == "https://linkedin.com/in/jane"
    (resume,) = kept.files
    assert (resume["name"], resume["content_type"]) == (f"{SENTINEL}-cv.pdf", "application/pdf")


async def test_503_then_200_arrives_once(pipeline: Pipeline) -> None:
    """A 5xx is ambiguous: before resending, the worker looks; the ATS did not keep it,
    so it is sent again, and the ATS ends with exactly one."""
    pipeline.ats.then(Step(status=503, record=False, body={"ok": False}))
    accepted = await pipeline.accept()
    worker = pipeline.worker()
    await worker.run_once()
    record = await pipeline.store.show(accepted.application_id)
    assert record.status is ApplicationStatus.RETRYING
    assert "503" in (record.last_error or "")
    await pipeline.drain(worker)
    assert pipeline.ats.times_kept() == {accepted.application_id: 1}
    assert pipeline.ats.lookups == 1
    assert await pipeline.status(accepted.application_id) is ApplicationStatus.DELIVERED
    assert (await pipeline.store.show(accepted.application_id)).attempts == 2


async def test_429_waits_for_retry_after_then_arrives_once(pipeline: Pipeline) -> None:
    pipeline.ats.then(Step(status=429, record=False, retry_after=120, body={"ok": False}))
    accepted = await pipeline.accept()
    worker = pipeline.worker(backoff_base=1.0)
    now = pipeline.clock.now().timestamp()
    await worker.run_once()
    record = await pipeline.store.show(accepted.application_id)
    assert record.status is ApplicationStatus.RETRYING
    assert record.next_attempt_at is not None
    assert record.next_attempt_at - now >= 120, "the ATS's Retry-After is honoured"
    pipeline.clock.advance(60)
    assert await worker.run_once() == 0, "not before Retry-After"
    await pipeline.drain(worker)
    assert pipeline.ats.times_kept() == {accepted.application_id: 1}
    assert pipeline.ats.lookups == 0, "a 429 is a refusal: nothing to look up"


async def test_a_retry_after_beyond_the_cap_is_cut_to_it(pipeline: Pipeline) -> None:
    pipeline.ats.then(Step(status=429, record=False, retry_after=86_400, body={"ok": False}))
    accepted = await pipeline.accept()
    now = pipeline.clock.now().timestamp()
    await pipeline.worker(max_retry_after=300.0).run_once()
    record = await pipeline.store.show(accepted.application_id)
    assert record.next_attempt_at is not None
    assert 300 <= record.next_attempt_at - now <= 301


async def test_a_429_pauses_the_tenants_other_applications_too(pipeline: Pipeline) -> None:
    """Retry-After is the ATS's word on the account, not on one application: a worker
    claiming another one of the tenant gives it back, scheduled after the pause."""
    pipeline.ats.then(Step(status=429, record=False, retry_after=120, body={"ok": False}))
    first = await pipeline.accept(1)
    worker = pipeline.worker(concurrency=1)
    now = pipeline.clock.now().timestamp()
    await worker.run_once()
    second = await pipeline.accept(2)
    assert await worker.run_once() == 1
    record = await pipeline.store.show(second.application_id)
    assert (record.status, record.attempts) == (ApplicationStatus.QUEUED, 0)
    assert record.next_attempt_at is not None
    assert record.next_attempt_at >= now + 119, "held back until the pause ends"
    assert len(pipeline.ats.post_times) == 1
    await pipeline.drain(worker)
    assert pipeline.ats.times_kept() == {first.application_id: 1, second.application_id: 1}


async def test_claims_whose_turn_is_far_off_are_given_back_for_their_turn(
    pipeline: Pipeline,
) -> None:
    await pipeline.resolver.set_connection(
        "acme", MODE, {"base_url": pipeline.ats.url, "submits_per_second": "1"}
    )
    for n in range(4):
        await pipeline.accept(n)
    worker = pipeline.worker(concurrency=4, rate_wait_max=0.5, rate_slack=0.0)
    now = pipeline.clock.now().timestamp()
    assert await worker.run_once() == 4
    records = await pipeline.store.list_applications()
    delivered = [r for r in records if r.status is ApplicationStatus.DELIVERED]
    assert len(delivered) == 1, "the turn at 0 s; the next is 1 s away, past rate_wait_max"
    given_back = [r for r in records if r.status is ApplicationStatus.QUEUED]
    assert len(given_back) == 3, "the others, untried"
    for record in given_back:
        assert record.attempts == 0
        assert record.next_attempt_at is not None
        assert record.next_attempt_at - now >= 1, "not before the next free turn"
    await pipeline.drain(worker)
    assert pipeline.ats.times_kept() == {r.application_id: 1 for r in records}


async def test_a_timeout_after_the_ats_recorded_it_is_found_not_resent(
    pipeline: Pipeline,
) -> None:
    """The ATS keeps the application but answers after our timeout: the lookup finds it,
    so there is still exactly one, and its id is the ATS's."""
    pipeline.ats.then(Step(hang=1.3))
    accepted = await pipeline.accept()
    worker = pipeline.worker()
    await worker.run_once()
    record = await pipeline.store.show(accepted.application_id)
    assert record.status is ApplicationStatus.RETRYING
    assert "UpstreamTimeout" in (record.last_error or "")
    await pipeline.drain(worker)
    assert pipeline.ats.times_kept() == {accepted.application_id: 1}
    assert len(pipeline.ats.post_times) == 1, "it was not sent a second time"
    record = await pipeline.store.show(accepted.application_id)
    assert record.status is ApplicationStatus.DELIVERED
    assert record.ats_application_id == pipeline.ats.kept[0].ats_id


async def test_a_200_whose_body_is_an_error_is_not_delivered(pipeline: Pipeline) -> None:
    pipeline.ats.then(
        Step(status=200, record=False, body={"ok": False, "error": "Failed to save person"})
    )
    accepted = await pipeline.accept()
    worker = pipeline.worker()
    await worker.run_once()
    record = await pipeline.store.show(accepted.application_id)
    assert record.status is ApplicationStatus.RETRYING, "a 2xx is not success by itself"
    assert record.ats_application_id is None
    assert pipeline.ats.kept == []
    await pipeline.drain(worker)
    assert pipeline.ats.times_kept() == {accepted.application_id: 1}


async def test_a_rejection_with_field_errors_fails_with_the_reasons_and_is_not_retried(
    pipeline: Pipeline,
) -> None:
    accepted = await pipeline.accept(7)
    email = f"jane.{SENTINEL}.7@example.org"
    pipeline.ats.then(
        Step(status=422, record=False,
             body={"ok": False, "errors": {"email": f"{email} is already taken",
                                           "phone": "must be a mobile number"}})
    )  # fmt: skip
    worker = pipeline.worker()
    await worker.run_once()
    record = await pipeline.store.show(accepted.application_id)
    assert record.status is ApplicationStatus.FAILED
    assert record.failure_reason is FailureReason.REJECTED
    assert record.last_error is not None
    assert "must be a mobile number" in record.last_error, "the ATS's reasons are kept"
    assert "is already taken" in record.last_error
    assert SENTINEL not in record.last_error, "but not the candidate's data they quote"
    pipeline.clock.advance(7 * 24 * 3600)
    assert await worker.run_once() == 0, "a rejection is not retried"
    assert len(pipeline.ats.post_times) == 1


async def test_after_the_deadline_it_fails_and_a_manual_retry_delivers_it(
    pipeline: Pipeline,
) -> None:
    pipeline.ats.then(*[Step(status=503, record=False, body={"ok": False})] * 100)
    accepted = await pipeline.accept()
    worker = pipeline.worker(backoff_max=6 * 3600.0)
    await pipeline.drain(worker, rounds=200)
    record = await pipeline.store.show(accepted.application_id)
    assert record.status is ApplicationStatus.FAILED
    assert record.failure_reason is FailureReason.DEADLINE
    assert "503" in (record.last_error or "")
    assert record.updated_at >= record.deadline_at
    # 2 s doubling to the 6 h cap: 14 attempts in the first 9 h, then one per 6 h, and a
    # last one at the deadline (the jitter draws its largest value here).
    assert 24 <= len(pipeline.ats.post_times) <= 28, len(pipeline.ats.post_times)
    assert await worker.run_once() == 0
    pipeline.ats.script.clear()
    again = await pipeline.service.retry(accepted.application_id)
    assert again.status is ApplicationStatus.QUEUED
    assert again.deadline_at > pipeline.clock.now().timestamp()
    await pipeline.drain(worker)
    assert await pipeline.status(accepted.application_id) is ApplicationStatus.DELIVERED
    assert pipeline.ats.times_kept() == {accepted.application_id: 1}


async def test_a_connector_that_cannot_submit_is_refused_at_accept_and_fails_in_the_queue(
    pipeline: Pipeline,
) -> None:
    from embloy_ats.applications.store import new_application_id
    from embloy_ats.applications.validation import ValidAnswers, validate_answers
    from embloy_ats.submission.model import NewApplication

    job = pipeline.job.model_copy(update={"connector": "fake", "slug": "fake__42"})
    fields, files = form()
    with pytest.raises(SubmissionUnsupported):
        await pipeline.service.accept(pipeline.tenant_id, job, fields, files)
    assert await pipeline.store.list_applications() == []
    # One stored before the connector lost the capability is failed, not retried forever.
    await pipeline.resolver.set_connection("acme", "fake", {"base_url": pipeline.ats.url})
    checked = validate_answers(job, fields, files)
    assert isinstance(checked, ValidAnswers)
    now = pipeline.clock.now().timestamp()
    inserted = await pipeline.store.insert(
        NewApplication(new_application_id(), pipeline.tenant_id, job, checked.answers,
                       checked.files, "x", None, now, now + 3600)
    )  # fmt: skip
    await pipeline.worker().run_once()
    record = await pipeline.store.show(inserted.record.application_id)
    assert record.failure_reason is FailureReason.UNSUPPORTED


async def test_without_a_lookup_an_ambiguous_outcome_fails_for_an_operator(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A connector that cannot look up does not resend blindly (a duplicate): it fails as
    `unknown_outcome`; retrying by hand (someone checked the ATS) sends it."""
    from benchmarks.apply_ats import ApplyAtsConnector

    monkeypatch.delattr(ApplyAtsConnector, "find_application")
    pipeline.ats.then(Step(status=500, record=False, body={"ok": False}))
    accepted = await pipeline.accept()
    worker = pipeline.worker()
    await pipeline.drain(worker)
    record = await pipeline.store.show(accepted.application_id)
    assert record.failure_reason is FailureReason.UNKNOWN_OUTCOME
    assert len(pipeline.ats.post_times) == 1
    await pipeline.service.retry(accepted.application_id)
    await pipeline.drain(worker)
    assert await pipeline.status(accepted.application_id) is ApplicationStatus.DELIVERED
    assert pipeline.ats.times_kept() == {accepted.application_id: 1}


async def test_a_connector_whose_ats_merges_duplicates_resends_without_a_lookup(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    from benchmarks.apply_ats import ApplyAtsConnector

    monkeypatch.delattr(ApplyAtsConnector, "find_application")
    monkeypatch.setattr(ApplyAtsConnector, "resend_after_unknown_outcome", True, raising=False)
    pipeline.ats.then(Step(status=500, record=False, body={"ok": False}))
    accepted = await pipeline.accept()
    await pipeline.drain(pipeline.worker())
    assert await pipeline.status(accepted.application_id) is ApplicationStatus.DELIVERED


async def test_no_personal_data_in_logs_errors_or_metric_labels(
    pipeline: Pipeline, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    pipeline.ats.then(
        Step(status=503, record=False, body={"ok": False}),
        Step(hang=1.3),
        Step(status=429, record=False, retry_after=1, body={"ok": False}),
        Step(status=422, record=False, body={"errors": {"name": f"Jane {SENTINEL}name Doe?"}}),
    )
    first = await pipeline.accept(1)
    second = await pipeline.accept(2)
    third = await pipeline.accept(3)
    await pipeline.drain(pipeline.worker())
    statuses = {await pipeline.status(a.application_id) for a in (first, second, third)}
    assert statuses == {ApplicationStatus.DELIVERED, ApplicationStatus.FAILED}
    assert caplog.records, "the pipeline logs what it does"
    for record in caplog.records:
        text = record.getMessage() + " " + " ".join(map(str, record.__dict__.values()))
        assert SENTINEL not in text, record.__dict__
        assert "example.org" not in text
    for application in await pipeline.store.list_applications():
        assert SENTINEL not in (application.last_error or "")
        assert SENTINEL not in str(application.to_json())
    for metric in (ATTEMPTS, FAILURES):
        for family in metric.collect():
            for sample in family.samples:
                assert SENTINEL not in str(sample.labels)
    names = {sample.name for family in REGISTRY.collect() for sample in family.samples}
    assert "embloy_ats_application_attempts_total" in names


async def test_lease_lost_mid_send_stops_the_send(
    pipeline: Pipeline, caplog: pytest.LogCaptureFixture
) -> None:
    """A worker that stalls past its lease loses the application to another; when the
    first notices at its next renewal, it stops, and the other delivers it once."""
    pipeline.ats.then(Step(hang=1.3, record=False))
    accepted = await pipeline.accept()
    slow = pipeline.worker(lease=0.6, attempt_timeout=10.0)
    sending = asyncio.create_task(slow.run_once())
    await asyncio.wait_for(pipeline.ats.posted(), 5)
    pipeline.clock.advance(1.0)  # the lease expires; another worker takes over
    other = pipeline.worker(lease=30.0)
    assert await other.run_once() == 1
    await asyncio.wait_for(sending, 5)
    assert await pipeline.status(accepted.application_id) is ApplicationStatus.DELIVERED
    assert pipeline.ats.times_kept() == {accepted.application_id: 1}
    assert any("lease lost" in r.getMessage() for r in caplog.records), "the first one noticed"


async def test_stopping_gives_unfinished_sends_back_in_doubt(pipeline: Pipeline) -> None:
    pipeline.ats.then(Step(hang=1.3))
    accepted = await pipeline.accept()
    worker: Worker = pipeline.worker(stop_grace=0.2, attempt_timeout=10.0, poll_interval=0.05)
    running = asyncio.create_task(worker.run())
    await asyncio.wait_for(pipeline.ats.posted(), 5)
    worker.stop()
    await asyncio.wait_for(running, 5)
    record = await pipeline.store.show(accepted.application_id)
    assert record.status is ApplicationStatus.RETRYING, "given back, not held till its lease"
    assert record.next_attempt_at is not None
    assert record.next_attempt_at <= pipeline.clock.now().timestamp()
    await pipeline.drain(pipeline.worker())
    assert pipeline.ats.times_kept() == {accepted.application_id: 1}
    assert pipeline.ats.lookups == 1, "the cut-off send was looked up, found, not resent"


async def test_a_renewal_that_answers_lease_lost_as_the_send_ends_cuts_off_nothing_after_it(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A renewal under way as the send ends may still answer "lost" although it was
    cancelled (its statement had run): the send is over by then, so nothing is stopped,
    and the worker's own run goes on instead of ending in a CancelledError."""
    accepted = await pipeline.accept()

    async def renew(*_: object, **__: object) -> bool:
        # cancelled, it answers all the same: its statement had run, the lease was gone
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.Event().wait()
        return False

    monkeypatch.setattr(pipeline.store, "renew", renew)
    worker = pipeline.worker(lease=0.03)
    assert await worker.run_once() == 1
    assert await pipeline.status(accepted.application_id) is ApplicationStatus.DELIVERED
    assert pipeline.ats.times_kept() == {accepted.application_id: 1}
