"""Workers in processes of their own: killed with SIGKILL mid-send, or several draining one
queue and sharing one rate limit. Nothing is lost, nothing arrives twice."""

from __future__ import annotations

import asyncio
import multiprocessing
import multiprocessing.forkserver
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from multiprocessing.context import ForkServerContext

import pytest
from embloy_ats.applications import ApplicationStatus, DeliverySettings, Worker
from embloy_ats.clock import SYSTEM_CLOCK

from benchmarks.apply_ats import MODE, Step
from tests.applications import worker_process
from tests.applications.conftest import Pipeline
from tests.conftest import ROOT


def forkserver() -> ForkServerContext:
    """Workers are forks of one server that has imported their module: a fresh interpreter
    for each would import the project again (about a second of CPU a worker)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([worker_process.__name__])
    # Python 3.11's forkserver is given this process's sys.path but imports its preload
    # without it, and ignores an ImportError: it finds the tests on PYTHONPATH instead.
    with pytest.MonkeyPatch.context() as server_environment:
        server_environment.setenv("PYTHONPATH", str(ROOT))
        multiprocessing.forkserver.ensure_running()
    return context


class WorkerProcess:
    def __init__(
        self, pipeline: Pipeline, *, lease: float, concurrency: int = 8, rate: int = 0
    ) -> None:
        """`rate`: submissions per second for every connector instead of their own
        limits (see `worker_process`); 0 keeps the connectors' limits."""
        context = forkserver()
        self.channel, sending = context.Pipe(duplex=False)
        self.process = context.Process(
            target=worker_process.run,
            args=(sending, pipeline.url, pipeline.key, lease, concurrency, rate),
        )
        self.process.start()
        sending.close()  # the worker holds the only other end: when it ends, so does the pipe

    async def word(self, within: float) -> object:
        """What the worker sends next; if it ended without a word, how."""
        if not await asyncio.to_thread(self.channel.poll, within):
            raise TimeoutError(f"no word from the worker within {within} s")
        try:
            return self.channel.recv()
        except EOFError:
            await asyncio.to_thread(self.process.join, 10)
            return f"the worker ended with exit code {self.process.exitcode}"

    async def ready(self) -> None:
        word = await self.word(30)
        assert word == "ready", word

    def kill(self) -> None:
        self.process.kill()
        self.process.join(10)
        assert self.process.exitcode is not None, "alive 10 s after SIGKILL"

    async def stop(self) -> int:
        """SIGTERM, and how many applications it says it delivered."""
        self.process.terminate()
        word = await self.word(30)
        await asyncio.to_thread(self.process.join, 30)
        assert self.process.exitcode == 0, word
        assert isinstance(word, int), word
        return word


@contextmanager
def worker_processes(
    pipeline: Pipeline, count: int, **options: float
) -> Iterator[list[WorkerProcess]]:
    started = [WorkerProcess(pipeline, **options) for _ in range(count)]  # type: ignore[arg-type]
    try:
        yield started
    finally:
        for worker in started:
            if worker.process.is_alive():
                worker.kill()
            worker.process.close()
            worker.channel.close()


def real_time(pipeline: Pipeline) -> None:
    """Processes run on the system clock: so does this test's application, from here."""
    pipeline.clock.current = datetime.now(UTC)


async def until_delivered(pipeline: Pipeline, count: int, *, within: float) -> None:
    deadline = time.monotonic() + within
    while (await pipeline.store.counts())[ApplicationStatus.DELIVERED] < count:
        assert time.monotonic() < deadline, await pipeline.store.counts()
        await asyncio.sleep(0.1)


@pytest.mark.parametrize("recorded", [True, False], ids=["ats-kept-it", "ats-lost-it"])
async def test_a_worker_killed_mid_send_delivers_once_after_restart(
    pipeline: Pipeline, recorded: bool
) -> None:
    """SIGKILL while the ATS holds the request: whether or not the ATS kept the
    application, the next worker (once the dead one's lease expired) ends with one."""
    real_time(pipeline)
    pipeline.ats.then(Step(record=recorded, hang=3.0))
    accepted = await pipeline.accept()
    with worker_processes(pipeline, 1, lease=1.0) as (doomed,):
        await doomed.ready()
        await asyncio.wait_for(pipeline.ats.posted(), 30)
        doomed.kill()
    record = await pipeline.store.show(accepted.application_id)
    assert (record.status, record.attempts) == (ApplicationStatus.DELIVERING, 1)
    settings = DeliverySettings(lease=1.0, poll_interval=0.05, lookup_delay=0.1)
    restarted = Worker(pipeline.store, pipeline.connectors, settings=settings, clock=SYSTEM_CLOCK)
    assert await restarted.run_once() == 0, "the dead worker's lease still holds"
    await asyncio.sleep(1.1)
    assert await restarted.run_once() == 1
    record = await pipeline.store.show(accepted.application_id)
    assert record.status is ApplicationStatus.DELIVERED
    assert pipeline.ats.times_kept() == {accepted.application_id: 1}
    assert pipeline.ats.lookups == 1, "it looked before resending"
    assert len(pipeline.ats.post_times) == (1 if recorded else 2)


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_two_workers_on_postgresql_drain_200_applications_each_delivered_once(
    pipeline: Pipeline,
) -> None:
    real_time(pipeline)
    pipeline.ats.latency = 0.03  # long enough for both processes to be up before the end
    for n in range(200):
        await pipeline.accept(n)
    with worker_processes(pipeline, 2, lease=5.0) as workers:
        for worker in workers:
            await worker.ready()
        await until_delivered(pipeline, 200, within=120)
        delivered = [await worker.stop() for worker in workers]
    stats = pipeline.ats.stats()
    assert (stats["kept"], stats["distinct"], stats["duplicates"]) == (200, 200, 0)
    assert stats["posts"] == 200, "no application was sent twice"
    assert sum(delivered) == 200
    assert min(delivered) > 0, f"both workers took part: {delivered}"
    records = await pipeline.store.list_applications(limit=1000)
    assert {(r.status, r.attempts) for r in records} == {(ApplicationStatus.DELIVERED, 1)}


async def test_two_workers_share_the_tenants_rate_limit(pipeline: Pipeline) -> None:
    """The tenant's connector may send 10 applications a second. Two workers, each able to
    send 8 at once, send 10 a second together: the limit is booked in the store."""
    real_time(pipeline)
    await pipeline.resolver.set_connection(
        "acme", MODE, {"base_url": pipeline.ats.url, "submits_per_second": "10"}
    )
    count = 30
    for n in range(count):
        await pipeline.accept(n)
    with worker_processes(pipeline, 2, lease=5.0) as workers:
        for worker in workers:
            await worker.ready()
        await until_delivered(pipeline, count, within=60)
        delivered = [await worker.stop() for worker in workers]
    stats = pipeline.ats.stats()
    assert (stats["kept"], stats["duplicates"]) == (count, 0)
    assert min(delivered) > 0, f"both workers sent: {delivered}"
    # Turns are (1 s + rate_slack 0.5 s) / 10 apart. The senders' own stamps are a little
    # after their turns, the first perhaps most (a fresh process sets up its connections),
    # so the span is measured with room for that; two workers each keeping the limit on
    # their own would need half of it.
    sent = sorted(stats["sent_times"])
    assert len(sent) == count
    assert sent[-1] - sent[0] >= (count - 1) * 0.125 * 0.8, [round(t - sent[0], 3) for t in sent]
