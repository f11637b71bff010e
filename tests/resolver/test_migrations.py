"""Schema migrations of the job store and the application store, on SQLite and PostgreSQL.

Both stores keep their versions in a bookkeeping table of their own in one database
(`schema_migrations`, `application_schema`); a database migrated by an earlier release is
recognised by those names, so they stay.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest
from embloy_ats.applications import application_store_for
from embloy_ats.applications import store_postgres as app_postgres
from embloy_ats.applications import store_sqlite as app_sqlite
from embloy_ats.crypto import KeyRing
from embloy_ats.store import postgres as job_postgres
from embloy_ats.store import sqlite as job_sqlite
from embloy_ats.store import store_for

KEYS = KeyRing([KeyRing.generate()])


def versions(url: str, table: str) -> list[int]:
    if url.startswith("sqlite://"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            rows = db.execute(f"SELECT version FROM {table} ORDER BY version").fetchall()  # noqa: S608
    else:
        with psycopg.connect(url) as conn:
            rows = conn.execute(f"SELECT version FROM {table} ORDER BY version").fetchall()  # noqa: S608
    return [row[0] for row in rows]


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/embloy.db"
    url: str = request.getfixturevalue("pg_schema")
    return url


async def test_each_store_keeps_its_versions_in_its_own_table(database_url: str) -> None:
    jobs = store_for(database_url)
    await jobs.open()
    applications = application_store_for(database_url, KEYS)
    await applications.open()
    await applications.close()
    await jobs.close()
    postgres = not database_url.startswith("sqlite://")
    job_migrations = job_postgres.MIGRATIONS if postgres else job_sqlite.MIGRATIONS
    app_migrations = app_postgres.MIGRATIONS if postgres else app_sqlite.MIGRATIONS
    assert versions(database_url, "schema_migrations") == [v for v, _ in job_migrations]
    assert versions(database_url, "application_schema") == [v for v, _ in app_migrations]
    # opened again: nothing runs twice (a table created twice would fail)
    for store in (store_for(database_url), application_store_for(database_url, KEYS)):
        await store.open()
        await store.close()
    assert versions(database_url, "schema_migrations") == [v for v, _ in job_migrations]
