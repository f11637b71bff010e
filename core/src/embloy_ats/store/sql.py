"""The SQL both stores speak: one text, with the backend's placeholder and column types."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from embloy_ats.store.base import StoredConnection


def migrations(real: str, blob: str) -> list[tuple[int, list[str]]]:
    """Versioned schema: `real` and `blob` are the backend's float and bytes column types."""
    return [
        (
            1,
            [
                f"""CREATE TABLE tenants (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    created_at {real} NOT NULL)""",
                f"""CREATE TABLE connections (
                    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
                    mode TEXT NOT NULL,
                    settings TEXT NOT NULL,
                    credentials {blob},
                    updated_at {real} NOT NULL,
                    PRIMARY KEY (tenant_id, mode))""",
                f"""CREATE TABLE jobs (
                    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
                    mode TEXT NOT NULL,
                    job_id TEXT NOT NULL,
                    job TEXT NOT NULL,
                    fetched_at {real} NOT NULL,
                    PRIMARY KEY (tenant_id, mode, job_id))""",
                f"""CREATE TABLE job_misses (
                    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
                    mode TEXT NOT NULL,
                    job_id TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    message TEXT NOT NULL,
                    retry_after {real},
                    expires_at {real} NOT NULL,
                    PRIMARY KEY (tenant_id, mode, job_id))""",
            ],
        ),
        (
            2,
            [
                f"""CREATE TABLE client_tokens (
                    jti TEXT PRIMARY KEY,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
                    issued_at {real} NOT NULL,
                    expires_at {real} NOT NULL,
                    revoked_at {real})""",
            ],
        ),
    ]


_CONNECTION_COLUMNS = "SELECT tenant_id, mode, settings, credentials, updated_at FROM connections"


@dataclass(frozen=True)
class Queries:
    """Every statement the stores share, written once with `%s` and given in the backend's
    placeholder style."""

    insert_tenant: str
    find_tenant: str
    list_tenants: str
    put_connection: str
    get_connection: str
    list_connections: str
    list_connections_of: str
    get_job: str
    upsert_job: str
    forget_miss: str
    list_jobs: str
    get_miss: str
    lookup: str
    put_miss: str
    put_client_token: str
    get_client_token: str
    revoke_client_token: str

    @classmethod
    def with_placeholder(cls, placeholder: str) -> Queries:
        return cls(**{name: sql.replace("%s", placeholder) for name, sql in _SHARED.items()})


_SHARED = {
    "insert_tenant": "INSERT INTO tenants (id, name, created_at) VALUES (%s, %s, %s)",
    "find_tenant": (
        "SELECT id, name, created_at FROM tenants WHERE id = %s OR name = %s "
        "ORDER BY id = %s DESC LIMIT 1"
    ),
    "list_tenants": "SELECT id, name, created_at FROM tenants ORDER BY name",
    "put_connection": (
        "INSERT INTO connections (tenant_id, mode, settings, credentials, updated_at) "
        "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (tenant_id, mode) DO UPDATE SET "
        "settings = excluded.settings, credentials = excluded.credentials, "
        "updated_at = excluded.updated_at"
    ),
    "get_connection": _CONNECTION_COLUMNS + " WHERE tenant_id = %s AND mode = %s",
    "list_connections": _CONNECTION_COLUMNS + " ORDER BY tenant_id, mode",
    "list_connections_of": _CONNECTION_COLUMNS + " WHERE tenant_id = %s ORDER BY mode",
    "get_job": (
        "SELECT job, fetched_at FROM jobs WHERE tenant_id = %s AND mode = %s AND job_id = %s"
    ),
    "upsert_job": (
        "INSERT INTO jobs (tenant_id, mode, job_id, job, fetched_at) VALUES (%s, %s, %s, %s, %s) "
        "ON CONFLICT (tenant_id, mode, job_id) DO UPDATE SET job = excluded.job, "
        "fetched_at = excluded.fetched_at"
    ),
    "forget_miss": "DELETE FROM job_misses WHERE tenant_id = %s AND mode = %s AND job_id = %s",
    "list_jobs": (
        "SELECT tenant_id, mode, job_id, job, fetched_at FROM jobs WHERE tenant_id = %s "
        "ORDER BY mode, job_id"
    ),
    "get_miss": (
        "SELECT kind, message, retry_after, expires_at FROM job_misses "
        "WHERE tenant_id = %s AND mode = %s AND job_id = %s"
    ),
    # a job, its miss and the connection's version in one query: one round trip a resolve
    "lookup": (
        "SELECT j.job, j.fetched_at, m.kind, m.message, m.retry_after, m.expires_at, "
        "c.updated_at FROM (SELECT 1) AS one "
        "LEFT JOIN jobs j ON j.tenant_id = %s AND j.mode = %s AND j.job_id = %s "
        "LEFT JOIN job_misses m ON m.tenant_id = %s AND m.mode = %s AND m.job_id = %s "
        "LEFT JOIN connections c ON c.tenant_id = %s AND c.mode = %s"
    ),
    "put_miss": (
        "INSERT INTO job_misses (tenant_id, mode, job_id, kind, message, retry_after, "
        "expires_at) VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (tenant_id, mode, job_id) "
        "DO UPDATE SET kind = excluded.kind, message = excluded.message, "
        "retry_after = excluded.retry_after, expires_at = excluded.expires_at"
    ),
    "put_client_token": (
        "INSERT INTO client_tokens (jti, tenant_id, issued_at, expires_at, revoked_at) "
        "VALUES (%s, %s, %s, %s, %s)"
    ),
    "get_client_token": (
        "SELECT jti, tenant_id, issued_at, expires_at, revoked_at FROM client_tokens WHERE jti = %s"
    ),
    "revoke_client_token": (
        "UPDATE client_tokens SET revoked_at = coalesce(revoked_at, %s) WHERE jti = %s"
    ),
}


def connection_row(row: tuple[Any, ...]) -> StoredConnection:
    """A connections row, whichever driver read it (bytes or memoryview credentials)."""
    blob = bytes(row[3]) if row[3] is not None else None
    return StoredConnection(row[0], row[1], json.loads(row[2]), blob, row[4])


def settings_text(connection: StoredConnection) -> str:
    return json.dumps(connection.settings, sort_keys=True)
