"""Schema migrations of the job store and the application store, on SQLite and PostgreSQL.

Both stores keep their versions in a bookkeeping table of their own in one database
(`schema_migrations`, `application_schema`); a database migrated by an earlier release is
recognised by those names, so they stay. Two processes opening one fresh SQLite file at
once migrate it once: the second waits for the first and then finds its versions applied.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

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


class Opens(Protocol):
    async def open(self) -> None: ...
    async def close(self) -> None: ...


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


STORES: dict[str, tuple[Any, Callable[[str], Opens]]] = {
    "jobs": (job_sqlite, lambda path: job_sqlite.SqliteStore(path)),
    "applications": (app_sqlite, lambda path: app_sqlite.SqliteApplicationStore(path, KEYS)),
}


@pytest.mark.parametrize("kind", list(STORES))
async def test_two_processes_opening_a_fresh_sqlite_file_at_once_migrate_it_once(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first opener is held in the middle of its first migration until the second has
    started its write transaction; the second must then find the migration applied, not
    apply it again (its tables exist by then)."""
    module, make = STORES[kind]
    first_paused = threading.Event()
    second_began = threading.Event()
    pauser: list[int] = []
    connect = sqlite3.connect
    opened = iter(range(1_000))

    def traced(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        db: sqlite3.Connection = connect(*args, **kwargs)
        number = next(opened)

        def pause() -> int:
            if not pauser:
                pauser.append(number)
                first_paused.set()
                assert second_began.wait(10), "the second opener never began its migration"
            return 0

        def trace(statement: str) -> None:
            if first_paused.is_set() and pauser != [number] and statement.startswith("BEGIN"):
                second_began.set()

        db.create_function("pause", 0, pause)
        db.set_trace_callback(trace)
        return db

    monkeypatch.setattr(sqlite3, "connect", traced)
    paused = [
        (v, ["SELECT pause()", *stmts] if v == 1 else stmts) for v, stmts in module.MIGRATIONS
    ]
    monkeypatch.setattr(module, "MIGRATIONS", paused)
    path = tmp_path / "embloy.db"
    stores = [make(str(path)), make(str(path))]
    await asyncio.gather(*(store.open() for store in stores))
    for store in stores:
        await store.close()
    assert pauser, "the first opener paused in its migration"
    table = "schema_migrations" if kind == "jobs" else "application_schema"
    assert versions(f"sqlite:///{path}", table) == [v for v, _ in module.MIGRATIONS]
