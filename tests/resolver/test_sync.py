"""The sync wrapper for scripts, configured from the environment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from embloy_ats.crypto import KeyRing
from embloy_ats.resolver import Resolver, SyncResolver
from embloy_ats.store import DEFAULT_DATABASE_URL, store_from_env
from embloy_ats.store.sqlite import SqliteStore

from tests.test_cli import local_ats  # noqa: F401 - fixture: a loopback ATS serving a real job


def test_the_default_database_is_a_sqlite_file_in_the_working_directory() -> None:
    store = store_from_env({})
    assert DEFAULT_DATABASE_URL == "sqlite:///embloy-ats.db"
    assert isinstance(store, SqliteStore)
    assert store.path == "embloy-ats.db"


def test_sync_resolver_from_env(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    local_ats: str,  # noqa: F811
) -> None:
    monkeypatch.setenv("EMBLOY_ATS_DATABASE_URL", f"sqlite:///{tmp_path}/sync.db")
    monkeypatch.setenv("EMBLOY_ATS_ENCRYPTION_KEYS", KeyRing.generate())
    with SyncResolver.from_env() as resolver:
        resolver.create_tenant("acme")
        resolver.set_connection(
            "acme", "greenhouse", {"board_token": "gongio", "base_url": local_ats}
        )
        job = resolver.resolve("acme", "greenhouse", "4679941006")
        assert job.title == "Commercial Revenue Architect"
        assert [j.slug for j in resolver.jobs("acme")] == ["greenhouse__4679941006"]
    assert os.path.exists(tmp_path / "sync.db")


async def test_from_env_wires_store_and_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EMBLOY_ATS_DATABASE_URL", f"sqlite:///{tmp_path}/env.db")
    monkeypatch.delenv("EMBLOY_ATS_ENCRYPTION_KEYS", raising=False)
    resolver = Resolver.from_env()
    assert resolver.keys is None
    assert isinstance(resolver.store, SqliteStore)
