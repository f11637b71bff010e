"""The store failing under the resolver: connections the database ended, a SQLite file
another process holds locked, rows that cannot be read back. A candidate gets the job
whenever it can be fetched."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from embloy_ats import HttpClient, JobNotFound, Registry
from embloy_ats import resolver as resolver_module
from embloy_ats.errors import DatabaseUnavailable
from embloy_ats.model import PRUNED_DEEPER
from embloy_ats.resolver import Resolver
from embloy_ats.store import Store, StoredJob
from embloy_ats.store import sqlite as sqlite_module
from embloy_ats.store.postgres import PostgresStore
from embloy_ats.store.sqlite import SqliteStore

from tests.resolver.test_under_load import JOB, open_resolver, slow_ats

# -- PostgreSQL: the database ends the pool's sessions -----------------------------------------


def terminate(conninfo: str, application_name: str) -> int:
    """End every session of that name from another connection, as a restart, a failover
    or an idle timeout would; how many were ended."""
    with psycopg.connect(conninfo, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            (application_name,),
        ).fetchall()
    return sum(1 for (ended,) in rows if ended)


def ats_with_gone_jobs(first_gone: int) -> HttpClient:
    """Jobs below `first_gone` exist; the others are gone (404)."""

    async def handler(request: httpx.Request) -> httpx.Response:
        job_id = request.url.path.rsplit("/", 1)[1]
        if int(job_id) >= first_gone:
            return httpx.Response(404)
        return httpx.Response(200, json={**JOB, "id": job_id})

    return HttpClient(transport=httpx.MockTransport(handler))


@pytest.fixture
async def named_pool(pg_schema: str, registry: Registry) -> AsyncIterator[tuple[Resolver, str]]:
    """A resolver whose pool's sessions carry a name of their own, so a test can end them."""
    name = f"embloy-drop-{uuid.uuid4().hex[:8]}"
    store = PostgresStore(f"{pg_schema}&application_name={name}", min_size=4, max_size=10)
    resolver = await open_resolver(store, registry, ats_with_gone_jobs(first_gone=1000))
    yield resolver, name
    await resolver.close()


async def resolve_all(resolver: Resolver, ids: range, *, together: bool) -> list[BaseException]:
    """Resolve every id; the failures a candidate would see (a gone job is a plain 404)."""

    async def one(job_id: int) -> BaseException | None:
        try:
            await resolver.resolve("acme", "fake", str(job_id))
        except JobNotFound:
            return None
        except Exception as exc:  # noqa: BLE001 - what the test counts
            return exc
        return None

    if together:
        outcomes = await asyncio.gather(*(one(n) for n in ids))
    else:
        outcomes = [await one(n) for n in ids]
    return [outcome for outcome in outcomes if outcome is not None]


@pytest.mark.parametrize("together", [True, False], ids=["concurrent", "sequential"])
async def test_sessions_the_database_ended_are_invisible_to_candidates(
    named_pool: tuple[Resolver, str], pg_schema: str, together: bool
) -> None:
    """After every pooled session is ended: 20 lookups of stored jobs, 20 unknown jobs
    (lock, lookup, upsert, unlock) and 20 gone jobs (lock, lookup, miss written), all
    answered as if nothing had happened."""
    resolver, name = named_pool
    await resolve_all(resolver, range(1, 21), together=True)  # stored, the pool grown
    await asyncio.sleep(0.1)  # the unlocks after the answers are done
    assert terminate(pg_schema, name) >= 2
    store = resolver.store
    assert isinstance(store, PostgresStore)
    failures = await resolve_all(resolver, range(1, 41), together=together)
    failures += await resolve_all(resolver, range(1000, 1020), together=together)
    assert failures == []
    tenant = await resolver.tenant("acme")
    assert len(await store.list_jobs(tenant.id)) == 40
    assert await store.get_miss(tenant.id, "fake", "1000") is not None


async def test_the_session_holding_the_fetch_lock_ended_mid_fetch(
    pg_schema: str, registry: Registry
) -> None:
    """The job is fetched while its lock's session is ended: the job is stored through
    another connection, and the candidate gets it."""
    name = f"embloy-drop-{uuid.uuid4().hex[:8]}"
    store = PostgresStore(f"{pg_schema}&application_name={name}", min_size=2, max_size=4)
    fetching = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        fetching.set()
        await asyncio.sleep(0.3)
        return httpx.Response(200, json=JOB)

    resolver = await open_resolver(
        store, registry, HttpClient(transport=httpx.MockTransport(handler))
    )
    try:
        caller = asyncio.create_task(resolver.resolve("acme", "fake", "7"))
        await fetching.wait()
        assert terminate(pg_schema, name) >= 1
        job = await asyncio.wait_for(caller, timeout=10)
        assert job.external_id == "7"
        tenant = await resolver.tenant("acme")
        assert await store.get_job(tenant.id, "fake", "7") is not None
    finally:
        await resolver.close()


async def test_a_replica_whose_session_ended_while_it_waited_for_the_lock(
    pg_schema: str, registry: Registry
) -> None:
    """Two replicas, one job: the first fetches it, holding its lock; the second's session
    is ended while it waits for that lock. It waits again on another connection, then
    reads what the first stored: one request to the ATS, both candidates answered."""
    requests: list[str] = []
    answer = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request.url.path)
        await answer.wait()
        return httpx.Response(200, json=JOB)

    http = HttpClient(transport=httpx.MockTransport(handler))
    name = f"embloy-drop-{uuid.uuid4().hex[:8]}"
    first = await open_resolver(PostgresStore(pg_schema, max_size=4), registry, http)
    second = Resolver(
        PostgresStore(f"{pg_schema}&application_name={name}", max_size=4),
        registry=registry,
        http=http,
    )
    await second.open()
    try:
        leading = asyncio.create_task(first.resolve("acme", "fake", "7"))
        # the second starts once the first holds the lock and is fetching: started together,
        # either may take the lock first, and a second that leads never waits for it
        for _ in range(500):
            if requests:
                break
            await asyncio.sleep(0.02)
        following = asyncio.create_task(second.resolve("acme", "fake", "7"))
        for _ in range(500):
            if waiting_for_a_lock(pg_schema, name):
                break
            await asyncio.sleep(0.02)
        else:
            pytest.fail("the second replica never waited for the lock")
        assert terminate(pg_schema, name) >= 1
        await asyncio.sleep(0.1)  # the second replica waits again, on another connection
        answer.set()
        jobs = await asyncio.wait_for(asyncio.gather(leading, following), timeout=10)
        assert [job.external_id for job in jobs] == ["7", "7"]
        assert requests == ["/accounts/acme/jobs/7"]
    finally:
        answer.set()
        await first.close()
        await second.close()


def waiting_for_a_lock(conninfo: str, application_name: str) -> bool:
    with psycopg.connect(conninfo, autocommit=True) as admin:
        row = admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s "
            "AND wait_event = 'advisory'",
            (application_name,),
        ).fetchone()
    return row is not None and row[0] > 0


async def test_ping_answers_after_the_sessions_were_ended(store: Store, store_url: str) -> None:
    await store.ping()
    if isinstance(store, PostgresStore):
        name = f"embloy-ping-{uuid.uuid4().hex[:8]}"
        named = PostgresStore(f"{store_url}&application_name={name}", min_size=2, max_size=2)
        await named.open()
        try:
            assert terminate(store_url, name) >= 1
            await named.ping()
        finally:
            await named.close()


async def test_ping_reports_a_store_that_does_not_answer(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "gone.db")
    await store.open()
    await store.close()
    with pytest.raises(Exception, match="not open"):
        await store.ping()


async def test_a_pool_that_hands_out_nothing_is_a_database_unavailable(pg_schema: str) -> None:
    """Every connection busy (or the database refusing new ones): the store says so in its
    own words within its checkout timeout, for the service to answer 503, not a bare 500."""
    store = PostgresStore(pg_schema, min_size=1, max_size=1, checkout_timeout=0.2)
    await store.open()
    try:
        async with store.pool.connection():  # the only connection, held elsewhere
            with pytest.raises(DatabaseUnavailable, match="no connection"):
                await store.get_job("acme", "fake", "1")
    finally:
        await store.close()


# -- SQLite: another process holds the write lock ----------------------------------------------


class WriteLockHolder:
    """A second connection on its own thread, as another process would be, holding the
    database's write lock from `BEGIN IMMEDIATE` until `release` is set."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.held = threading.Event()
        self.release = threading.Event()
        self._thread = threading.Thread(target=self._hold, daemon=True)

    def _hold(self) -> None:
        db = sqlite3.connect(self.path, isolation_level=None)
        try:
            db.execute("BEGIN IMMEDIATE")
            self.held.set()
            self.release.wait(timeout=60)
            db.execute("ROLLBACK")
        finally:
            db.close()

    def __enter__(self) -> WriteLockHolder:
        self._thread.start()
        assert self.held.wait(timeout=10)
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self._thread.join(timeout=10)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "embloy.db"


async def sqlite_resolver(
    db_path: Path, registry: Registry, *, busy_timeout: float = 5.0, store_wait: float = 30.0
) -> Resolver:
    store = SqliteStore(db_path, busy_timeout=busy_timeout)
    return await open_resolver(store, registry, slow_ats(0.0), store_wait=store_wait)


async def test_the_event_loop_runs_while_another_process_holds_the_write_lock(
    db_path: Path, registry: Registry
) -> None:
    """The write waits for the lock off the loop: another coroutine keeps running (the
    holder lets go only once it has run 20 times), and the job is stored and answered."""
    resolver = await sqlite_resolver(db_path, registry, busy_timeout=30)
    ticks = 0
    try:
        with WriteLockHolder(db_path) as holder:

            async def ticker() -> None:
                nonlocal ticks
                while ticks < 20:
                    await asyncio.sleep(0.01)
                    ticks += 1
                holder.release.set()

            ticking = asyncio.create_task(ticker())
            job = await asyncio.wait_for(resolver.resolve("acme", "fake", "7"), timeout=30)
            assert ticks == 20, "the answer came only once the lock was let go"
            await ticking
        assert job.external_id == "7"
        stored = await resolver.resolve_detailed("acme", "fake", "7")
        assert stored.source == "store"
    finally:
        await resolver.close()


async def test_reads_are_answered_while_another_process_holds_the_write_lock(
    db_path: Path, registry: Registry
) -> None:
    resolver = await sqlite_resolver(db_path, registry)
    try:
        await resolver.resolve("acme", "fake", "7")
        with WriteLockHolder(db_path):
            hits = [await resolver.resolve_detailed("acme", "fake", "7") for _ in range(20)]
            await resolver.store.ping()
        assert {hit.source for hit in hits} == {"store"}
    finally:
        await resolver.close()


class LockedForReaders:
    """The loop's connection to a file another process holds locked even for readers
    (exclusive locking mode, WAL recovery after a crash): every statement finds it locked."""

    def execute(self, *args: object) -> sqlite3.Cursor:
        locked = sqlite3.OperationalError("database is locked")
        locked.sqlite_errorcode = sqlite3.SQLITE_BUSY
        raise locked


async def test_a_burst_of_resolves_shares_one_read_of_a_file_locked_even_for_readers(
    db_path: Path, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read that finds the file locked waits for it on the writes' thread; the resolves
    of the same job that arrive meanwhile share that read, and every one gets the job."""
    resolver = await sqlite_resolver(db_path, registry)
    store = resolver.store
    assert isinstance(store, SqliteStore)
    try:
        await resolver.resolve("acme", "fake", "7")
        await resolver.resolve("acme", "fake", "7")  # read back once: its decoded copy is kept
        waited: list[object] = []
        on_thread = store._on_thread

        async def counting(work: Any) -> Any:
            waited.append(work)
            return await on_thread(work)

        with monkeypatch.context() as patched:
            patched.setattr(store, "_db", LockedForReaders())
            patched.setattr(store, "_on_thread", counting)
            hits = await asyncio.gather(
                *(resolver.resolve_detailed("acme", "fake", "7") for _ in range(20))
            )
        assert {hit.source for hit in hits} == {"store"}
        assert len(waited) == 1
    finally:
        await resolver.close()


async def test_the_others_look_for_themselves_when_the_caller_whose_read_they_share_gives_up(
    db_path: Path, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolver = await sqlite_resolver(db_path, registry)
    store = resolver.store
    assert isinstance(store, SqliteStore)
    try:
        await resolver.resolve("acme", "fake", "7")
        await resolver.resolve("acme", "fake", "7")
        with monkeypatch.context() as patched, thread_held(store) as gate:
            patched.setattr(store, "_db", LockedForReaders())
            first = asyncio.create_task(resolver.resolve_detailed("acme", "fake", "7"))
            await asyncio.sleep(0.01)
            others = [
                asyncio.create_task(resolver.resolve_detailed("acme", "fake", "7"))
                for _ in range(5)
            ]
            await asyncio.sleep(0.01)
            assert resolver._looking, "the first caller's read waits for the thread"
            first.cancel()
            await asyncio.sleep(0.01)
            gate.set()
            hits = await asyncio.wait_for(asyncio.gather(*others), timeout=30)
        assert first.cancelled()
        assert {hit.source for hit in hits} == {"store"}
        assert not resolver._looking
    finally:
        await resolver.close()


async def test_a_job_that_cannot_be_stored_is_answered_and_the_log_says_so(
    db_path: Path, registry: Registry, caplog: pytest.LogCaptureFixture
) -> None:
    """The lock is held past the store's busy timeout: storing fails, the candidate gets
    the job all the same."""
    resolver = await sqlite_resolver(db_path, registry, busy_timeout=0.2)
    try:
        with WriteLockHolder(db_path), caplog.at_level(logging.WARNING):
            resolution = await asyncio.wait_for(
                resolver.resolve_detailed("acme", "fake", "7"), timeout=30
            )
        assert (resolution.source, resolution.job.external_id) == ("upstream", "7")
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert [r.getMessage() for r in warnings] == [
            "a fetched job is answered but not stored: the store failed"
        ]
        assert warnings[0].__dict__["error"] == "OperationalError"
        tenant = await resolver.tenant("acme")
        assert await resolver.store.get_job(tenant.id, "fake", "7") is None
    finally:
        await resolver.close()


async def test_a_job_whose_write_waits_is_answered_before_it_is_stored(
    db_path: Path, registry: Registry, caplog: pytest.LogCaptureFixture
) -> None:
    """The candidate does not wait longer than `store_wait` for the store; the write goes
    on, and meanwhile the job is answered from memory, not fetched again."""
    requests: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request.url.path)
        return httpx.Response(200, json=JOB)

    store = SqliteStore(db_path, busy_timeout=30)
    resolver = await open_resolver(
        store, registry, HttpClient(transport=httpx.MockTransport(handler)), store_wait=0.05
    )
    try:
        tenant = await resolver.tenant("acme")
        with WriteLockHolder(db_path), caplog.at_level(logging.WARNING):
            first = await asyncio.wait_for(resolver.resolve_detailed("acme", "fake", "7"), 30)
            again = await resolver.resolve_detailed("acme", "fake", "7")
            assert await store.get_job(tenant.id, "fake", "7") is None
        assert first.source == "upstream"
        assert again.job == first.job
        assert requests == ["/accounts/acme/jobs/7"]
        assert "a fetched job is answered before it is stored: the store is slow" in caplog.text
        for _ in range(500):  # the write lands, then the resolver lets go of its copy
            if await store.get_job(tenant.id, "fake", "7") is not None and not resolver._writing:
                break
            await asyncio.sleep(0.02)
        else:
            pytest.fail("the write never completed once the lock was let go")
    finally:
        await resolver.close()


async def test_writes_beyond_the_bound_are_not_made_and_the_log_says_so(
    db_path: Path,
    registry: Registry,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(resolver_module, "_WRITES_UNDER_WAY", 1)
    resolver = await sqlite_resolver(db_path, registry, busy_timeout=30, store_wait=0.05)
    try:
        tenant = await resolver.tenant("acme")
        with WriteLockHolder(db_path), caplog.at_level(logging.WARNING):
            jobs = [await resolver.resolve("acme", "fake", job_id) for job_id in ("7", "8")]
        assert [job.external_id for job in jobs] == ["7", "8"]
        assert "a fetched job is answered but not stored: too many writes wait" in caplog.text
        await asyncio.gather(*resolver._writes)
        assert await resolver.store.get_job(tenant.id, "fake", "7") is not None
        assert await resolver.store.get_job(tenant.id, "fake", "8") is None
    finally:
        await resolver.close()


async def test_a_write_under_way_when_the_resolver_closes_is_made(
    db_path: Path, registry: Registry
) -> None:
    resolver = await sqlite_resolver(db_path, registry, busy_timeout=30, store_wait=0.05)
    with WriteLockHolder(db_path) as holder:
        await resolver.resolve("acme", "fake", "7")
        assert resolver._writes, "the write waits for the lock"
        threading.Timer(0.2, holder.release.set).start()
        await asyncio.wait_for(resolver.close(), timeout=30)
    with sqlite3.connect(db_path) as db:
        assert db.execute("SELECT job_id FROM jobs").fetchall() == [("7",)]


@contextlib.contextmanager
def thread_held(store: SqliteStore) -> Iterator[threading.Event]:
    """The store's writes' thread kept busy (by no write) until the event is set."""
    gate = threading.Event()
    assert store._thread is not None
    held = store._thread.submit(gate.wait, 30)
    try:
        yield gate
    finally:
        gate.set()
        held.result(timeout=30)


def database_bytes(path: Path) -> int:
    """The size of the database file itself, the WAL beside it left out."""
    return path.stat().st_size


def job_row(tenant_id: str, job_id: str, title: str) -> StoredJob:
    return StoredJob(tenant_id, "fake", job_id, json.dumps({"title": title}), 2.0)


async def stored_text(store: SqliteStore, tenant_id: str) -> str:
    """The stored JSON of the tenant's job "7" (`job_row`), which must be there."""
    stored = await store.get_job(tenant_id, "fake", "7")
    assert stored is not None, "the job was not stored"
    return stored.job_json


@contextlib.asynccontextmanager
async def store_with_tenant(
    db_path: Path, **options: Any
) -> AsyncIterator[tuple[SqliteStore, str]]:
    """An open SQLite store at `db_path` with one tenant, and that tenant's id."""
    store = SqliteStore(db_path, **options)
    await store.open()
    try:
        yield store, (await store.create_tenant("acme", now=1.0)).id
    finally:
        await store.close()


async def test_a_write_to_an_unlocked_file_does_not_wait_for_the_writes_thread(
    db_path: Path,
) -> None:
    async with store_with_tenant(db_path) as (store, tenant_id):
        with thread_held(store):
            writing = asyncio.ensure_future(store.put_job(job_row(tenant_id, "7", "loop")))
            await asyncio.sleep(0)
            assert writing.done(), "the write waited for the thread"
            await writing
            assert "loop" in await stored_text(store, tenant_id)


async def test_writes_land_in_the_order_they_were_made_when_one_waits_for_the_lock(
    db_path: Path,
) -> None:
    """The first write finds the file locked and queues on the writes' thread; the second,
    made once the lock is free, must not overtake it on the loop."""
    async with store_with_tenant(db_path, busy_timeout=30) as (store, tenant_id):
        with thread_held(store) as gate:
            with WriteLockHolder(db_path):
                first = asyncio.ensure_future(store.put_job(job_row(tenant_id, "7", "first")))
                await asyncio.sleep(0)
            second = asyncio.ensure_future(store.put_job(job_row(tenant_id, "7", "second")))
            await asyncio.sleep(0)
            gate.set()
            await asyncio.gather(first, second)
        assert "second" in await stored_text(store, tenant_id)


async def test_a_job_is_stored_at_once_on_an_idle_file(db_path: Path) -> None:
    async with store_with_tenant(db_path) as (store, tenant_id):
        with thread_held(store):  # made on the loop: the thread is not asked
            assert store.put_job_now(job_row(tenant_id, "7", "at once"))
        assert "at once" in await stored_text(store, tenant_id)


async def test_a_job_is_not_stored_at_once_while_another_process_holds_the_lock(
    db_path: Path,
) -> None:
    async with store_with_tenant(db_path, busy_timeout=30) as (store, tenant_id):
        with WriteLockHolder(db_path):
            assert not store.put_job_now(job_row(tenant_id, "7", "locked"))
        assert await store.get_job(tenant_id, "fake", "7") is None


async def test_a_job_is_not_stored_at_once_before_a_write_waiting_on_the_thread(
    db_path: Path,
) -> None:
    """A write queued on the writes' thread lands first: one made at once would overtake it."""
    async with store_with_tenant(db_path, busy_timeout=30) as (store, tenant_id):
        with thread_held(store) as gate:
            with WriteLockHolder(db_path):
                first = asyncio.ensure_future(store.put_job(job_row(tenant_id, "7", "first")))
                await asyncio.sleep(0)
            assert not store.put_job_now(job_row(tenant_id, "7", "second"))
            gate.set()
            await first
        assert "first" in await stored_text(store, tenant_id)


async def test_the_writes_made_on_the_loop_are_checkpointed_into_the_database(
    db_path: Path,
) -> None:
    """The loop's connection never checkpoints (that fsyncs): the writes' thread does."""
    async with store_with_tenant(db_path) as (store, tenant_id):
        before = database_bytes(db_path)
        for n in range(1, 2 * sqlite_module._CHECKPOINT_EVERY + 1):
            await store.put_job(job_row(tenant_id, str(n), "x" * 2000))
        await store._on_thread(lambda db: None)  # the checkpoints queued before it are done
        assert database_bytes(db_path) > before + 100 * 2000


async def test_large_writes_made_on_the_loop_are_checkpointed_by_their_size(
    db_path: Path,
) -> None:
    """A checkpoint follows the pages written, as SQLite's own (1000 pages), not a count of
    writes: a few large jobs (a description may be megabytes) would otherwise grow the WAL,
    which keeps its largest size, to hundreds of times a job before it is copied back."""
    async with store_with_tenant(db_path) as (store, tenant_id):
        before = database_bytes(db_path)
        for n in range(1, 6):
            await store.put_job(job_row(tenant_id, str(n), "x" * 1_000_000))
        await store._on_thread(lambda db: None)  # the checkpoints queued before it are done
        assert database_bytes(db_path) > before + 3_000_000


# -- rows that cannot be read back -------------------------------------------------------------


def nested(depth: int) -> Any:
    value: Any = "bottom"
    for level in range(depth):
        value = [value] if level % 2 else {"level": value}
    return value


@pytest.mark.parametrize("depth", [199, 200, 230, 255, 256, 300])
async def test_deeply_nested_ats_json_is_stored_and_read_back(
    store: Store, registry: Registry, depth: int
) -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        content = json.dumps({**JOB, "extra": nested(depth)})
        return httpx.Response(200, content=content, headers={"content-type": "application/json"})

    resolver = await open_resolver(
        store, registry, HttpClient(transport=httpx.MockTransport(handler))
    )
    try:
        first = await resolver.resolve_detailed("acme", "fake", "7")
        resolver._decoded.clear()  # read it back from the row, not the decoded copy
        again = await resolver.resolve_detailed("acme", "fake", "7")
        assert (first.source, again.source) == ("upstream", "store")
        assert again.job == first.job
        assert PRUNED_DEEPER in json.dumps(again.job.raw)
    finally:
        await resolver.close()


async def test_a_stored_row_that_cannot_be_read_is_fetched_again(
    store: Store, store_url: str, registry: Registry, caplog: pytest.LogCaptureFixture
) -> None:
    resolver = await open_resolver(store, registry, slow_ats(0.0))
    try:
        await resolver.resolve("acme", "fake", "7")
        corrupt = 'UPDATE jobs SET job = \'{"schema_version": 1, "title": [[[\' '
        if isinstance(store, SqliteStore):
            with sqlite3.connect(store.path) as db:
                db.execute(corrupt)
        else:
            with psycopg.connect(store_url, autocommit=True) as db:
                db.execute(corrupt)
        resolver._decoded.clear()
        with caplog.at_level(logging.WARNING):
            refetched = await resolver.resolve_detailed("acme", "fake", "7")
        assert refetched.source == "upstream"
        assert "a stored job could not be read back; it is fetched again" in caplog.text
        resolver._decoded.clear()
        assert (await resolver.resolve_detailed("acme", "fake", "7")).source == "store"
    finally:
        await resolver.close()
