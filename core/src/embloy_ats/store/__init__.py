"""Stores for tenants, connections and resolved jobs; `open_store(url)` picks the backend."""

from __future__ import annotations

import os
from collections.abc import Mapping

from embloy_ats.errors import ConfigurationError
from embloy_ats.store.base import (
    ClientToken,
    Miss,
    Store,
    StoredConnection,
    StoredJob,
    Tenant,
    TenantExists,
    UnknownTenant,
)

DATABASE_URL_ENV = "EMBLOY_ATS_DATABASE_URL"
DEFAULT_DATABASE_URL = "sqlite:///embloy-ats.db"


def store_for(url: str) -> Store:
    """`sqlite:///relative.db`, `sqlite:////absolute.db`, `sqlite://:memory:` or `postgresql://...`."""
    if url.startswith("sqlite://"):
        from embloy_ats.store.sqlite import SqliteStore

        path = url.removeprefix("sqlite://")
        path = path[1:] if path.startswith("/") else path
        if not path:
            raise ConfigurationError(
                "a sqlite:// URL needs a file path, e.g. sqlite:///embloy-ats.db"
            )
        return SqliteStore(path)
    if url.startswith(("postgresql://", "postgres://")):
        from embloy_ats.store.postgres import PostgresStore

        return PostgresStore(url)
    scheme = url.split(":", 1)[0][:20]
    raise ConfigurationError(
        f"unsupported database URL scheme {scheme!r}",
        hint=f"Set {DATABASE_URL_ENV} to sqlite:///path.db or postgresql://...",
    )


def store_from_env(environ: Mapping[str, str] = os.environ) -> Store:
    return store_for(environ.get(DATABASE_URL_ENV) or DEFAULT_DATABASE_URL)


__all__ = [
    "DATABASE_URL_ENV",
    "DEFAULT_DATABASE_URL",
    "ClientToken",
    "Miss",
    "Store",
    "StoredConnection",
    "StoredJob",
    "Tenant",
    "TenantExists",
    "UnknownTenant",
    "store_for",
    "store_from_env",
]
