"""The store: tenants, their connections, resolved jobs and remembered misses.

Two backends share this interface and one test suite: SQLite (embedded default, one
process) and PostgreSQL (many service replicas). Every job row is keyed by tenant, mode and
job id, so a tenant can only ever read its own jobs.
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from embloy_ats.errors import ConfigurationError


@dataclass(frozen=True)
class Tenant:
    id: str
    name: str
    created_at: float


@dataclass(frozen=True)
class StoredConnection:
    tenant_id: str
    mode: str
    settings: dict[str, str]
    #: Fernet token of the credentials mapping; None when the connection needs none.
    credentials: bytes | None
    updated_at: float


@dataclass(frozen=True)
class StoredJob:
    tenant_id: str
    mode: str
    job_id: str
    job_json: str
    fetched_at: float


@dataclass(frozen=True)
class Miss:
    """A remembered failure: the ATS said the job is gone, or the last fetch failed."""

    kind: str  # the error class name, e.g. "JobNotFound"
    message: str
    retry_after: float | None
    expires_at: float


@dataclass(frozen=True)
class ClientToken:
    """An issued client token (the secret itself is never stored, only its id)."""

    jti: str
    tenant_id: str
    issued_at: float
    expires_at: float
    revoked_at: float | None


class UnknownTenant(ConfigurationError):
    hint = "List tenants with `embloy-ats tenants list`, or add one with `embloy-ats tenants add`."


class TenantExists(ConfigurationError):
    hint = "Choose another name; `embloy-ats tenants list` shows the tenants there are."


def new_tenant_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Lookup:
    """What a resolve reads first, in one query (one round trip on PostgreSQL)."""

    job: StoredJob | None
    miss: Miss | None
    #: `updated_at` of the tenant's connection for the mode; None: there is none.
    connection_updated_at: float | None


def _looked_up(tenant_id: str, mode: str, job_id: str, row: tuple[Any, ...] | None) -> Lookup:
    if row is None:
        return Lookup(None, None, None)
    job = StoredJob(tenant_id, mode, job_id, row[0], row[1]) if row[0] is not None else None
    miss = Miss(row[2], row[3], row[4], row[5]) if row[2] is not None else None
    return Lookup(job, miss, row[6])


class FetchClaim(AbstractAsyncContextManager[None]):
    """A job's fetch lock that `Store.lookup_or_claim` took with its lookup: the job is
    neither stored nor remembered as missed, and no other process fetches it. Held from
    the lookup on; entered where the job is fetched, and released on leaving (or by
    `release`, should that never be entered)."""

    @abstractmethod
    def release(self) -> None:
        """Let the lock go (once: later calls do nothing)."""

    async def __aexit__(self, *exc: object) -> None:
        self.release()


def lookup_params(tenant_id: str, mode: str, job_id: str) -> tuple[str, ...]:
    """The parameters of the shared `lookup` query."""
    return (tenant_id, mode, job_id, tenant_id, mode, job_id, tenant_id, mode)


class Store(ABC):
    """Async persistence. Open with `await store.open()` (applies migrations), then use."""

    @abstractmethod
    async def open(self) -> None: ...

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    async def ping(self) -> None:
        """Return once the store has answered a read of its schema; raise if it cannot.
        What a readiness check asks; it takes no lock, and never waits for a write."""

    # tenants
    @abstractmethod
    async def create_tenant(self, name: str, *, now: float) -> Tenant: ...

    @abstractmethod
    async def find_tenant(self, name_or_id: str) -> Tenant | None: ...

    @abstractmethod
    async def list_tenants(self) -> list[Tenant]: ...

    async def tenant(self, name_or_id: str) -> Tenant:
        found = await self.find_tenant(name_or_id)
        if found is None:
            raise UnknownTenant(f"no tenant is named or has the id {name_or_id[:64]!r}")
        return found

    # connections
    @abstractmethod
    async def put_connection(self, connection: StoredConnection) -> None: ...

    @abstractmethod
    async def get_connection(self, tenant_id: str, mode: str) -> StoredConnection | None: ...

    @abstractmethod
    async def list_connections(self, tenant_id: str | None = None) -> list[StoredConnection]: ...

    # jobs
    @abstractmethod
    async def get_job(self, tenant_id: str, mode: str, job_id: str) -> StoredJob | None: ...

    @abstractmethod
    async def put_job(self, job: StoredJob) -> None:
        """Store the job and forget any miss for it, atomically."""

    def put_job_now(self, job: StoredJob) -> bool:
        """`put_job` made at once, on the caller's thread, where that never waits (an idle
        SQLite file: a few µs); False, having done nothing, where it would: then `put_job`."""
        return False

    @abstractmethod
    async def list_jobs(self, tenant_id: str) -> list[StoredJob]: ...

    @abstractmethod
    async def get_miss(self, tenant_id: str, mode: str, job_id: str) -> Miss | None: ...

    def job_at_hand(self, tenant_id: str, mode: str, job_id: str) -> StoredJob | None:
        """The stored job, where the store reads it without waiting (SQLite, on the event
        loop); None where it cannot (a round trip to a server, a file locked even for
        readers) and where the job is not stored: `lookup` then says what there is."""
        return None

    @abstractmethod
    async def lookup(self, tenant_id: str, mode: str, job_id: str) -> Lookup:
        """The stored job, the remembered miss and the connection's version, which the
        resolver needs on every resolve, in one query."""

    async def lookup_or_claim(
        self, tenant_id: str, mode: str, job_id: str
    ) -> tuple[Lookup, FetchClaim | None]:
        """The `lookup`, and where other processes could fetch the job too, its fetch lock
        when the job is unknown and the lock free: a `FetchClaim` the caller must enter or
        release. None: take `fetch_lock` to fetch."""
        return await self.lookup(tenant_id, mode, job_id), None

    @abstractmethod
    async def put_miss(self, tenant_id: str, mode: str, job_id: str, miss: Miss) -> None: ...

    # client tokens (the service's partner credentials)
    @abstractmethod
    async def put_client_token(self, token: ClientToken) -> None: ...

    @abstractmethod
    async def get_client_token(self, jti: str) -> ClientToken | None: ...

    @abstractmethod
    async def revoke_client_token(self, jti: str, *, now: float) -> bool:
        """Mark revoked; False if no such token."""

    @abstractmethod
    def fetch_lock(
        self, tenant_id: str, mode: str, job_id: str
    ) -> AbstractAsyncContextManager[Lookup | None]:
        """Held while one process fetches a job; others wait, then read what it stored.

        Yields a `lookup` made once the lock is held, where another process may have stored
        the job meanwhile; None where the store serves one process (SQLite), which the
        resolver's in-process single-flight covers: nothing can have changed.
        """
