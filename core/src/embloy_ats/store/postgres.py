"""PostgreSQL store: many service replicas share one database.

psycopg 3, async, pooled. Cross-process single-flight uses a session advisory lock per job
key: the process holding it fetches, the others wait on it and then read what it stored.
Migrations run under an advisory lock too, so replicas starting together migrate once.

The connection that holds a fetch lock also serves every store call made while it is held
(a context variable hands it down), and at most three quarters of the pool may hold locks
at once: a burst of unknown jobs can neither deadlock the pool (every connection holding a
lock while waiting for another to read) nor starve reads of stored jobs.

Every round trip adds to a candidate's first apply, so the resolver's lookup takes the lock
too when the job is unknown and no session holds it (`lookup_or_claim`, one call of a
database function created at open, `lookup_or_lock_function`): an unknown job costs the
lookup and its upsert, which lets go of the lock too. When another session holds the lock,
the caller waits for it in one more call (`lock_and_lookup_function`). Both functions are
VOLATILE, so each statement in them takes a fresh snapshot: the lookup run once the lock is
granted sees what the previous holder committed. (One plain statement could not: its
single snapshot is taken before it waits for the lock. A pipeline of the two statements
costs about as much as two round trips in psycopg.) The upsert's transaction takes the lock
for itself before the session lets go of it (`store_and_unlock_function`): unlocked in one
implicit transaction alone, the lock would be granted before the job is committed. A
remembered failure, or a job stored on another session (the holder's ended), is unlocked
in one more call, after the answer.

The database may end a pooled session at any time (a restart, a failover, an idle timeout,
an operator's `pg_terminate_backend`); the pool learns of it only when the session is next
used. So a connection taken from the pool is first looked at without a round trip: an idle
session has nothing to read, and input waiting on its socket is the server's farewell (its
FATAL message, or the end of the stream), so that connection is discarded and another
taken. A statement that fails because its session ended all the same (it ended a moment
ago, or the host vanished) runs again, once per ended session and at most
`_SESSION_ATTEMPTS` times, on another connection: every statement a resolve makes may run
twice (lookups, the lock, whose session took its lock along when it ended, the upserts),
so a candidate never sees the drop. Inserts of tenants and client tokens are not retried: a
second attempt could find the first one's row.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import select
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from contextvars import ContextVar, Token
from typing import Any, TypeVar

import psycopg
from psycopg.sql import SQL, Identifier
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from embloy_ats.errors import ConfigurationError, DatabaseUnavailable
from embloy_ats.store.base import (
    ClientToken,
    FetchClaim,
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

log = logging.getLogger("embloy_ats.store.postgres")
_MIGRATION_LOCK = 0x656D626C6F79  # "embloy"
MIGRATIONS = migrations(real="DOUBLE PRECISION", blob="BYTEA")
Q = Queries.with_placeholder("%s")
#: seconds to wait for the server before calling it unreachable.
CONNECT_TIMEOUT = 5
#: seconds a statement waits for a pooled connection before the store calls the database
#: unavailable (the service answers 503 rather than holding a candidate for long).
CHECKOUT_TIMEOUT = 10.0
_CANNOT_REACH = "cannot reach the PostgreSQL database"
T = TypeVar("T")
Connection = psycopg.AsyncConnection[Any]
Cursor = psycopg.AsyncCursor[Any]
#: how many sessions ended by the database one statement may meet before it fails.
_SESSION_ATTEMPTS = 3


_PUT_JOB = (
    "WITH durability AS (SELECT set_config('synchronous_commit', 'off', true)), "
    "forgotten AS (DELETE FROM job_misses WHERE tenant_id = %s AND mode = %s "
    "AND job_id = %s) INSERT INTO jobs (tenant_id, mode, job_id, job, fetched_at) "
    "SELECT %s, %s, %s, %s, %s FROM durability ON CONFLICT (tenant_id, mode, job_id) "
    "DO UPDATE SET job = excluded.job, fetched_at = excluded.fetched_at"
)
_LOOKED_UP = (
    "job TEXT, fetched_at DOUBLE PRECISION, kind TEXT, message TEXT, retry_after DOUBLE "
    "PRECISION, expires_at DOUBLE PRECISION, connection_updated_at DOUBLE PRECISION"
)


def _function(
    prefix: str, body: str, *, returns: str, arguments: str = "bigint, text, text, text"
) -> tuple[str, str, str]:
    """(call, signature, CREATE statement) of a plpgsql function of the lock id, tenant id,
    mode and job id (and any further `arguments`). Its name carries a digest of the whole
    definition: replicas of two releases, side by side during a deploy, each call their
    own, and a function of that name, once it exists, is this very one."""
    definition = (
        f"CREATE FUNCTION {{name}}({arguments}) RETURNS {returns} "
        f"LANGUAGE plpgsql VOLATILE AS $body$ {body} $body$"
    )
    name = prefix + hashlib.sha256(definition.encode()).hexdigest()[:12]
    placeholders = ", ".join(["%s"] * len(arguments.split(",")))
    call = f"SELECT * FROM {name}({placeholders})"  # noqa: S608 - our own name, no input
    return call, f"{name}({arguments})", definition.replace("{name}", name)


def lock_and_lookup_function() -> tuple[str, str, str]:
    """The function that takes a job's advisory lock, waiting for it, then looks the job
    up with the shared lookup query."""
    lookup = Q.lookup.replace("%s", "{}").format(*lookup_params("$2", "$3", "$4"))
    body = f"BEGIN PERFORM pg_advisory_lock($1); RETURN QUERY {lookup}; END"
    return _function("embloy_lock_and_lookup_", body, returns=f"TABLE ({_LOOKED_UP})")


def lookup_or_lock_function() -> tuple[str, str, str]:
    """The function that looks a job up, and when it is neither stored nor remembered as
    missed, takes its advisory lock if no session holds it (without waiting) and looks
    again under it, in a fresh snapshot: the last holder may have stored it meanwhile.
    Its last column says whether it holds the lock."""
    lookup = Q.lookup.replace("%s", "{}").format(*lookup_params("$2", "$3", "$4"))
    body = (
        f"DECLARE r record; BEGIN SELECT * INTO r FROM ({lookup}) AS l; "  # noqa: S608
        "IF r.job IS NULL AND r.kind IS NULL AND pg_try_advisory_lock($1) THEN "
        f"RETURN QUERY SELECT l.*, true FROM ({lookup}) AS l; "
        "ELSE RETURN QUERY SELECT r.job, r.fetched_at, r.kind, r.message, r.retry_after, "
        "r.expires_at, r.updated_at, false; END IF; END"
    )
    return _function(
        "embloy_lookup_or_lock_", body, returns=f"TABLE ({_LOOKED_UP}, locked BOOLEAN)"
    )


def store_and_unlock_function() -> tuple[str, str, str]:
    """The function that stores a job (`put_job`'s statement) and lets go of its lock, in
    one transaction. It takes the lock for the transaction too before the session lets go,
    so other sessions are granted the lock only once the job is committed (the transaction's
    locks are released after its commit is visible); the job's lookup then finds it."""
    upsert = _PUT_JOB.replace("%s", "{}").format("$2", "$3", "$4", "$2", "$3", "$4", "$5", "$6")
    body = f"BEGIN PERFORM pg_advisory_xact_lock($1); {upsert}; PERFORM pg_advisory_unlock($1); END"
    return _function(
        "embloy_store_and_unlock_",
        body,
        returns="void",
        arguments="bigint, text, text, text, text, double precision",
    )


LOCK_AND_LOOKUP, LOCK_AND_LOOKUP_SIGNATURE, CREATE_LOCK_AND_LOOKUP = lock_and_lookup_function()
LOOKUP_OR_LOCK, LOOKUP_OR_LOCK_SIGNATURE, CREATE_LOOKUP_OR_LOCK = lookup_or_lock_function()
STORE_AND_UNLOCK, STORE_AND_UNLOCK_SIGNATURE, CREATE_STORE_AND_UNLOCK = store_and_unlock_function()


async def unreachable(conninfo: str, timeout: int = CONNECT_TIMEOUT) -> str | None:
    """Why the database cannot be used, in one line; None when it can. One connection,
    before the pool: the pool would retry for its whole open timeout, logging each try."""
    try:
        conn = await psycopg.AsyncConnection.connect(conninfo, connect_timeout=timeout)
    except psycopg.Error as exc:
        return f"{_CANNOT_REACH}: {_one_line(str(exc))}"
    await conn.close()
    return None


async def open_pool(
    conninfo: str, *, min_size: int, max_size: int, timeout: float = CHECKOUT_TIMEOUT
) -> AsyncConnectionPool:
    """An open pool of autocommit connections (`timeout`: how long a checkout may wait).
    A server that cannot be reached, or a database that does not exist, fails at once
    with `DatabaseUnavailable`, before the pool spends its own timeout retrying."""
    why = await unreachable(conninfo)
    if why is not None:
        raise DatabaseUnavailable(why)
    pool = AsyncConnectionPool(
        conninfo,
        min_size=min_size,
        max_size=max_size,
        timeout=timeout,
        kwargs={"autocommit": True},
        open=False,
    )
    try:
        await pool.open(wait=True, timeout=10)
    except psycopg.Error as exc:
        await pool.close()
        raise DatabaseUnavailable(f"{_CANNOT_REACH}: {_one_line(str(exc))}") from None
    except BaseException:
        await pool.close()
        raise
    return pool


def _one_line(text: str) -> str:
    return " ".join(text.split())


def lock_id(tenant_id: str, mode: str, job_id: str) -> int:
    """A signed 64-bit advisory lock id for a job."""
    key = f"{tenant_id}/{mode}/{job_id}".encode()
    return int.from_bytes(hashlib.sha256(key).digest()[:8], "big", signed=True)


async def migrate(
    conn: psycopg.AsyncConnection[Any],
    table: str,
    migrations: Sequence[tuple[int, Sequence[str]]],
    *,
    lock: int,
) -> None:
    """Apply the versions of `migrations` that the bookkeeping table `table` does not list,
    and list them, in the caller's transaction on `conn`. Replicas starting together take
    the advisory lock `lock` (one per bookkeeping table) and migrate one after another."""
    name = Identifier(table)
    await conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock,))
    await conn.execute(
        SQL(
            "CREATE TABLE IF NOT EXISTS {} (version INTEGER PRIMARY KEY, "
            "applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        ).format(name)
    )
    cursor = await conn.execute(SQL("SELECT version FROM {}").format(name))
    done = {row[0] for row in await cursor.fetchall()}
    for version, statements in migrations:
        if version in done:
            continue
        for statement in statements:
            await conn.execute(statement)
        await conn.execute(SQL("INSERT INTO {} (version) VALUES (%s)").format(name), (version,))


class PostgresStore(Store):
    def __init__(
        self,
        conninfo: str,
        *,
        min_size: int = 1,
        max_size: int = 50,
        checkout_timeout: float = CHECKOUT_TIMEOUT,
    ) -> None:
        self.conninfo = conninfo
        self._pool: AsyncConnectionPool | None = None
        self._min, self._max = min_size, max_size
        self._checkout_timeout = checkout_timeout
        #: the claim of the fetch lock this task holds, if it holds one.
        self._held: ContextVar[_FetchClaim | None] = ContextVar(
            f"embloy_ats_pg_held_{id(self)}", default=None
        )
        self._lock_slots: asyncio.Semaphore | None = None
        self._unlocking: set[asyncio.Task[None]] = set()

    @property
    def pool(self) -> AsyncConnectionPool:
        if self._pool is None:
            raise ConfigurationError("the store is not open; call `await store.open()` first")
        return self._pool

    async def open(self) -> None:
        """Open the pool and migrate. A server that cannot be reached, or a database that
        does not exist, fails at once with `DatabaseUnavailable`."""
        if self._pool is not None:
            return
        self._pool = await open_pool(
            self.conninfo, min_size=self._min, max_size=self._max, timeout=self._checkout_timeout
        )
        await self._migrate()

    async def _migrate(self) -> None:
        async with self.pool.connection() as conn, conn.transaction():
            await migrate(conn, "schema_migrations", MIGRATIONS, lock=_MIGRATION_LOCK)
            # Not versioned migrations: they follow the lookup query of the running code.
            for signature, create in (
                (LOCK_AND_LOOKUP_SIGNATURE, CREATE_LOCK_AND_LOOKUP),
                (LOOKUP_OR_LOCK_SIGNATURE, CREATE_LOOKUP_OR_LOCK),
                (STORE_AND_UNLOCK_SIGNATURE, CREATE_STORE_AND_UNLOCK),
            ):
                cursor = await conn.execute("SELECT to_regprocedure(%s) IS NULL", (signature,))
                missing = await cursor.fetchone()
                if missing is not None and missing[0]:
                    await conn.execute(create)

    async def close(self) -> None:
        await self._unlocked()
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
        await self._unlocked()  # a lock holder cancelled just before may let go only now

    async def _unlocked(self) -> None:
        """Wait for every unlock under way, including any that starts meanwhile."""
        while self._unlocking:
            await asyncio.gather(*self._unlocking, return_exceptions=True)

    async def ping(self) -> None:
        await self._execute("SELECT version FROM schema_migrations LIMIT 1", (), _fetchone)

    async def _checkout(self, pool: AsyncConnectionPool) -> Connection:
        """A connection from `pool` whose session the database has not ended while it sat
        in the pool (see the module's docstring); the pool replaces each one discarded."""
        try:
            for _ in range(self._max):
                conn = await pool.getconn()
                if not _ended_while_idle(conn):
                    return conn
                log.info("a pooled connection's session was ended by the database; discarded")
                await _discard(pool, conn)
            return await pool.getconn()  # a database ending every session: the statement says
        except PoolTimeout:
            raise DatabaseUnavailable(
                f"{_CANNOT_REACH}: no connection in {self._checkout_timeout:g} s (every one busy, "
                "or the server refusing new ones)"
            ) from None

    async def _execute(
        self,
        sql: str,
        params: tuple[Any, ...],
        result: Callable[[Cursor], Awaitable[T]],
        *,
        again: bool = True,
    ) -> T:
        """`result` of one statement, run on the connection holding this task's fetch lock,
        else on one from the pool; run again on another if its session ended (and `again`)."""
        attempt = 1
        while True:
            claim = self._held.get()
            held = claim.conn if claim is not None and not claim.conn.closed else None
            conn = held if held is not None else await self._checkout(self.pool)
            try:
                cursor = await conn.execute(sql, params)
                return await result(cursor)
            except psycopg.OperationalError as exc:
                if not (again and _run_again(exc, conn, attempt)):
                    raise
                attempt += 1
            finally:
                if conn is not held:
                    await self.pool.putconn(conn)  # a closed one is replaced

    async def _one(self, sql: str, params: tuple[Any, ...]) -> tuple[Any, ...] | None:
        return await self._execute(sql, params, _fetchone)

    async def _all(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return await self._execute(sql, params, _fetchall)

    async def _run(self, sql: str, params: tuple[Any, ...], *, again: bool = True) -> None:
        await self._execute(sql, params, _nothing, again=again)

    async def create_tenant(self, name: str, *, now: float) -> Tenant:
        tenant = Tenant(new_tenant_id(), name, now)
        try:
            await self._run(
                Q.insert_tenant, (tenant.id, tenant.name, tenant.created_at), again=False
            )
        except psycopg.errors.UniqueViolation:
            raise TenantExists(f"a tenant named {name[:64]!r} already exists") from None
        return tenant

    async def find_tenant(self, name_or_id: str) -> Tenant | None:
        row = await self._one(Q.find_tenant, (name_or_id,) * 3)
        return Tenant(*row) if row else None

    async def list_tenants(self) -> list[Tenant]:
        return [Tenant(*row) for row in await self._all(Q.list_tenants)]

    async def put_connection(self, connection: StoredConnection) -> None:
        await self._run(
            Q.put_connection,
            (connection.tenant_id, connection.mode, settings_text(connection),
             connection.credentials, connection.updated_at),
        )  # fmt: skip

    async def get_connection(self, tenant_id: str, mode: str) -> StoredConnection | None:
        row = await self._one(Q.get_connection, (tenant_id, mode))
        return connection_row(row) if row else None

    async def list_connections(self, tenant_id: str | None = None) -> list[StoredConnection]:
        rows = (
            await self._all(Q.list_connections_of, (tenant_id,))
            if tenant_id is not None
            else await self._all(Q.list_connections)
        )
        return [connection_row(row) for row in rows]

    async def get_job(self, tenant_id: str, mode: str, job_id: str) -> StoredJob | None:
        row = await self._one(Q.get_job, (tenant_id, mode, job_id))
        return StoredJob(tenant_id, mode, job_id, row[0], row[1]) if row else None

    async def put_job(self, job: StoredJob) -> None:
        """The upsert, and the miss forgotten, in one statement and one round trip; on the
        connection holding the job's fetch lock, the unlock too (`store_and_unlock_function`).

        The row is a cache of what the ATS says, so it is committed without waiting for the
        WAL flush: `synchronous_commit` is off for this statement's own transaction only (the
        setting in force at commit decides). A crash can lose the last fraction of a second
        of stored jobs, which are then fetched again. Tenants, connections and client tokens
        keep the server's durable default.
        """
        claim = self._held.get()
        if claim is not None and not claim.conn.closed:
            lock = lock_id(job.tenant_id, job.mode, job.job_id)
            if claim.lock == lock:
                try:
                    await claim.conn.execute(
                        STORE_AND_UNLOCK,
                        (lock, job.tenant_id, job.mode, job.job_id, job.job_json, job.fetched_at),
                    )
                except psycopg.OperationalError:
                    if not claim.conn.closed:
                        raise  # else its session ended, and the lock with it: store below
                else:
                    claim.unlocked = True
                    return
        await self._run(
            _PUT_JOB,
            (job.tenant_id, job.mode, job.job_id,
             job.tenant_id, job.mode, job.job_id, job.job_json, job.fetched_at),
        )  # fmt: skip

    async def list_jobs(self, tenant_id: str) -> list[StoredJob]:
        return [StoredJob(*row) for row in await self._all(Q.list_jobs, (tenant_id,))]

    async def get_miss(self, tenant_id: str, mode: str, job_id: str) -> Miss | None:
        row = await self._one(Q.get_miss, (tenant_id, mode, job_id))
        return Miss(*row) if row else None

    async def lookup(self, tenant_id: str, mode: str, job_id: str) -> Lookup:
        row = await self._one(Q.lookup, lookup_params(tenant_id, mode, job_id))
        return _looked_up(tenant_id, mode, job_id, row)

    async def put_miss(self, tenant_id: str, mode: str, job_id: str, miss: Miss) -> None:
        await self._run(
            Q.put_miss,
            (tenant_id, mode, job_id, miss.kind, miss.message, miss.retry_after, miss.expires_at),
        )

    async def put_client_token(self, token: ClientToken) -> None:
        await self._run(
            Q.put_client_token,
            (token.jti, token.tenant_id, token.issued_at, token.expires_at, token.revoked_at),
            again=False,
        )

    async def get_client_token(self, jti: str) -> ClientToken | None:
        row = await self._one(Q.get_client_token, (jti,))
        return ClientToken(*row) if row else None

    async def revoke_client_token(self, jti: str, *, now: float) -> bool:
        return await self._execute(Q.revoke_client_token, (now, jti), _rowcount) > 0

    async def lookup_or_claim(
        self, tenant_id: str, mode: str, job_id: str
    ) -> tuple[Lookup, FetchClaim | None]:
        """The lookup and, for an unknown job whose lock no session holds, the lock, in one
        round trip; a lookup alone when every lock slot is taken."""
        slots = self._slots()
        if slots.locked():
            return await self.lookup(tenant_id, mode, job_id), None
        await slots.acquire()  # free: it does not wait
        lock = lock_id(tenant_id, mode, job_id)
        try:
            conn, row = await self._lock_and_lookup(
                self.pool, LOOKUP_OR_LOCK, (lock, tenant_id, mode, job_id)
            )
        except BaseException:
            slots.release()
            raise
        looked = _looked_up(tenant_id, mode, job_id, row)
        if row is not None and row[7]:
            claim = _FetchClaim(self, conn, slots, lock)
            if looked.job is None and looked.miss is None:
                return looked, claim
            claim.release()  # the last holder stored it just before letting go
            return looked, None
        slots.release()
        await self.pool.putconn(conn)
        return looked, None

    def fetch_lock(
        self, tenant_id: str, mode: str, job_id: str
    ) -> AbstractAsyncContextManager[Lookup | None]:
        return self._advisory_lock(tenant_id, mode, job_id)

    def _slots(self) -> asyncio.Semaphore:
        if self._lock_slots is None:
            self._lock_slots = asyncio.Semaphore(max(1, self._max * 3 // 4))
        return self._lock_slots

    @asynccontextmanager
    async def _advisory_lock(self, tenant_id: str, mode: str, job_id: str) -> AsyncIterator[Lookup]:
        pool, slots, lock = self.pool, self._slots(), lock_id(tenant_id, mode, job_id)
        await slots.acquire()
        try:
            conn, row = await self._lock_and_lookup(
                pool, LOCK_AND_LOOKUP, (lock, tenant_id, mode, job_id)
            )
        except BaseException:
            slots.release()
            raise
        async with _FetchClaim(self, conn, slots, lock):
            yield _looked_up(tenant_id, mode, job_id, row)

    async def _lock_and_lookup(
        self, pool: AsyncConnectionPool, sql: str, params: tuple[Any, ...]
    ) -> tuple[Connection, tuple[Any, ...] | None]:
        """`sql`, a call of a function that may take a lock, then looks a job up, on a
        connection kept out of the pool: the caller unlocks it, or gives it back."""
        attempt = 1
        while True:
            conn = await self._checkout(pool)
            try:
                cursor = await conn.execute(sql, params)
                return conn, await cursor.fetchone()
            except BaseException as exc:
                again = _run_again(exc, conn, attempt)
                # Granted or not, the lock goes with the session: end it (the pool replaces it).
                await _discard(pool, conn)
                if not again:
                    raise
                attempt += 1


class _FetchClaim(FetchClaim):
    """A fetch lock held by `conn`, out of the pool, which serves every store call made in
    the block (a context variable hands the claim down)."""

    def __init__(
        self, store: PostgresStore, conn: Connection, slots: asyncio.Semaphore, lock: int
    ) -> None:
        self.conn, self.lock = conn, lock
        self._store, self._slots = store, slots
        self._pool = store.pool  # the one it came from, even if the store closes meanwhile
        self._token: Token[_FetchClaim | None] | None = None
        self._released = False
        #: whether the lock was let go already (with the job's upsert).
        self.unlocked = False

    async def __aenter__(self) -> None:
        self._token = self._store._held.set(self)

    def release(self) -> None:
        if self._token is not None:
            self._store._held.reset(self._token)
            self._token = None
        if self._released:
            return
        self._released = True
        # The job (or its miss) is committed: the caller has its answer and need not wait
        # for the unlock's round trip. `close()` waits for those still under way.
        unlocking = asyncio.create_task(self._let_go())
        self._store._unlocking.add(unlocking)
        unlocking.add_done_callback(self._store._unlocking.discard)

    async def _let_go(self) -> None:
        """Unlock, unless the upsert did, and give the connection back to the pool it came
        from (even if the store has closed since). When the unlock fails or is cancelled,
        end the session instead: that releases whatever it holds, and a connection still
        holding a lock never goes back to the pool. (A session the database ended took its
        lock along.)"""
        conn, unlocked = self.conn, self.unlocked
        try:
            if not unlocked and not conn.closed:
                await conn.execute("SELECT pg_advisory_unlock(%s)", (self.lock,))
                unlocked = True
        except psycopg.Error as exc:
            if not conn.closed:
                log.warning("closing a connection whose fetch lock could not be released: %s", exc)
        finally:
            try:
                if unlocked and not conn.closed:
                    await self._pool.putconn(conn)
                else:
                    await _discard(self._pool, conn)
            finally:
                self._slots.release()


async def _discard(pool: AsyncConnectionPool, conn: Connection) -> None:
    """End the connection's session and hand it back: the pool replaces it."""
    try:
        await conn.close()
    finally:
        await pool.putconn(conn)


def _run_again(exc: BaseException, conn: Connection, attempt: int) -> bool:
    """Whether a statement that failed with `exc` on `conn` is to run again on another
    connection: its session was ended by the database, and attempts are left."""
    ended = isinstance(exc, psycopg.OperationalError) and conn.closed
    if ended and attempt < _SESSION_ATTEMPTS:
        log.warning(
            "the database ended a session mid-statement; running it again on another",
            extra={"error": type(exc).__name__, "attempt": attempt},
        )
        return True
    return False


def _ended_while_idle(conn: Connection) -> bool:
    """Whether the database ended this idle session: with no statement under way, anything
    to read on its socket is the server's FATAL message or the end of the stream."""
    if conn.closed:
        return True
    try:
        return _readable(conn.fileno())
    except (psycopg.Error, OSError, ValueError):
        return True


if hasattr(select, "poll"):

    def _readable(fd: int) -> bool:
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        return bool(poller.poll(0))

else:  # Windows: no poll(), and its select() has no limit on descriptor numbers

    def _readable(fd: int) -> bool:
        return bool(select.select([fd], [], [], 0)[0])


async def _fetchone(cursor: Cursor) -> tuple[Any, ...] | None:
    return await cursor.fetchone()


async def _fetchall(cursor: Cursor) -> list[tuple[Any, ...]]:
    return await cursor.fetchall()


async def _nothing(cursor: Cursor) -> None:
    return None


async def _rowcount(cursor: Cursor) -> int:
    return cursor.rowcount
