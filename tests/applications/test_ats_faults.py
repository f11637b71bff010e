"""Greenhouse, Lever and Ashby misbehaving: every application arrives, and arrives once.

Each fault runs against the real connector and a fake of its ATS, on SQLite and on
PostgreSQL: a 503 (the ATS kept the application or lost it), a 429 with Retry-After, a
timeout after the ATS recorded it, a worker killed with SIGKILL mid-send, two worker
processes draining 200 applications from one PostgreSQL queue, and the Postings API's
2 POSTs per second kept by two workers together. After an ambiguous outcome Greenhouse
(with Harvest), the Lever API and Ashby look the application up; Lever's Postings API
resends, and Lever merges the second into the first; SmartRecruiters and Recruitee, which can
do neither, leave it to an operator.

No test here may put the candidates' data into a log line or a stored error.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import pytest
from embloy_ats.applications import ApplicationStatus, DeliverySettings, FailureReason, Worker
from embloy_ats.clock import SYSTEM_CLOCK

from benchmarks.apply_ats import Step
from tests.applications import ats_fakes
from tests.applications.ats_fakes import PROFILES, email_of
from tests.applications.conftest import SENTINEL, Pipeline
from tests.applications.test_processes import real_time, until_delivered, worker_processes

ats_pipeline = ats_fakes.ats_pipeline
FAULTED = [
    "greenhouse",
    "lever",
    "lever-postings",
    "ashby",
    "personio",
    "teamtailor",
    "workable",
    "smartrecruiters",
    "recruitee",
]


@pytest.fixture(autouse=True)
def no_personal_data_in_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level(logging.DEBUG)
    yield
    for record in caplog.records:
        text = record.getMessage() + " " + " ".join(map(str, record.__dict__.values()))
        assert SENTINEL not in text, record.__dict__
        assert "example.org" not in text, record.__dict__


def after_doubt(request: pytest.FixtureRequest) -> str:
    return PROFILES[request.node.callspec.params["ats_pipeline"]].after_doubt


async def no_error_kept(pipeline: Pipeline) -> None:
    for record in await pipeline.store.list_applications(limit=1000):
        assert SENTINEL not in (record.last_error or "")
        assert SENTINEL not in str(record.to_json())


async def an_operator_settles_the_doubt(
    pipeline: Pipeline, application_id: str, *, in_the_ats: bool
) -> None:
    """A connector that can neither look up nor resend safely (SmartRecruiters, Recruitee)
    leaves an ambiguous outcome to an operator: never sent a second time by itself, and told
    to check the ATS; one who finds the application missing in the ATS retries it by hand,
    and it arrives once."""
    record = await pipeline.store.show(application_id)
    assert (record.status, record.failure_reason) == (
        ApplicationStatus.FAILED, FailureReason.UNKNOWN_OUTCOME,
    )  # fmt: skip
    assert "check the ATS" in (record.last_error or ""), "the operator is told what to do"
    assert len(pipeline.ats.post_times) == 1, "never resent on a doubt"
    assert pipeline.ats.lookups == 0
    if not in_the_ats:
        assert pipeline.ats.kept == []
        await pipeline.service.retry(application_id)
        await pipeline.drain(pipeline.worker())
        assert await pipeline.status(application_id) is ApplicationStatus.DELIVERED
    assert pipeline.ats.times_kept() == {email_of(0): 1}
    await no_error_kept(pipeline)


@pytest.mark.parametrize("recorded", [False, True], ids=["ats-lost-it", "ats-kept-it"])
@pytest.mark.parametrize("ats_pipeline", FAULTED, indirect=True)
async def test_503_then_200_leaves_one_application_in_the_ats(
    ats_pipeline: Pipeline, recorded: bool, request: pytest.FixtureRequest
) -> None:
    """A 5xx is ambiguous: the worker looks first (or, for the Postings API, resends into
    Lever's merge), so whether or not the ATS kept the first send, it ends with one."""
    ats_pipeline.ats.then(Step(status=503, record=recorded, body={}))
    accepted = await ats_pipeline.accept()
    worker = ats_pipeline.worker()
    await worker.run_once()
    record = await ats_pipeline.store.show(accepted.application_id)
    assert record.status is ApplicationStatus.RETRYING
    assert "503" in (record.last_error or "")
    await ats_pipeline.drain(worker)
    if after_doubt(request) == "fail":
        await an_operator_settles_the_doubt(
            ats_pipeline, accepted.application_id, in_the_ats=recorded
        )
        return
    assert ats_pipeline.ats.times_kept() == {email_of(0): 1}
    record = await ats_pipeline.store.show(accepted.application_id)
    assert record.status is ApplicationStatus.DELIVERED
    if after_doubt(request) == "lookup":
        assert ats_pipeline.ats.lookups == 1, "it looked before resending"
        assert len(ats_pipeline.ats.post_times) == (1 if recorded else 2)
        if recorded:
            assert record.ats_application_id == ats_pipeline.ats.kept[0].ats_id, "found"
    else:
        assert ats_pipeline.ats.lookups == 0
        assert len(ats_pipeline.ats.post_times) == 2, "resent: Lever merges by email"
    await no_error_kept(ats_pipeline)


@pytest.mark.parametrize("ats_pipeline", FAULTED, indirect=True)
async def test_429_waits_for_retry_after_then_arrives_once(ats_pipeline: Pipeline) -> None:
    ats_pipeline.ats.then(Step(status=429, record=False, retry_after=120, body={}))
    accepted = await ats_pipeline.accept()
    worker = ats_pipeline.worker(backoff_base=1.0)
    now = ats_pipeline.clock.now().timestamp()
    await worker.run_once()
    record = await ats_pipeline.store.show(accepted.application_id)
    assert record.status is ApplicationStatus.RETRYING
    assert record.next_attempt_at is not None
    assert record.next_attempt_at - now >= 120, "the ATS's Retry-After is honoured"
    ats_pipeline.clock.advance(60)
    assert await worker.run_once() == 0, "not before Retry-After"
    await ats_pipeline.drain(worker)
    assert ats_pipeline.ats.times_kept() == {email_of(0): 1}
    assert ats_pipeline.ats.lookups == 0, "a 429 is a refusal: nothing to look up"
    assert len(ats_pipeline.ats.post_times) == 2


@pytest.mark.parametrize("ats_pipeline", FAULTED, indirect=True)
async def test_a_timeout_after_the_ats_recorded_it_leaves_one(
    ats_pipeline: Pipeline, request: pytest.FixtureRequest
) -> None:
    """The ATS keeps the application but answers after the client's timeout."""
    ats_pipeline.ats.then(Step(hang=1.3))
    accepted = await ats_pipeline.accept()
    worker = ats_pipeline.worker()
    await worker.run_once()
    record = await ats_pipeline.store.show(accepted.application_id)
    assert record.status is ApplicationStatus.RETRYING
    assert "UpstreamTimeout" in (record.last_error or "")
    await ats_pipeline.drain(worker)
    if after_doubt(request) == "fail":
        await an_operator_settles_the_doubt(ats_pipeline, accepted.application_id, in_the_ats=True)
        return
    assert ats_pipeline.ats.times_kept() == {email_of(0): 1}
    record = await ats_pipeline.store.show(accepted.application_id)
    assert record.status is ApplicationStatus.DELIVERED
    if after_doubt(request) == "lookup":
        assert len(ats_pipeline.ats.post_times) == 1, "found, not sent a second time"
        assert record.ats_application_id == ats_pipeline.ats.kept[0].ats_id
    else:
        assert len(ats_pipeline.ats.post_times) == 2, "resent into Lever's merge"
    await no_error_kept(ats_pipeline)


@pytest.mark.parametrize("ats_pipeline", FAULTED, indirect=True)
async def test_a_worker_killed_mid_send_delivers_once_after_restart(
    ats_pipeline: Pipeline, request: pytest.FixtureRequest
) -> None:
    """SIGKILL while the ATS holds the request it has recorded: the next worker, once the
    dead one's lease expired, ends with exactly one application in the ATS."""
    real_time(ats_pipeline)
    ats_pipeline.ats.then(Step(hang=3.0))
    accepted = await ats_pipeline.accept()
    with worker_processes(ats_pipeline, 1, lease=1.0) as (doomed,):
        await doomed.ready()
        await asyncio.wait_for(ats_pipeline.ats.posted(), 30)
        doomed.kill()
    record = await ats_pipeline.store.show(accepted.application_id)
    assert (record.status, record.attempts) == (ApplicationStatus.DELIVERING, 1)
    settings = DeliverySettings(lease=1.0, poll_interval=0.05, lookup_delay=0.1)
    restarted = Worker(
        ats_pipeline.store, ats_pipeline.connectors, settings=settings, clock=SYSTEM_CLOCK
    )
    await asyncio.sleep(1.1)
    assert await restarted.run_once() == 1
    if after_doubt(request) == "fail":
        await an_operator_settles_the_doubt(ats_pipeline, accepted.application_id, in_the_ats=True)
        return
    record = await ats_pipeline.store.show(accepted.application_id)
    assert record.status is ApplicationStatus.DELIVERED
    assert ats_pipeline.ats.times_kept() == {email_of(0): 1}
    resent = after_doubt(request) == "resend"
    assert len(ats_pipeline.ats.post_times) == (2 if resent else 1)


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
@pytest.mark.parametrize("ats_pipeline", ["greenhouse", "lever", "ashby"], indirect=True)
async def test_two_workers_on_postgresql_drain_200_applications_each_delivered_once(
    ats_pipeline: Pipeline,
) -> None:
    """Exactly once is what is counted here, not the ATS's limit (the Postings API test
    below keeps one): the workers may send 1,000 a second, so the drain takes as long as the
    sends, not 200 turns of the connector's limit."""
    real_time(ats_pipeline)
    ats_pipeline.ats.latency = 0.03  # long enough for both processes to be up before the end
    for n in range(200):
        await ats_pipeline.accept(n)
    with worker_processes(ats_pipeline, 2, lease=5.0, rate=1000) as workers:
        for worker in workers:
            await worker.ready()
        await until_delivered(ats_pipeline, 200, within=150)
        delivered = [await worker.stop() for worker in workers]
    stats = ats_pipeline.ats.stats()
    assert (stats["kept"], stats["distinct"], stats["duplicates"]) == (200, 200, 0)
    assert stats["posts"] == 200, "no application was sent twice"
    assert ats_pipeline.ats.times_kept() == {email_of(n): 1 for n in range(200)}
    assert sum(delivered) == 200
    assert min(delivered) > 0, f"both workers took part: {delivered}"
    records = await ats_pipeline.store.list_applications(limit=1000)
    assert {(r.status, r.attempts) for r in records} == {(ApplicationStatus.DELIVERED, 1)}


@pytest.mark.parametrize("ats_pipeline", ["lever-postings"], indirect=True)
async def test_two_workers_keep_the_postings_api_limit_of_2_per_second_together(
    ats_pipeline: Pipeline,
) -> None:
    """Lever's Postings API answers 429 above 2 application POSTs a second: two workers,
    each sending two at once, send 2 a second together (the turn is booked in the store),
    and Lever never has to refuse one."""
    real_time(ats_pipeline)
    ats_pipeline.ats.limit_per_second = 2
    count = 8
    for n in range(count):
        await ats_pipeline.accept(n)
    with worker_processes(ats_pipeline, 2, lease=5.0, concurrency=2) as workers:
        for worker in workers:
            await worker.ready()
        await until_delivered(ats_pipeline, count, within=60)
        delivered = [await worker.stop() for worker in workers]
    stats = ats_pipeline.ats.stats()
    assert stats["rate_limited"] == 0, "no POST went over Lever's limit"
    assert (stats["kept"], stats["duplicates"], stats["posts"]) == (count, 0, count)
    assert min(delivered) > 0, f"both workers sent: {delivered}"
    arrivals = sorted(stats["post_times"])
    busiest = max(sum(1 for t in arrivals if start <= t < start + 1.0) for start in arrivals)
    assert busiest <= 2, [round(t - arrivals[0], 3) for t in arrivals]
