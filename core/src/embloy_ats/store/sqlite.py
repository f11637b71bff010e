"""SQLite store: the embedded default. One file, zero set-up, one process.

Calls run on the event loop thread: they are short local reads and single-statement writes
(WAL journal), cheaper than a hop to a worker thread.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

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

MIGRATIONS: list[tuple[int, list[str]]] = [
    (
        1,
        [
            """CREATE TABLE tenants (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                created_at REAL NOT NULL)""",
            """CREATE TABLE connections (
                tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
                mode TEXT NOT NULL,
                settings TEXT NOT NULL,
                credentials BLOB,
                updated_at REAL NOT NULL,
                PRIMARY KEY (tenant_id, mode))""",
            """CREATE TABLE jobs (
                tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
                mode TEXT NOT NULL,
                job_id TEXT NOT NULL,
                job TEXT NOT NULL,
                fetched_at REAL NOT NULL,
                PRIMARY KEY (tenant_id, mode, job_id))""",
            """CREATE TABLE job_misses (
                tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
                mode TEXT NOT NULL,
                job_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                message TEXT NOT NULL,
                retry_after REAL,
                expires_at REAL NOT NULL,
                PRIMARY KEY (tenant_id, mode, job_id))""",
        ],
    ),
    (
        2,
        [
            """CREATE TABLE client_tokens (
                jti TEXT PRIMARY KEY,
                tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
                issued_at REAL NOT NULL,
                expires_at REAL NOT NULL,
                revoked_at REAL)""",
        ],
    ),
]

_SQLITE_LOOKUP = _LOOKUP.replace("%s", "?")


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
                f"cannot open the SQLite database {self.path!r}: {exc}"
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

    async def create_tenant(self, name: str, *, now: float) -> Tenant:
        tenant = Tenant(new_tenant_id(), name, now)
        try:
            self.db.execute(
                "INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?)",
                (tenant.id, tenant.name, tenant.created_at),
            )
        except sqlite3.IntegrityError:
            raise ConfigurationError(f"a tenant named {name[:64]!r} already exists") from None
        return tenant

    async def find_tenant(self, name_or_id: str) -> Tenant | None:
        row = self.db.execute(
            "SELECT id, name, created_at FROM tenants WHERE id = ? OR name = ? "
            "ORDER BY id = ? DESC LIMIT 1",
            (name_or_id, name_or_id, name_or_id),
        ).fetchone()
        return Tenant(*row) if row else None

    async def list_tenants(self) -> list[Tenant]:
        rows = self.db.execute("SELECT id, name, created_at FROM tenants ORDER BY name")
        return [Tenant(*row) for row in rows]

    async def put_connection(self, connection: StoredConnection) -> None:
        self.db.execute(
            "INSERT INTO connections (tenant_id, mode, settings, credentials, updated_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant_id, mode) DO UPDATE SET "
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
    def _connection(row: tuple[str, str, str, bytes | None, float]) -> StoredConnection:
        return StoredConnection(row[0], row[1], json.loads(row[2]), row[3], row[4])

    async def get_connection(self, tenant_id: str, mode: str) -> StoredConnection | None:
        row = self.db.execute(
            "SELECT tenant_id, mode, settings, credentials, updated_at FROM connections "
            "WHERE tenant_id = ? AND mode = ?",
            (tenant_id, mode),
        ).fetchone()
        return self._connection(row) if row else None

    async def list_connections(self, tenant_id: str | None = None) -> list[StoredConnection]:
        sql = "SELECT tenant_id, mode, settings, credentials, updated_at FROM connections"
        rows = (
            self.db.execute(sql + " WHERE tenant_id = ? ORDER BY mode", (tenant_id,))
            if tenant_id is not None
            else self.db.execute(sql + " ORDER BY tenant_id, mode")
        )
        return [self._connection(row) for row in rows]

    async def get_job(self, tenant_id: str, mode: str, job_id: str) -> StoredJob | None:
        row = self.db.execute(
            "SELECT tenant_id, mode, job_id, job, fetched_at FROM jobs "
            "WHERE tenant_id = ? AND mode = ? AND job_id = ?",
            (tenant_id, mode, job_id),
        ).fetchone()
        return StoredJob(*row) if row else None

    async def put_job(self, job: StoredJob) -> None:
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute(
                "INSERT INTO jobs (tenant_id, mode, job_id, job, fetched_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant_id, mode, job_id) "
                "DO UPDATE SET job = excluded.job, fetched_at = excluded.fetched_at",
                (job.tenant_id, job.mode, job.job_id, job.job_json, job.fetched_at),
            )
            db.execute(
                "DELETE FROM job_misses WHERE tenant_id = ? AND mode = ? AND job_id = ?",
                (job.tenant_id, job.mode, job.job_id),
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    async def list_jobs(self, tenant_id: str) -> list[StoredJob]:
        rows = self.db.execute(
            "SELECT tenant_id, mode, job_id, job, fetched_at FROM jobs WHERE tenant_id = ? "
            "ORDER BY mode, job_id",
            (tenant_id,),
        )
        return [StoredJob(*row) for row in rows]

    async def get_miss(self, tenant_id: str, mode: str, job_id: str) -> Miss | None:
        row = self.db.execute(
            "SELECT kind, message, retry_after, expires_at FROM job_misses "
            "WHERE tenant_id = ? AND mode = ? AND job_id = ?",
            (tenant_id, mode, job_id),
        ).fetchone()
        return Miss(*row) if row else None

    async def lookup(
        self, tenant_id: str, mode: str, job_id: str
    ) -> tuple[StoredJob | None, Miss | None]:
        row = self.db.execute(_SQLITE_LOOKUP, (tenant_id, mode, job_id) * 2).fetchone()
        return _looked_up(tenant_id, mode, job_id, row)

    async def put_miss(self, tenant_id: str, mode: str, job_id: str, miss: Miss) -> None:
        self.db.execute(
            "INSERT INTO job_misses (tenant_id, mode, job_id, kind, message, retry_after, "
            "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, mode, job_id) DO "
            "UPDATE SET kind = excluded.kind, message = excluded.message, "
            "retry_after = excluded.retry_after, expires_at = excluded.expires_at",
            (tenant_id, mode, job_id, miss.kind, miss.message, miss.retry_after, miss.expires_at),
        )

    async def put_client_token(self, token: ClientToken) -> None:
        self.db.execute(
            "INSERT INTO client_tokens (jti, tenant_id, issued_at, expires_at, revoked_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (token.jti, token.tenant_id, token.issued_at, token.expires_at, token.revoked_at),
        )

    async def get_client_token(self, jti: str) -> ClientToken | None:
        row = self.db.execute(
            "SELECT jti, tenant_id, issued_at, expires_at, revoked_at FROM client_tokens "
            "WHERE jti = ?",
            (jti,),
        ).fetchone()
        return ClientToken(*row) if row else None

    async def revoke_client_token(self, jti: str, *, now: float) -> bool:
        cursor = self.db.execute(
            "UPDATE client_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE jti = ?",
            (now, jti),
        )
        return cursor.rowcount > 0

    def fetch_lock(self, key: str) -> AbstractAsyncContextManager[None]:
        return _no_lock()


@asynccontextmanager
async def _no_lock() -> AsyncIterator[None]:
    yield
