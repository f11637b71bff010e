"""Stores for the resolver suite: every test runs on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import psycopg
import pytest
from embloy_ats import Registry
from embloy_ats.registry import ENTRY_POINT_GROUP
from embloy_ats.store import Store, store_for

PG_URL = os.environ.get("EMBLOY_ATS_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


class ManualClock:
    """Wall time that moves only when a test says so."""

    def __init__(self) -> None:
        self.current = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def monotonic(self) -> float:
        return self.current.timestamp()

    async def sleep(self, seconds: float) -> None:
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


def make_registry() -> Registry:
    """The installed connectors plus the fake one from tests.fakes."""
    registry = Registry.discover()
    registry.entry_points["fake"] = [
        EntryPoint(name="fake", value="tests.fakes:FakeConnector", group=ENTRY_POINT_GROUP)
    ]
    return registry


@pytest.fixture
def registry() -> Registry:
    return make_registry()


@pytest.fixture
def pg_schema() -> Iterator[str]:
    """A fresh schema in the real PostgreSQL, dropped afterwards; yields its URL."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/embloy.db"
    url: str = request.getfixturevalue("pg_schema")
    return url


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[Store]:
    opened = store_for(store_url)
    await opened.open()
    yield opened
    await opened.close()


Factory = Callable[..., Any]
