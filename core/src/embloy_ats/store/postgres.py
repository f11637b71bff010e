"""PostgreSQL store: many service replicas share one database.

psycopg 3, async, pooled. Cross-process single-flight uses a session advisory lock per job
key: the process holding it fetches, the others wait on it and then read what it stored.
Migrations run under an advisory lock too, so replicas starting together migrate once.

The connection that holds a fetch lock also serves every store call made while it is held
(a context variable hands it down), and at most three quarters of the pool may hold locks
at once: a burst of unknown jobs can neither deadlock the pool (every connection holding a
lock while waiting for another to read) nor starve reads of stored jobs.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from contextvars import ContextVar
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool

from embloy_ats.errors import ConfigurationError
from embloy_ats.store.base import (
    _LOOKUP,
    ClientToken,
    Miss,
    Store,
    StoredConnection,
    StoredJob,
    Tenant,
    _looked_up,
    new_tenant_id,
)

_MIGRATION_LOCK = 0x656D626C6F79  # "embloy"
MIGRATIONS: list[tuple[int, list[str]]] = [
    (
        1,
        [
            """CREATE TABLE tenants (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                created_at DOUBLE PRECISION NOT NULL)""",
            """CREATE TABLE connections (
                tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
                mode TEXT NOT NULL,
                settings TEXT NOT NULL,
                credentials BYTEA,
                updated_at DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (tenant_id, mode))""",
            """CREATE TABLE jobs (
                tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
                mode TEXT NOT NULL,
                job_id TEXT NOT NULL,
                job TEXT NOT NULL,
                fetched_at DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (tenant_id, mode, job_id))""",
            """CREATE TABLE job_misses (
                tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
                mode TEXT NOT NULL,
                job_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                message TEXT NOT NULL,
                retry_after DOUBLE PRECISION,
                expires_at DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (tenant_id, mode, job_id))""",
        ],
    ),
    (
        2,
        [
            """CREATE TABLE client_tokens (
                jti TEXT PRIMARY KEY,
                tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
                issued_at DOUBLE PRECISION NOT NULL,
                expires_at DOUBLE PRECISION NOT NULL,
                revoked_at DOUBLE PRECISION)""",
        ],
    ),
]


def lock_id(key: str) -> int:
    """A signed 64-bit advisory lock id for a job key."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)


class PostgresStore(Store):
    def __init__(self, conninfo: str, *, min_size: int = 1, max_size: int = 50) -> None:
        self.conninfo = conninfo
        self._pool: AsyncConnectionPool | None = None
        self._min, self._max = min_size, max_size
        #: the connection holding this task's fetch lock, if it holds one.
        self._held: ContextVar[psycopg.AsyncConnection[Any] | None] = ContextVar(
            f"embloy_ats_pg_held_{id(self)}", default=None
        )
        self._lock_slots: asyncio.Semaphore | None = None

    @property
    def pool(self) -> AsyncConnectionPool:
        if self._pool is None:
            raise ConfigurationError("the store is not open; call `await store.open()` first")
        return self._pool

    async def open(self) -> None:
        if self._pool is not None:
            return
        pool = AsyncConnectionPool(
            self.conninfo,
            min_size=self._min,
            max_size=self._max,
            kwargs={"autocommit": True},
            open=False,
        )
        try:
            await pool.open(wait=True, timeout=10)
        except psycopg.Error as exc:
            await pool.close()
            raise ConfigurationError(f"cannot reach the PostgreSQL database: {exc}") from None
        except Exception:
            await pool.close()
            raise
        self._pool = pool
        await self._migrate()

    async def _migrate(self) -> None:
        async with self.pool.connection() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                "applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
            )
            cursor = await conn.execute("SELECT version FROM schema_migrations")
            done = {row[0] for row in await cursor.fetchall()}
            for version, statements in MIGRATIONS:
                if version in done:
                    continue
                for statement in statements:
                    await conn.execute(statement)
                await conn.execute(
                    "INSERT INTO schema_migrations (version) VALUES (%s)", (version,)
                )

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    @asynccontextmanager
    async def _conn(self) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        """The connection holding this task's fetch lock, else one from the pool."""
        held = self._held.get()
        if held is not None:
            yield held
            return
        async with self.pool.connection() as conn:
            yield conn

    async def _one(self, sql: str, params: tuple[Any, ...]) -> tuple[Any, ...] | None:
        async with self._conn() as conn:
            cursor = await conn.execute(sql, params)
            return await cursor.fetchone()

    async def _all(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        async with self._conn() as conn:
            cursor = await conn.execute(sql, params)
            return await cursor.fetchall()

    async def _run(self, sql: str, params: tuple[Any, ...]) -> None:
        async with self._conn() as conn:
            await conn.execute(sql, params)

    async def create_tenant(self, name: str, *, now: float) -> Tenant:
        tenant = Tenant(new_tenant_id(), name, now)
        try:
            await self._run(
                "INSERT INTO tenants (id, name, created_at) VALUES (%s, %s, %s)",
                (tenant.id, tenant.name, tenant.created_at),
            )
        except psycopg.errors.UniqueViolation:
            raise ConfigurationError(f"a tenant named {name[:64]!r} already exists") from None
        return tenant

    async def find_tenant(self, name_or_id: str) -> Tenant | None:
        row = await self._one(
            "SELECT id, name, created_at FROM tenants WHERE id = %s OR name = %s "
            "ORDER BY id = %s DESC LIMIT 1",
            (name_or_id, name_or_id, name_or_id),
        )
        return Tenant(*row) if row else None

    async def list_tenants(self) -> list[Tenant]:
        return [
            Tenant(*row)
            for row in await self._all("SELECT id, name, created_at FROM tenants ORDER BY name")
        ]

    async def put_connection(self, connection: StoredConnection) -> None:
        await self._run(
            "INSERT INTO connections (tenant_id, mode, settings, credentials, updated_at) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (tenant_id, mode) DO UPDATE SET "
            "settings = excluded.settings, credentials = excluded.credentials, "
            "updated_at = excluded.updated_at",
            (
                connection.tenant_id,
                connection.mode,
                json.dumps(connection.settings, sort_keys=True),
                connection.credentials,
                connection.updated_at,
            ),
        )

    @staticmethod
    def _connection(row: tuple[Any, ...]) -> StoredConnection:
        blob = bytes(row[3]) if row[3] is not None else None
        return StoredConnection(row[0], row[1], json.loads(row[2]), blob, row[4])

    async def get_connection(self, tenant_id: str, mode: str) -> StoredConnection | None:
        row = await self._one(
            "SELECT tenant_id, mode, settings, credentials, updated_at FROM connections "
            "WHERE tenant_id = %s AND mode = %s",
            (tenant_id, mode),
        )
        return self._connection(row) if row else None

    async def list_connections(self, tenant_id: str | None = None) -> list[StoredConnection]:
        sql = "SELECT tenant_id, mode, settings, credentials, updated_at FROM connections"
        rows = (
            await self._all(sql + " WHERE tenant_id = %s ORDER BY mode", (tenant_id,))
            if tenant_id is not None
            else await self._all(sql + " ORDER BY tenant_id, mode")
        )
        return [self._connection(row) for row in rows]

    async def get_job(self, tenant_id: str, mode: str, job_id: str) -> StoredJob | None:
        row = await self._one(
            "SELECT tenant_id, mode, job_id, job, fetched_at FROM jobs "
            "WHERE tenant_id = %s AND mode = %s AND job_id = %s",
            (tenant_id, mode, job_id),
        )
        return StoredJob(*row) if row else None

    async def put_job(self, job: StoredJob) -> None:
        # One statement is one transaction: the miss goes with the upsert, in one round trip.
        await self._run(
            "WITH forgotten AS (DELETE FROM job_misses WHERE tenant_id = %s AND mode = %s "
            "AND job_id = %s) INSERT INTO jobs (tenant_id, mode, job_id, job, fetched_at) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (tenant_id, mode, job_id) DO UPDATE "
            "SET job = excluded.job, fetched_at = excluded.fetched_at",
            (job.tenant_id, job.mode, job.job_id,
             job.tenant_id, job.mode, job.job_id, job.job_json, job.fetched_at),
        )  # fmt: skip

    async def list_jobs(self, tenant_id: str) -> list[StoredJob]:
        rows = await self._all(
            "SELECT tenant_id, mode, job_id, job, fetched_at FROM jobs WHERE tenant_id = %s "
            "ORDER BY mode, job_id",
            (tenant_id,),
        )
        return [StoredJob(*row) for row in rows]

    async def get_miss(self, tenant_id: str, mode: str, job_id: str) -> Miss | None:
        row = await self._one(
            "SELECT kind, message, retry_after, expires_at FROM job_misses "
            "WHERE tenant_id = %s AND mode = %s AND job_id = %s",
            (tenant_id, mode, job_id),
        )
        return Miss(*row) if row else None

    async def lookup(
        self, tenant_id: str, mode: str, job_id: str
    ) -> tuple[StoredJob | None, Miss | None]:
        row = await self._one(_LOOKUP, (tenant_id, mode, job_id) * 2)
        return _looked_up(tenant_id, mode, job_id, row)

    async def put_miss(self, tenant_id: str, mode: str, job_id: str, miss: Miss) -> None:
        await self._run(
            "INSERT INTO job_misses (tenant_id, mode, job_id, kind, message, retry_after, "
            "expires_at) VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (tenant_id, mode, "
            "job_id) DO UPDATE SET kind = excluded.kind, message = excluded.message, "
            "retry_after = excluded.retry_after, expires_at = excluded.expires_at",
            (tenant_id, mode, job_id, miss.kind, miss.message, miss.retry_after, miss.expires_at),
        )

    async def put_client_token(self, token: ClientToken) -> None:
        await self._run(
            "INSERT INTO client_tokens (jti, tenant_id, issued_at, expires_at, revoked_at) "
            "VALUES (%s, %s, %s, %s, %s)",
            (token.jti, token.tenant_id, token.issued_at, token.expires_at, token.revoked_at),
        )

    async def get_client_token(self, jti: str) -> ClientToken | None:
        row = await self._one(
            "SELECT jti, tenant_id, issued_at, expires_at, revoked_at FROM client_tokens "
            "WHERE jti = %s",
            (jti,),
        )
        return ClientToken(*row) if row else None

    async def revoke_client_token(self, jti: str, *, now: float) -> bool:
        async with self._conn() as conn:
            cursor = await conn.execute(
                "UPDATE client_tokens SET revoked_at = coalesce(revoked_at, %s) WHERE jti = %s",
                (now, jti),
            )
            return cursor.rowcount > 0

    def fetch_lock(self, key: str) -> AbstractAsyncContextManager[None]:
        return self._advisory_lock(lock_id(key))

    @asynccontextmanager
    async def _advisory_lock(self, lock: int) -> AsyncIterator[None]:
        if self._lock_slots is None:
            self._lock_slots = asyncio.Semaphore(max(1, self._max * 3 // 4))
        async with self._lock_slots, self.pool.connection() as conn:
            await conn.execute("SELECT pg_advisory_lock(%s)", (lock,))
            token = self._held.set(conn)
            try:
                yield
            finally:
                self._held.reset(token)
                await conn.execute("SELECT pg_advisory_unlock(%s)", (lock,))
