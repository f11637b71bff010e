"""The outbox in PostgreSQL: the job store's database, a pool of its own.

Claims take due rows with `FOR UPDATE SKIP LOCKED` inside the claiming `UPDATE`, so any
number of workers on any number of machines claim disjoint rows without waiting on each
other; the lease column then holds the claim after the statement commits. The shared rate
limit is one row per tenant and ATS, booked by an upsert that locks it for its statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool

from embloy_ats.applications.store import ApplicationStore, Dialect, _Duplicate, migrations
from embloy_ats.crypto import KeyRing
from embloy_ats.errors import ConfigurationError
from embloy_ats.store.postgres import migrate, open_pool

DIALECT = Dialect(
    placeholder="%s",
    real="DOUBLE PRECISION",
    blob="BYTEA",
    greatest="GREATEST",
    claim_lock=" FOR UPDATE SKIP LOCKED",
)
MIGRATIONS = migrations(DIALECT)
#: the advisory lock replicas take to migrate one at a time ("apply").
_MIGRATION_LOCK = 0x6170706C79


class PostgresApplicationStore(ApplicationStore):
    dialect = DIALECT

    def __init__(
        self, conninfo: str, keys: KeyRing, *, min_size: int = 1, max_size: int = 10
    ) -> None:
        super().__init__(keys)
        self.conninfo = conninfo
        self._min, self._max = min_size, max_size
        self._pool: AsyncConnectionPool | None = None

    @property
    def pool(self) -> AsyncConnectionPool:
        if self._pool is None:
            raise ConfigurationError("the application store is not open; call `open()` first")
        return self._pool

    async def open(self) -> None:
        if self._pool is not None:
            return
        self._pool = await open_pool(self.conninfo, min_size=self._min, max_size=self._max)
        try:
            await self._migrate()
        except BaseException:
            await self.close()
            raise

    async def _migrate(self) -> None:
        async with self.pool.connection() as conn, conn.transaction():
            await migrate(conn, "application_schema", MIGRATIONS, lock=_MIGRATION_LOCK)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        async with self.pool.connection() as conn:
            cursor = await conn.execute(sql, tuple(params))
            return await cursor.fetchone()

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        async with self.pool.connection() as conn:
            cursor = await conn.execute(sql, tuple(params))
            return await cursor.fetchall()

    async def _run(self, sql: str, params: Sequence[Any] = ()) -> int:
        async with self.pool.connection() as conn:
            cursor = await conn.execute(sql, tuple(params))
            return cursor.rowcount

    async def _atomic(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> None:
        try:
            # One round trip: the statements go out together, the commit waits for them.
            async with self.pool.connection() as conn, conn.pipeline(), conn.transaction():
                for sql, params in statements:
                    await conn.execute(sql, tuple(params))
        except psycopg.errors.UniqueViolation as exc:
            if exc.diag.constraint_name == "applications_idempotency":
                raise _Duplicate from None
            raise
