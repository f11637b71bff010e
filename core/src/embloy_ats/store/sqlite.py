"""SQLite store: the embedded default. One file, zero set-up, one process.

Reads run on the event loop thread: in WAL mode a reader never waits for a writer, and a
read there (~5 µs) costs a fraction of a hop to another thread (~50-100 µs, and milliseconds
when the cores are busy). Writes can wait: another process (a CLI command, a backup) may
hold the file's write lock, for up to `busy_timeout` seconds before the write fails. So a
write is tried once on the loop, where it never waits (a busy timeout of 0, and no fsync: a
WAL commit under `synchronous=NORMAL` appends to the WAL file, ~50 µs), and when the file is
locked it goes to a thread of its own, one per store, with a connection of their own, which
waits for the lock. While a write is on that thread, later writes queue behind it there, so
writes land in the order they were made. Checkpoints, which fsync, run on that thread too
(`_CHECKPOINT_EVERY`). A read that finds the file locked all the same (a process with the
file in exclusive locking mode, WAL recovery after a crash) is retried on that thread.
`sqlite://:memory:` is one connection on the loop: no other process can lock it.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from embloy_ats.errors import ConfigurationError
from embloy_ats.store.base import (
    ClientToken,
    Lookup,
    Miss,
    Store,
    StoredConnection,
    StoredJob,
    Tenant,
    TenantExists,
    _looked_up,
    lookup_params,
    new_tenant_id,
)
from embloy_ats.store.sql import Queries, connection_row, migrations, settings_text

MIGRATIONS = migrations(real="REAL", blob="BLOB")
#: writes made on the loop between two checkpoints of the WAL (on the writes' thread): a
#: job is a few pages, so the WAL stays near SQLite's own default of 1000 pages. A write of
#: more data (a job whose description is megabytes) counts as one per `_WRITE_BYTES`.
_CHECKPOINT_EVERY = 200
_WRITE_BYTES = 5 * 4096
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")
Q = Queries.with_placeholder("?")
T = TypeVar("T")
Row = tuple[Any, ...]


class SqliteStore(Store):
    def __init__(self, path: str | Path, *, busy_timeout: float = 5.0) -> None:
        self.path = str(path)
        #: seconds a write waits for another process's lock on the file before it fails.
        self.busy_timeout = busy_timeout
        self._db: sqlite3.Connection | None = None
        #: the writes' thread and connection; None for `:memory:`, written on the loop.
        self._thread: ThreadPoolExecutor | None = None
        self._writer: sqlite3.Connection | None = None
        #: the last work handed to the thread: until it ends, writes queue there too.
        self._last_on_thread: Future[Any] | None = None
        self._unchecked = 0

    @property
    def db(self) -> sqlite3.Connection:
        """The connection that reads, on the event loop thread."""
        if self._db is None:
            raise ConfigurationError("the store is not open; call `await store.open()` first")
        return self._db

    async def open(self) -> None:
        if self._db is not None:
            return
        if self.path == ":memory:":
            db = self._connect(busy_timeout=0)
            migrate(db, "schema_migrations", MIGRATIONS)
            self._db = db
            return
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embloy-ats-sqlite")
        try:
            # WAL and the migrations first, on the writes' thread: they may wait for a lock.
            writer = await asyncio.get_running_loop().run_in_executor(thread, self._open_writer)
        except BaseException:
            thread.shutdown(wait=False)
            raise
        self._thread, self._writer = thread, writer
        # A read or write that would wait fails at once instead, and is retried on the
        # thread; a commit does not fsync (as on the thread) nor checkpoint (the thread does).
        self._db = self._connect(busy_timeout=0)
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA wal_autocheckpoint=0")

    def _connect(self, *, busy_timeout: float) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise ConfigurationError(
                f"cannot open the SQLite database {self.path!r}: {exc}",
                hint="Check EMBLOY_ATS_DATABASE_URL: the file must be readable and writable.",
            ) from exc
        db.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        db.execute("PRAGMA foreign_keys=ON")
        return db

    def _open_writer(self) -> sqlite3.Connection:
        db = self._connect(busy_timeout=self.busy_timeout)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            migrate(db, "schema_migrations", MIGRATIONS)
        except BaseException:
            db.close()
            raise
        return db

    async def close(self) -> None:
        reader, self._db = self._db, None
        thread, writer = self._thread, self._writer
        self._thread = self._writer = None
        if thread is not None and writer is not None:
            # The write under way ends first; writes still queued behind it fail at once.
            try:
                await asyncio.get_running_loop().run_in_executor(thread, writer.close)
            finally:
                thread.shutdown(wait=False)
        if reader is not None:
            reader.close()

    async def ping(self) -> None:
        await self._read("SELECT version FROM schema_migrations LIMIT 1", (), _first)

    async def _read(
        self, sql: str, params: tuple[Any, ...], rows: Callable[[sqlite3.Cursor], T]
    ) -> T:
        """`rows(cursor)` of a read on the loop; on the writes' thread, which may wait, if
        the file is locked even for readers."""
        try:
            return rows(self.db.execute(sql, params))
        except sqlite3.OperationalError as exc:
            if not self._waits_for(exc):
                raise
        return await self._on_thread(lambda db: rows(db.execute(sql, params)))

    def _waits_for(self, exc: sqlite3.OperationalError) -> bool:
        """Whether a read that failed on the loop is to wait on the writes' thread: the
        file is locked, and there is a thread to wait on (not `:memory:`)."""
        return self._thread is not None and _locked(exc)

    async def _on_writer(self, work: Callable[[sqlite3.Connection], T], size: int = 0) -> T:
        """`work(connection)`, a write (of about `size` bytes of data): on the loop when the
        file is not locked and no write waits on the thread, else on the thread, which may
        wait for another process. `work` must leave nothing done when it fails (one
        statement, or a transaction)."""
        done = self._on_loop(work, size)
        if done is None:
            return await self._on_thread(work)
        return done[0]

    def _on_loop(self, work: Callable[[sqlite3.Connection], T], size: int) -> tuple[T] | None:
        """`(work(connection),)` made on the loop, if it can be made there without waiting:
        None, with nothing done, when the file is locked or a write waits on the thread."""
        if self._thread is None:
            return (work(self.db),)  # `:memory:`, or not open: `db` says so
        last = self._last_on_thread
        if last is not None and not last.done():
            return None
        try:
            done = work(self.db)
        except sqlite3.OperationalError as exc:
            if not _locked(exc):
                raise
            return None
        self._unchecked += 1 + size // _WRITE_BYTES
        if self._unchecked >= _CHECKPOINT_EVERY:
            self._unchecked = 0
            self._thread.submit(self._writing, self._thread, _checkpoint)
        return (done,)

    async def _on_thread(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """`work(connection)` on the writes' thread, which may wait for another process."""
        thread = self._thread
        if thread is None:
            return work(self.db)  # `:memory:`, or not open: `db` says so
        future = self._last_on_thread = thread.submit(self._writing, thread, work)
        return await asyncio.wrap_future(future)

    def _writing(self, thread: ThreadPoolExecutor, work: Callable[[sqlite3.Connection], T]) -> T:
        writer = self._writer
        if self._thread is not thread or writer is None:
            raise ConfigurationError("the store was closed before this write could be made")
        return work(writer)

    async def create_tenant(self, name: str, *, now: float) -> Tenant:
        tenant = Tenant(new_tenant_id(), name, now)
        try:
            await self._on_writer(
                lambda db: db.execute(Q.insert_tenant, (tenant.id, tenant.name, tenant.created_at))
            )
        except sqlite3.IntegrityError:
            raise TenantExists(f"a tenant named {name[:64]!r} already exists") from None
        return tenant

    async def find_tenant(self, name_or_id: str) -> Tenant | None:
        row = await self._read(Q.find_tenant, (name_or_id,) * 3, _first)
        return Tenant(*row) if row else None

    async def list_tenants(self) -> list[Tenant]:
        return [Tenant(*row) for row in await self._read(Q.list_tenants, (), _every)]

    async def put_connection(self, connection: StoredConnection) -> None:
        params = (connection.tenant_id, connection.mode, settings_text(connection),
                  connection.credentials, connection.updated_at)  # fmt: skip
        await self._on_writer(lambda db: db.execute(Q.put_connection, params))

    async def get_connection(self, tenant_id: str, mode: str) -> StoredConnection | None:
        row = await self._read(Q.get_connection, (tenant_id, mode), _first)
        return connection_row(row) if row else None

    async def list_connections(self, tenant_id: str | None = None) -> list[StoredConnection]:
        rows = (
            await self._read(Q.list_connections_of, (tenant_id,), _every)
            if tenant_id is not None
            else await self._read(Q.list_connections, (), _every)
        )
        return [connection_row(row) for row in rows]

    async def get_job(self, tenant_id: str, mode: str, job_id: str) -> StoredJob | None:
        row = await self._read(Q.get_job, (tenant_id, mode, job_id), _first)
        return StoredJob(tenant_id, mode, job_id, row[0], row[1]) if row else None

    def job_at_hand(self, tenant_id: str, mode: str, job_id: str) -> StoredJob | None:
        try:
            row = self.db.execute(Q.get_job, (tenant_id, mode, job_id)).fetchone()
        except sqlite3.OperationalError as exc:
            if not self._waits_for(exc):
                raise
            return None
        return StoredJob(tenant_id, mode, job_id, row[0], row[1]) if row else None

    async def put_job(self, job: StoredJob) -> None:
        await self._on_writer(lambda db: _put_job(db, job), len(job.job_json))

    def put_job_now(self, job: StoredJob) -> bool:
        return self._on_loop(lambda db: _put_job(db, job), len(job.job_json)) is not None

    async def list_jobs(self, tenant_id: str) -> list[StoredJob]:
        return [StoredJob(*row) for row in await self._read(Q.list_jobs, (tenant_id,), _every)]

    async def get_miss(self, tenant_id: str, mode: str, job_id: str) -> Miss | None:
        row = await self._read(Q.get_miss, (tenant_id, mode, job_id), _first)
        return Miss(*row) if row else None

    async def lookup(self, tenant_id: str, mode: str, job_id: str) -> Lookup:
        row = await self._read(Q.lookup, lookup_params(tenant_id, mode, job_id), _first)
        return _looked_up(tenant_id, mode, job_id, row)

    async def put_miss(self, tenant_id: str, mode: str, job_id: str, miss: Miss) -> None:
        params = (tenant_id, mode, job_id, miss.kind, miss.message, miss.retry_after,
                  miss.expires_at)  # fmt: skip
        await self._on_writer(lambda db: db.execute(Q.put_miss, params))

    async def put_client_token(self, token: ClientToken) -> None:
        params = (token.jti, token.tenant_id, token.issued_at, token.expires_at,
                  token.revoked_at)  # fmt: skip
        await self._on_writer(lambda db: db.execute(Q.put_client_token, params))

    async def get_client_token(self, jti: str) -> ClientToken | None:
        row = await self._read(Q.get_client_token, (jti,), _first)
        return ClientToken(*row) if row else None

    async def revoke_client_token(self, jti: str, *, now: float) -> bool:
        cursor = await self._on_writer(lambda db: db.execute(Q.revoke_client_token, (now, jti)))
        return cursor.rowcount > 0

    def fetch_lock(
        self, tenant_id: str, mode: str, job_id: str
    ) -> AbstractAsyncContextManager[Lookup | None]:
        return _no_lock()


def _checkpoint(db: sqlite3.Connection) -> None:
    """Copy the WAL into the database where no reader needs it; never waits for one."""
    db.execute("PRAGMA wal_checkpoint(PASSIVE)")


def _first(cursor: sqlite3.Cursor) -> Row | None:
    row: Row | None = cursor.fetchone()
    return row


def _every(cursor: sqlite3.Cursor) -> list[Row]:
    return cursor.fetchall()


def _locked(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    return code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def migrate(
    db: sqlite3.Connection, table: str, migrations: Sequence[tuple[int, Sequence[str]]]
) -> None:
    """Apply the versions of `migrations` that the bookkeeping table `table` does not list,
    and list them. One write transaction, taken before the bookkeeping is read: a second
    process opening the same file at once waits for it, then finds the versions applied."""
    if not _IDENTIFIER.fullmatch(table):
        raise ValueError(f"not a table name: {table!r}")
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute(
            f"CREATE TABLE IF NOT EXISTS {table} (version INTEGER PRIMARY KEY, "
            "applied_at REAL NOT NULL)"
        )
        done = {row[0] for row in db.execute(f"SELECT version FROM {table}")}  # noqa: S608
        for version, statements in migrations:
            if version in done:
                continue
            for statement in statements:
                db.execute(statement)
            db.execute(
                f"INSERT INTO {table} (version, applied_at) VALUES (?, ?)",  # noqa: S608
                (version, time.time()),
            )
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _put_job(db: sqlite3.Connection, job: StoredJob) -> None:
    """The job stored and its miss forgotten, in one transaction."""
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute(
            Q.upsert_job, (job.tenant_id, job.mode, job.job_id, job.job_json, job.fetched_at)
        )
        db.execute(Q.forget_miss, (job.tenant_id, job.mode, job.job_id))
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


@asynccontextmanager
async def _no_lock() -> AsyncIterator[None]:
    yield None
