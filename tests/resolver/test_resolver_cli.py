"""The resolver's CLI: tenants, connections, resolve and jobs, as a user types them."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from embloy_ats.cli import app
from embloy_ats.crypto import KeyRing
from typer.testing import CliRunner

from tests.test_cli import local_ats  # noqa: F401 - fixture: a loopback ATS serving a real job

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "embloy.db"
    monkeypatch.setenv("EMBLOY_ATS_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("EMBLOY_ATS_ENCRYPTION_KEYS", KeyRing.generate())
    return db


def rows(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        count: int = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
        return count


def test_the_whole_flow(env: Path, local_ats: str) -> None:  # noqa: F811
    added = runner.invoke(app, ["tenants", "add", "acme"])
    assert added.exit_code == 0
    tenant_id = added.stdout.strip()
    assert len(tenant_id) == 32
    connected = runner.invoke(
        app,
        ["connections", "set", "acme", "greenhouse", "-s", "board_token=gongio",
         "-s", f"base_url={local_ats}"],
    )  # fmt: skip
    assert connected.exit_code == 0, connected.stderr
    first = runner.invoke(app, ["resolve", "acme", "greenhouse", "4679941006", "--json"])
    assert first.exit_code == 0, first.stderr
    assert "fetched from the ATS" in first.stderr
    assert json.loads(first.stdout)["title"] == "Commercial Revenue Architect"
    second = runner.invoke(app, ["resolve", tenant_id, "greenhouse", "4679941006"])
    assert "from the store" in second.stderr
    listed = runner.invoke(app, ["jobs", "list", "acme", "--json"])
    assert [job["slug"] for job in json.loads(listed.stdout)] == ["greenhouse__4679941006"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["connections", "set", "nobody", "greenhouse", "-s", "board_token=x"], "no tenant"),
        (["connections", "set", "acme", "nope", "-s", "board_token=x"], "no connector"),
        (["connections", "set", "acme", "greenhouse", "-s", "board_token=a/b"], "board_token"),
        (["connections", "set", "acme", "greenhouse"], "board_token"),
        (["connections", "set", "acme", "greenhouse", "-s", "board_token=x", "-c", "k=v"], "k"),
        (["resolve", "acme", "greenhouse", "../1"], "not a valid job id"),
        (["resolve", "acme", "nope", "1"], "no connector"),
        (["resolve", "nobody", "greenhouse", "1"], "no tenant"),
        (["resolve", "acme", "greenhouse", "1"], "no connection"),
        (["tenants", "add", "acme"], "already exists"),
    ],
)
def test_bad_input_gets_one_line_and_changes_nothing(
    env: Path, args: list[str], message: str
) -> None:
    assert runner.invoke(app, ["tenants", "add", "acme"]).exit_code == 0
    before = (rows(env, "tenants"), rows(env, "connections"), rows(env, "jobs"))
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert (rows(env, "tenants"), rows(env, "connections"), rows(env, "jobs")) == before


def test_credentials_without_an_encryption_key_are_refused(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert runner.invoke(app, ["tenants", "add", "acme"]).exit_code == 0
    monkeypatch.delenv("EMBLOY_ATS_ENCRYPTION_KEYS")
    result = runner.invoke(
        app,
        ["connections", "set", "acme", "greenhouse", "-c", "client_id=a", "-c", "client_secret=b"],
    )
    assert result.exit_code == 2
    assert "encryption key" in result.stderr
    assert rows(env, "connections") == 0


def test_stored_credentials_are_ciphertext(env: Path) -> None:
    assert runner.invoke(app, ["tenants", "add", "acme"]).exit_code == 0
    result = runner.invoke(
        app,
        ["connections", "set", "acme", "greenhouse", "-c", "client_id=id-123456",
         "-c", "client_secret=very-secret-value-987"],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    dump = b"".join(path.read_bytes() for path in env.parent.glob(env.name + "*"))
    assert b"id-123456" not in dump
    assert b"very-secret-value-987" not in dump
    with sqlite3.connect(env) as conn:
        (blob,) = conn.execute("SELECT credentials FROM connections").fetchone()
    assert blob.startswith(b"gAAAA")  # a Fernet token


def test_keys_generate_and_rotate(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    new = runner.invoke(app, ["keys", "generate"]).stdout.strip()
    KeyRing([new])  # a valid Fernet key
    old = os.environ["EMBLOY_ATS_ENCRYPTION_KEYS"]
    monkeypatch.setenv("EMBLOY_ATS_ENCRYPTION_KEYS", f"{new},{old}")
    result = runner.invoke(app, ["keys", "rotate"])
    assert result.exit_code == 0
    assert "re-encrypted 0 connection(s)" in result.stderr


def test_tables_print_names_and_titles_as_text(env: Path, local_ats: str) -> None:  # noqa: F811
    """A tenant's name (typed by an operator) and a job's title (the ATS's) are shown as
    they are: rich markup in them is neither interpreted nor a crash."""
    assert runner.invoke(app, ["tenants", "add", "Acme [/x]"]).exit_code == 0
    listed = runner.invoke(app, ["tenants", "list"], terminal_width=200)
    assert listed.exit_code == 0, listed.stdout
    assert "Acme [/x]" in listed.stdout
    runner.invoke(
        app,
        ["connections", "set", "Acme [/x]", "greenhouse", "-s", "board_token=gongio",
         "-s", f"base_url={local_ats}"],
    )  # fmt: skip
    assert runner.invoke(app, ["resolve", "Acme [/x]", "greenhouse", "4679941006"]).exit_code == 0
    jobs = runner.invoke(app, ["jobs", "list", "Acme [/x]"], terminal_width=200)
    assert jobs.exit_code == 0, jobs.stdout
    assert "Commercial" in jobs.stdout
