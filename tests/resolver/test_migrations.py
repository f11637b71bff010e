"""Schema migrations of the job store and the application store, on SQLite and PostgreSQL.

Both stores keep their versions in a bookkeeping table of their own in one database
(`schema_migrations`, `application_schema`); a database migrated by an earlier release is
recognised by those names, so they stay. Two processes opening one fresh SQLite file at
once migrate it once: the second waits for the first's write transaction, then reads the
versions applied.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
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


Migration = tuple[int, Sequence[str]]


class Held(Sequence[Migration]):
    """Migrations whose runner calls `hold` when it starts applying them, that is once it
    has read which versions its bookkeeping lists and before it applies any."""

    def __init__(self, migrations: Sequence[Migration], hold: Callable[[], None]) -> None:
        self.migrations = migrations
        self.hold = hold

    def __len__(self) -> int:
        return len(self.migrations)

    def __getitem__(self, index: int) -> Migration:  # type: ignore[override]
        return self.migrations[index]

    def __iter__(self) -> Iterator[Migration]:
        self.hold()
        return iter(self.migrations)


@pytest.mark.parametrize(
    ("table", "migrations"),
    [("schema_migrations", job_sqlite.MIGRATIONS), ("application_schema", app_sqlite.MIGRATIONS)],
    ids=["jobs", "applications"],
)
def test_a_second_sqlite_opener_reads_the_versions_only_once_the_first_has_applied_them(
    table: str, migrations: Sequence[Migration], tmp_path: Path
) -> None:
    """The first opener is held between reading its bookkeeping and applying, until the
    second has begun its migration; the second must read the versions after the first has
    applied them, not apply them again (its tables exist by then)."""
    path = tmp_path / "embloy.db"
    with sqlite3.connect(path) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
    first = sqlite3.connect(path, isolation_level=None, timeout=10)
    second = sqlite3.connect(path, isolation_level=None, timeout=10, check_same_thread=False)
    for db in (first, second):  # both see the file in WAL mode before either migrates
        db.execute("SELECT count(*) FROM sqlite_master").fetchall()
    second_began = threading.Event()
    second_failed: list[sqlite3.Error] = []

    def trace(statement: str) -> None:
        # called as a statement starts, before it waits for any lock
        if statement.startswith("BEGIN"):
            second_began.set()

    second.set_trace_callback(trace)

    def run_second() -> None:
        try:
            job_sqlite.migrate(second, table, migrations)
        except sqlite3.Error as exc:  # handed to the test's thread
            second_failed.append(exc)

    opener = threading.Thread(target=run_second)

    def hold() -> None:
        opener.start()
        assert second_began.wait(10), "the second opener never began its migration"

    try:
        job_sqlite.migrate(first, table, Held(migrations, hold))
    finally:
        if opener.ident is not None:  # started
            opener.join(15)
        first.close()
        second.close()
    assert not opener.is_alive()
    assert second_failed == [], "the second opener must find the versions applied"
    assert versions(f"sqlite:///{path}", table) == [v for v, _ in migrations]
