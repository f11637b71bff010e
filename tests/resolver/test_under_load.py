"""What the benchmarks and the soak found in the resolver and the stores, kept found."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from typing import Any

import httpx
import psycopg
import pytest
from embloy_ats import HttpClient, Job, Registry, UpstreamUnavailable
from embloy_ats.resolver import FreshnessPolicy, Resolver
from embloy_ats.store import Store, store_for
from embloy_ats.store.postgres import PostgresStore

from tests.resolver.conftest import ManualClock

JOB = {"id": "7", "title": "Backend Engineer", "status": "open"}


def slow_ats(delay: float, answer: dict[str, Any] | int = JOB) -> HttpClient:
    async def handler(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(delay)
        if isinstance(answer, int):
            return httpx.Response(answer)
        job_id = request.url.path.rsplit("/", 1)[1]
        return httpx.Response(200, json={**answer, "id": job_id})

    return HttpClient(transport=httpx.MockTransport(handler))


async def open_resolver(store: Store, registry: Registry, http: HttpClient, **kw: Any) -> Resolver:
    resolver = Resolver(store, registry=registry, http=http, **kw)
    await resolver.open()
    await resolver.create_tenant("acme")
    await resolver.set_connection("acme", "fake", {"account": "acme"})
    return resolver


@pytest.fixture
async def small_pool(pg_schema: str, registry: Registry) -> AsyncIterator[Resolver]:
    resolver = await open_resolver(
        PostgresStore(pg_schema, min_size=1, max_size=4), registry, slow_ats(0.2)
    )
    yield resolver
    await resolver.close()


async def test_more_unknown_jobs_at_once_than_pool_connections_do_not_deadlock(
    small_pool: Resolver,
) -> None:
    """Each fetch held a pooled connection for its lock and needed a second one to read:
    with as many fetches as connections, every fetch waited for a connection forever."""
    jobs = await asyncio.wait_for(
        asyncio.gather(*(small_pool.resolve("acme", "fake", str(n)) for n in range(1, 13))),
        timeout=15,
    )
    assert sorted(int(job.external_id) for job in jobs) == list(range(1, 13))


async def test_an_unknown_job_costs_six_statements_on_postgresql(
    small_pool: Resolver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """lookup, lock, lookup again, connection, store, unlock: one round trip each."""
    statements: list[str] = []
    execute = psycopg.AsyncConnection.execute

    async def counting(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        statements.append(str(query).split()[0])
        return await execute(self, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.AsyncConnection, "execute", counting)
    await small_pool.resolve("acme", "fake", "7")
    assert len(statements) <= 6, statements


async def test_a_stored_job_is_decoded_once_while_its_row_is_unchanged(
    store: Store, registry: Registry, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    http = slow_ats(0.0)
    policy = FreshnessPolicy(max_age=60)
    resolver = await open_resolver(store, registry, http, clock=clock, policy=policy)
    decoded: list[str] = []
    original = Job.model_validate_json

    def counting(data: str | bytes, **kwargs: Any) -> Job:
        decoded.append("x")
        return original(data, **kwargs)

    monkeypatch.setattr(Job, "model_validate_json", counting)
    try:
        first = await resolver.resolve_detailed("acme", "fake", "7")
        hits = [await resolver.resolve_detailed("acme", "fake", "7") for _ in range(5)]
        assert first.source == "upstream"
        assert {hit.source for hit in hits} == {"store"}
        assert hits[0].job == first.job
        assert all(hit.job is hits[0].job for hit in hits)
        assert len(decoded) == 1, "the first store hit decodes; the others reuse it"

        clock.advance(120)  # stale: refetched, and the new row is decoded afresh
        refetched = await resolver.resolve_detailed("acme", "fake", "7")
        again = await resolver.resolve_detailed("acme", "fake", "7")
        assert (refetched.source, again.source) == ("upstream", "store")
        assert again.job.fetched_at == refetched.job.fetched_at != first.job.fetched_at
        assert len(decoded) == 2
    finally:
        await resolver.close()


async def test_a_failed_fetch_nobody_waits_for_is_not_reported_as_never_retrieved(
    tmp_path: Any, registry: Registry
) -> None:
    loop = asyncio.get_running_loop()
    reported: list[dict[str, Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _, context: reported.append(context))
    resolver = await open_resolver(
        store_for(f"sqlite:///{tmp_path}/r.db"), registry, slow_ats(0.05, 503)
    )
    try:
        caller = asyncio.create_task(resolver.resolve("acme", "fake", "7"))
        await asyncio.sleep(0.01)
        caller.cancel()  # the only caller gives up; the shared fetch goes on and fails
        with pytest.raises(asyncio.CancelledError):
            await caller
        for _ in range(100):
            if not resolver._inflight:
                break
            await asyncio.sleep(0.02)
        assert not resolver._inflight
        gc.collect()
        await asyncio.sleep(0)
        assert not [c for c in reported if "never retrieved" in str(c.get("message"))]
        with pytest.raises(UpstreamUnavailable):  # the failure is remembered all the same
            await resolver.resolve("acme", "fake", "7")
    finally:
        loop.set_exception_handler(previous)
        await resolver.close()
