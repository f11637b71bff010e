"""SQLite store: the embedded default. One file, zero set-up, one process.

Calls run on the event loop thread: they are short local reads and single-statement writes
(WAL journal), cheaper than a hop to a worker thread.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

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
Q = Queries.with_placeholder("?")


class SqliteStore(Store):
    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._db: sqlite3.Connection | None = None

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise ConfigurationError("the store is not open; call `await store.open()` first")
        return self._db

    async def open(self) -> None:
        if self._db is not None:
            return
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise ConfigurationError(
                f"cannot open the SQLite database {self.path!r}: {exc}",
                hint="Check EMBLOY_ATS_DATABASE_URL: the file must be readable and writable.",
            ) from exc
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA busy_timeout=5000")
        self._db = db
        self._migrate()

    def _migrate(self) -> None:
        db = self.db
        db.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
            "applied_at REAL NOT NULL)"
        )
        done = {row[0] for row in db.execute("SELECT version FROM schema_migrations")}
        for version, statements in MIGRATIONS:
            if version in done:
                continue
            db.execute("BEGIN IMMEDIATE")
            try:
                for statement in statements:
                    db.execute(statement)
                db.execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                    (version, time.time()),
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    async def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    async def ping(self) -> None:
        self.db.execute("SELECT 1").fetchone()

    async def create_tenant(self, name: str, *, now: float) -> Tenant:
        tenant = Tenant(new_tenant_id(), name, now)
        try:
            self.db.execute(Q.insert_tenant, (tenant.id, tenant.name, tenant.created_at))
        except sqlite3.IntegrityError:
            raise TenantExists(f"a tenant named {name[:64]!r} already exists") from None
        return tenant

    async def find_tenant(self, name_or_id: str) -> Tenant | None:
        row = self.db.execute(Q.find_tenant, (name_or_id,) * 3).fetchone()
        return Tenant(*row) if row else None

    async def list_tenants(self) -> list[Tenant]:
        rows = self.db.execute(Q.list_tenants)
        return [Tenant(*row) for row in rows]

    async def put_connection(self, connection: StoredConnection) -> None:
        self.db.execute(
            Q.put_connection,
            (connection.tenant_id, connection.mode, settings_text(connection),
             connection.credentials, connection.updated_at),
        )  # fmt: skip

    async def get_connection(self, tenant_id: str, mode: str) -> StoredConnection | None:
        row = self.db.execute(Q.get_connection, (tenant_id, mode)).fetchone()
        return connection_row(row) if row else None

    async def list_connections(self, tenant_id: str | None = None) -> list[StoredConnection]:
        rows = (
            self.db.execute(Q.list_connections_of, (tenant_id,))
            if tenant_id is not None
            else self.db.execute(Q.list_connections)
        )
        return [connection_row(row) for row in rows]

    async def get_job(self, tenant_id: str, mode: str, job_id: str) -> StoredJob | None:
        row = self.db.execute(Q.get_job, (tenant_id, mode, job_id)).fetchone()
        return StoredJob(*row) if row else None

    async def put_job(self, job: StoredJob) -> None:
        db = self.db
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

    async def list_jobs(self, tenant_id: str) -> list[StoredJob]:
        return [StoredJob(*row) for row in self.db.execute(Q.list_jobs, (tenant_id,))]

    async def get_miss(self, tenant_id: str, mode: str, job_id: str) -> Miss | None:
        row = self.db.execute(Q.get_miss, (tenant_id, mode, job_id)).fetchone()
        return Miss(*row) if row else None

    async def lookup(self, tenant_id: str, mode: str, job_id: str) -> Lookup:
        row = self.db.execute(Q.lookup, lookup_params(tenant_id, mode, job_id)).fetchone()
        return _looked_up(tenant_id, mode, job_id, row)

    async def put_miss(self, tenant_id: str, mode: str, job_id: str, miss: Miss) -> None:
        self.db.execute(
            Q.put_miss,
            (tenant_id, mode, job_id, miss.kind, miss.message, miss.retry_after, miss.expires_at),
        )

    async def put_client_token(self, token: ClientToken) -> None:
        self.db.execute(
            Q.put_client_token,
            (token.jti, token.tenant_id, token.issued_at, token.expires_at, token.revoked_at),
        )

    async def get_client_token(self, jti: str) -> ClientToken | None:
        row = self.db.execute(Q.get_client_token, (jti,)).fetchone()
        return ClientToken(*row) if row else None

    async def revoke_client_token(self, jti: str, *, now: float) -> bool:
        cursor = self.db.execute(Q.revoke_client_token, (now, jti))
        return cursor.rowcount > 0

    def fetch_lock(
        self, tenant_id: str, mode: str, job_id: str
    ) -> AbstractAsyncContextManager[Lookup | None]:
        return _no_lock()


@asynccontextmanager
async def _no_lock() -> AsyncIterator[None]:
    yield None
