"""What the benchmarks and the soak found in the resolver and the stores, kept found."""

from __future__ import annotations

import asyncio
import contextvars
import gc
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import psycopg
import pytest
from embloy_ats import HttpClient, Job, JobNotFound, Registry, UpstreamUnavailable
from embloy_ats.resolver import _DECODED_MAX_CHARS, FreshnessPolicy, Resolver
from embloy_ats.store import Store, StoredJob, store_for
from embloy_ats.store.base import Lookup
from embloy_ats.store.postgres import STORE_AND_UNLOCK, PostgresStore, lock_id
from embloy_ats.store.sqlite import SqliteStore

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
async def reported() -> AsyncIterator[list[dict[str, Any]]]:
    """What the event loop's exception handler is handed during the test (an error in a
    task nobody awaited, say)."""
    loop = asyncio.get_running_loop()
    contexts: list[dict[str, Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _, context: contexts.append(context))
    yield contexts
    loop.set_exception_handler(previous)


@pytest.fixture
async def small_pool(pg_schema: str, registry: Registry) -> AsyncIterator[Resolver]:
    resolver = await open_resolver(
        PostgresStore(pg_schema, min_size=1, max_size=4), registry, slow_ats(0.2)
    )
    yield resolver
    await resolver.close()


@pytest.fixture
async def gone_pool(pg_schema: str, registry: Registry) -> AsyncIterator[Resolver]:
    """An ATS that says every job is gone: the miss is stored, then the lock let go (an
    upsert of a job lets go of its lock itself)."""
    resolver = await open_resolver(
        PostgresStore(pg_schema, min_size=1, max_size=4), registry, slow_ats(0.2, 404)
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


def counted_round_trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement PostgreSQL connections send from now on, by its first words (the
    fetch lock's function calls by what they do)."""
    trips: list[str] = []
    execute = psycopg.AsyncConnection.execute

    async def counting(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        assert self._pipeline is None
        text = str(query)
        if "embloy_lookup_or_lock_" in text:
            trips.append("lookup or lock")
        elif "embloy_lock_and_lookup_" in text:
            trips.append("lock and lookup")
        elif "embloy_store_and_unlock_" in text:
            trips.append("store and unlock")
        else:
            trips.append(" ".join(text.replace("(", " ").split()[:2]))
        return await execute(self, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.AsyncConnection, "execute", counting)
    return trips


async def test_an_unknown_job_costs_three_round_trips_on_postgresql(
    small_pool: Resolver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lookup takes the fetch lock when the job is unknown and no other process holds
    it (one function call); store; unlock: three plain statements, no pipeline, and the
    caller waits for two of them: the unlock goes on after the answer. The connection's
    version comes with the lookup, so a known connection is not read again."""
    await small_pool.resolve("acme", "fake", "6")  # builds the connector once
    trips = counted_round_trips(monkeypatch)
    await small_pool.resolve("acme", "fake", "7")
    await small_pool.store.close()  # waits for the unlock, which the answer does not
    assert trips == ["lookup or lock", "store and unlock"]


async def test_a_burst_of_resolves_of_one_unknown_job_costs_three_round_trips(
    small_pool: Resolver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Resolves of one job that arrive while its lookup is under way wait for that lookup,
    then for its fetch: the burst costs what one resolve costs."""
    await small_pool.resolve("acme", "fake", "6")
    trips = counted_round_trips(monkeypatch)
    jobs = await asyncio.gather(*(small_pool.resolve("acme", "fake", "7") for _ in range(20)))
    assert {job.external_id for job in jobs} == {"7"}
    await small_pool.store.close()
    assert trips == ["lookup or lock", "store and unlock"]


async def test_a_burst_of_resolves_of_one_stored_job_costs_one_lookup(
    small_pool: Resolver, monkeypatch: pytest.MonkeyPatch
) -> None:
    await small_pool.resolve("acme", "fake", "7")
    trips = counted_round_trips(monkeypatch)
    jobs = await asyncio.gather(*(small_pool.resolve("acme", "fake", "7") for _ in range(20)))
    assert {job.external_id for job in jobs} == {"7"}
    assert len(trips) == 1


async def test_the_answer_does_not_wait_for_the_unlock(
    gone_pool: Resolver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The miss is committed before the lock is released, and the candidate gets the answer
    without waiting for the release; another process can take the lock once it is
    released."""
    release = asyncio.Event()
    execute = psycopg.AsyncConnection.execute

    async def held_unlock(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        if "pg_advisory_unlock" in str(query):
            await release.wait()
        return await execute(self, query, *args, **kwargs)

    store = gone_pool.store
    assert isinstance(store, PostgresStore)

    monkeypatch.setattr(psycopg.AsyncConnection, "execute", held_unlock)
    with pytest.raises(JobNotFound):
        await asyncio.wait_for(gone_pool.resolve("acme", "fake", "7"), timeout=10)
    tenant = await gone_pool.tenant("acme")
    lock = lock_id(tenant.id, "fake", "7")
    assert await store.get_miss(tenant.id, "fake", "7") is not None
    assert not lock_is_free(store.conninfo, lock), "still held while the unlock waits"
    release.set()
    for _ in range(200):  # the pool, and the session that held the lock, stay open
        if lock_is_free(store.conninfo, lock):
            break
        await asyncio.sleep(0.02)
    else:
        pytest.fail("the lock was never released")


def lock_is_free(conninfo: str, lock: int) -> bool:
    """Whether another session can take `lock` now (it lets go of it at once)."""
    with psycopg.connect(conninfo, autocommit=True) as other:
        row = other.execute("SELECT pg_try_advisory_lock(%s)", (lock,)).fetchone()
        return row is not None and row[0] is True


def sessions_named(conninfo: str, application_name: str) -> int:
    with psycopg.connect(conninfo, autocommit=True) as other:
        row = other.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
            (application_name,),
        ).fetchone()
        return row[0] if row else 0


async def assert_pooled_sessions_hold_no_lock(store: PostgresStore, checkouts: int) -> None:
    """`checkouts` connections taken from the pool one after another hold no advisory lock."""
    for _ in range(checkouts):
        async with store.pool.connection() as conn:
            cursor = await conn.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = "
                "pg_backend_pid()"
            )
            assert await cursor.fetchone() == (0,)


async def test_closing_the_resolver_mid_fetch_leaves_no_session_and_no_lock(
    pg_schema: str, registry: Registry, reported: list[dict[str, Any]]
) -> None:
    """The lead is cancelled while it holds the fetch lock: its unlock runs before the
    store closes, so no session stays open and nothing is reported as never retrieved."""
    name = f"embloy-close-{uuid.uuid4().hex[:8]}"
    store = PostgresStore(f"{pg_schema}&application_name={name}", min_size=1, max_size=4)
    resolver = await open_resolver(store, registry, slow_ats(5.0))
    try:
        tenant = await resolver.tenant("acme")
        lock = lock_id(tenant.id, "fake", "7")
        caller = asyncio.create_task(resolver.resolve("acme", "fake", "7"))
        for _ in range(200):
            if not lock_is_free(pg_schema, lock):
                break
            await asyncio.sleep(0.02)
        else:
            pytest.fail("the fetch never took its lock")
        await resolver.close()
        with pytest.raises(asyncio.CancelledError):
            await caller
        gc.collect()
        await asyncio.sleep(0.05)
        assert reported == []
        assert sessions_named(pg_schema, name) == 0
        assert lock_is_free(pg_schema, lock)
    finally:
        await resolver.close()


async def test_a_lock_holder_cancelled_as_the_store_closes_leaves_no_session(
    pg_schema: str,
) -> None:
    """The holder lets go while the pool is closing: its unlock still reaches the pool it
    came from, and close() returns only once that unlock is done."""
    name = f"embloy-close-{uuid.uuid4().hex[:8]}"
    store = PostgresStore(f"{pg_schema}&application_name={name}", min_size=1, max_size=4)
    await store.open()
    tenant = await store.create_tenant("acme", now=1.0)
    inside = asyncio.Event()

    async def hold() -> None:
        async with store.fetch_lock(tenant.id, "fake", "7"):
            inside.set()
            await asyncio.sleep(10)

    holder = asyncio.create_task(hold())
    await inside.wait()
    holder.cancel()
    await store.close()
    assert not store._unlocking
    with pytest.raises(asyncio.CancelledError):
        await holder
    assert sessions_named(pg_schema, name) == 0
    assert lock_is_free(pg_schema, lock_id(tenant.id, "fake", "7"))


async def test_a_cancelled_unlock_ends_its_session_instead_of_pooling_the_lock(
    gone_pool: Resolver, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = gone_pool.store
    assert isinstance(store, PostgresStore)
    execute = psycopg.AsyncConnection.execute

    async def stuck_unlock(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        if "pg_advisory_unlock" in str(query):
            await asyncio.Event().wait()
        return await execute(self, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.AsyncConnection, "execute", stuck_unlock)
    with pytest.raises(JobNotFound):
        await gone_pool.resolve("acme", "fake", "7")
    tenant = await gone_pool.tenant("acme")
    lock = lock_id(tenant.id, "fake", "7")
    assert not lock_is_free(store.conninfo, lock)
    (unlocking,) = store._unlocking
    await asyncio.sleep(0)  # it has started, and waits in the unlock
    unlocking.cancel()
    with pytest.raises(asyncio.CancelledError):
        await unlocking
    # the client's close is sent at once; the server ends the backend, and with it the
    # lock, a moment later: a pooled session would hold it for ever, so wait a little
    for _ in range(100):
        if lock_is_free(store.conninfo, lock):
            break
        await asyncio.sleep(0.05)
    else:
        pytest.fail("the session that held the lock was not ended")
    await assert_pooled_sessions_hold_no_lock(store, 8)


async def test_the_next_lock_holder_sees_the_job_the_last_one_committed(pg_schema: str) -> None:
    """A waiter's lookup runs once the lock is granted, with a fresh snapshot: it sees the
    job the holder stored while the waiter was already waiting. (In one plain statement,
    the snapshot would be older than the wait, and the waiter would fetch again.)"""
    store = PostgresStore(pg_schema, min_size=1, max_size=4)
    await store.open()
    try:
        tenant = await store.create_tenant("acme", now=1.0)

        async def follow() -> Lookup | None:
            async with store.fetch_lock(tenant.id, "fake", "7") as looked:
                return looked

        async with store.fetch_lock(tenant.id, "fake", "7") as first:
            assert first is not None
            assert first.job is None
            follower = asyncio.create_task(follow(), context=contextvars.Context())
            await asyncio.sleep(0.3)
            assert not follower.done(), "the follower waits for the lock"
            await store.put_job(StoredJob(tenant.id, "fake", "7", '{"title": "x"}', 2.0))
        followed = await asyncio.wait_for(follower, timeout=10)
        assert followed is not None
        assert followed.job is not None
        assert (followed.job.job_json, followed.job.fetched_at) == ('{"title": "x"}', 2.0)
    finally:
        await store.close()


async def test_a_lookup_claims_only_an_unknown_job_whose_lock_is_free(pg_schema: str) -> None:
    """The claim comes with the lookup of an unknown job; not with a stored one, nor while
    another session holds the lock (the caller then waits for it with `fetch_lock`). A
    claim never entered is released all the same, and its session goes back unlocked."""
    store = PostgresStore(pg_schema, min_size=1, max_size=4)
    await store.open()
    try:
        tenant = await store.create_tenant("acme", now=1.0)
        lock = lock_id(tenant.id, "fake", "7")
        looked, claim = await store.lookup_or_claim(tenant.id, "fake", "7")
        assert looked.job is None
        assert claim is not None
        assert not lock_is_free(pg_schema, lock)
        again, second = await store.lookup_or_claim(tenant.id, "fake", "7")
        assert (again.job, second) == (None, None), "held by the first claim's session"
        claim.release()
        claim.release()
        await store._unlocked()
        assert lock_is_free(pg_schema, lock)
        await store.put_job(StoredJob(tenant.id, "fake", "7", '{"title": "x"}', 2.0))
        stored, none = await store.lookup_or_claim(tenant.id, "fake", "7")
        assert stored.job is not None
        assert none is None
        assert lock_is_free(pg_schema, lock)
        await assert_pooled_sessions_hold_no_lock(store, 4)
    finally:
        await store.close()


async def test_the_upsert_lets_go_of_the_lock_only_once_the_job_is_committed(
    small_pool: Resolver,
) -> None:
    """The job's upsert takes the lock for its transaction before the session lets go of
    it: another session is granted it only after the commit, and its lookup finds the job.
    Once the answer is given, no session holds the lock any more."""
    store = small_pool.store
    assert isinstance(store, PostgresStore)
    tenant = await small_pool.tenant("acme")
    lock = lock_id(tenant.id, "fake", "8")
    with psycopg.connect(store.conninfo) as holder:  # not autocommit: one open transaction
        holder.execute("SELECT pg_advisory_lock(%s)", (lock,))
        holder.execute(STORE_AND_UNLOCK, (lock, tenant.id, "fake", "8", '{"title": "x"}', 2.0))
        assert not lock_is_free(store.conninfo, lock), "held until the commit"
        assert await store.get_job(tenant.id, "fake", "8") is None
        holder.commit()
        assert lock_is_free(store.conninfo, lock)
        assert await store.get_job(tenant.id, "fake", "8") is not None
    await small_pool.resolve("acme", "fake", "7")
    assert lock_is_free(store.conninfo, lock_id(tenant.id, "fake", "7"))
    await assert_pooled_sessions_hold_no_lock(store, 4)


async def test_a_connection_changed_elsewhere_is_used_on_the_next_fetch(
    store: Store, registry: Registry
) -> None:
    """Another process (here: a second resolver on the same store) re-points the tenant's
    connection: the lookup reads its new version, so the cached connector is not reused."""
    seen: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(200, json={**JOB, "id": request.url.path.rsplit("/", 1)[1]})

    http = HttpClient(transport=httpx.MockTransport(handler))
    first = await open_resolver(store, registry, http)
    other = Resolver(store, registry=registry, http=http)
    try:
        await first.resolve("acme", "fake", "1")
        await other.set_connection("acme", "fake", {"account": "globex"})
        await first.resolve("acme", "fake", "2")
    finally:
        await first.close()
    assert seen == ["/accounts/acme/jobs/1", "/accounts/globex/jobs/2"]


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


async def test_a_fresh_job_decoded_before_is_answered_from_sqlite_without_a_lookup(
    tmp_path: Any, registry: Registry, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite reads on the loop: a stored job read back once is answered by a read of its
    row alone, neither its miss nor the connection; a stale one is looked up in full."""
    store = store_for(f"sqlite:///{tmp_path}/r.db")
    policy = FreshnessPolicy(max_age=60)
    resolver = await open_resolver(store, registry, slow_ats(0.0), clock=clock, policy=policy)
    looked: list[str] = []
    lookup = store.lookup

    async def counting(tenant_id: str, mode: str, job_id: str) -> Lookup:
        looked.append(job_id)
        return await lookup(tenant_id, mode, job_id)

    monkeypatch.setattr(store, "lookup", counting)
    try:
        first = await resolver.resolve_detailed("acme", "fake", "7")
        decoded = await resolver.resolve_detailed("acme", "fake", "7")
        assert looked == ["7", "7"], "unknown, then stored but never read back: looked up"
        hits = [await resolver.resolve_detailed("acme", "fake", "7") for _ in range(5)]
        assert looked == ["7", "7"]
        assert {hit.source for hit in hits} == {"store"}
        assert all(hit.job is decoded.job for hit in hits)
        assert decoded.job == first.job
        clock.advance(120)
        refetched = await resolver.resolve_detailed("acme", "fake", "7")
        assert refetched.source == "upstream"
        assert looked == ["7", "7", "7"]
    finally:
        await resolver.close()


def reads_of_job_rows(store: SqliteStore) -> list[str]:
    """The statements that read a job's row (its JSON text) on the loop's connection from
    now on: the read of the row alone, or the full lookup."""
    reads: list[str] = []

    def traced(statement: str) -> None:
        if statement.startswith(("SELECT job, fetched_at FROM jobs", "SELECT j.job")):
            reads.append(statement.split()[1].rstrip(","))

    store.db.set_trace_callback(traced)
    return reads


async def test_a_job_too_large_to_keep_decoded_is_read_once_a_resolve_on_sqlite(
    tmp_path: Any, registry: Registry, clock: ManualClock
) -> None:
    """Only a job kept decoded is worth a read of its row alone: any other is looked up in
    full after it, and its text, up to megabytes, read twice on the loop. A job that grew
    too large to keep is no longer taken for one kept."""
    description = "<p>" + "x" * _DECODED_MAX_CHARS + "</p>"
    answers = {"7": JOB, "8": {**JOB, "description": description}}

    async def handler(request: httpx.Request) -> httpx.Response:
        job_id = request.url.path.rsplit("/", 1)[1]
        return httpx.Response(200, json={**answers[job_id], "id": job_id})

    store = store_for(f"sqlite:///{tmp_path}/r.db")
    assert isinstance(store, SqliteStore)
    http = HttpClient(transport=httpx.MockTransport(handler))
    resolver = await open_resolver(
        store, registry, http, clock=clock, policy=FreshnessPolicy(max_age=60)
    )
    try:
        for job_id in ("7", "8"):
            assert (await resolver.resolve_detailed("acme", "fake", job_id)).source == "upstream"
            await resolver.resolve("acme", "fake", job_id)  # read back once
        reads = reads_of_job_rows(store)
        hits = [await resolver.resolve_detailed("acme", "fake", "8") for _ in range(3)]
        assert {hit.source for hit in hits} == {"store"}
        assert len(reads) == 3, reads

        clock.advance(120)  # "7" is refetched, and is now too large to keep decoded
        answers["7"] = answers["8"]
        assert (await resolver.resolve_detailed("acme", "fake", "7")).source == "upstream"
        grown = await resolver.resolve_detailed("acme", "fake", "7")
        assert len(grown.job.description_html) > _DECODED_MAX_CHARS
        reads.clear()
        hits = [await resolver.resolve_detailed("acme", "fake", "7") for _ in range(3)]
        assert {hit.source for hit in hits} == {"store"}
        assert len(reads) == 3, reads
    finally:
        await resolver.close()


async def test_a_failed_fetch_nobody_waits_for_is_not_reported_as_never_retrieved(
    tmp_path: Any, registry: Registry, reported: list[dict[str, Any]]
) -> None:
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
        await resolver.close()


async def test_the_job_cache_commits_asynchronously_without_leaking_the_setting(
    small_pool: Resolver,
) -> None:
    """put_job turns synchronous_commit off for its own transaction only: the pooled
    connection it used (and every other) is back to the durable default afterwards."""
    await small_pool.resolve("acme", "fake", "7")
    store = small_pool.store
    assert isinstance(store, PostgresStore)
    tenant = await small_pool.tenant("acme")
    assert await store.get_job(tenant.id, "fake", "7") is not None
    settings = []
    for _ in range(4):  # the whole pool of the fixture
        async with store.pool.connection() as conn:
            cursor = await conn.execute("SHOW synchronous_commit")
            row = await cursor.fetchone()
            assert row is not None
            settings.append(row[0])
    assert set(settings) == {"on"}
