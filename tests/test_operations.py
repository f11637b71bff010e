"""Running it: a database that is down or missing stops every command at once with one
clear line; `serve` logs JSON lines when asked, uvicorn's included; retries stay out of
the command's output; every environment variable read is documented."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import httpx
import pytest
from embloy_ats.cli import app
from embloy_ats.crypto import KeyRing
from typer.testing import CliRunner

from tests.conftest import ROOT, loopback_server
from tests.resolver.conftest import PG_URL

DATABASE_UNAVAILABLE = 8
runner = CliRunner()


@pytest.fixture
def refused_url() -> Iterator[str]:
    """A PostgreSQL URL whose port is bound but never listens: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"postgresql://postgres@127.0.0.1:{sock.getsockname()[1]}/test"


def missing_database_url() -> str:
    return PG_URL.rsplit("/", 1)[0] + f"/embloy_missing_{uuid.uuid4().hex[:8]}"


def environment(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EMBLOY_ATS_")}
    env |= {"EMBLOY_ATS_SECRET_KEY": "k" * 48, "EMBLOY_ATS_ENCRYPTION_KEYS": KeyRing.generate()}
    return env | values


def embloy_ats(
    *args: str, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter, the test's arguments
        [sys.executable, "-m", "embloy_ats", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.mark.parametrize(
    "command",
    [["tenants", "list"], ["serve", "--port", "0"], ["demo"], ["worker"], ["applications", "list"]],
    ids=["tenants", "serve", "demo", "worker", "applications"],
)
@pytest.mark.parametrize("database", ["refused", "missing"])
def test_a_database_that_cannot_be_used_stops_the_command_with_one_line(
    command: list[str], database: str, refused_url: str
) -> None:
    url = refused_url if database == "refused" else missing_database_url()
    result = embloy_ats(*command, env=environment(EMBLOY_ATS_DATABASE_URL=url))
    assert result.returncode == DATABASE_UNAVAILABLE, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    error = lines[-1]
    assert error.startswith("error: cannot reach the PostgreSQL database: ")
    assert ("Connection refused" if database == "refused" else "does not exist") in error
    assert "EMBLOY_ATS_DATABASE_URL" in error
    assert "connector" not in error
    assert "Traceback" not in result.stderr
    assert "error connecting in" not in result.stderr  # the pool's retries
    assert "Started server process" not in result.stderr + result.stdout


def test_doctor_says_the_same(refused_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMBLOY_ATS_DATABASE_URL", refused_url)
    report = runner.invoke(app, ["doctor", "--json"])
    row = next(r for r in json.loads(report.stdout)["checks"] if r["check"] == "database")
    served = runner.invoke(app, ["tenants", "list"])
    assert row["status"] == "fail"
    assert row["detail"] in served.stderr
    assert served.exit_code == DATABASE_UNAVAILABLE


def test_a_duplicate_tenant_is_told_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EMBLOY_ATS_DATABASE_URL", f"sqlite:///{tmp_path}/t.db")
    assert runner.invoke(app, ["tenants", "add", "acme"]).exit_code == 0
    again = runner.invoke(app, ["tenants", "add", "acme"])
    assert again.exit_code == 2
    assert again.stderr.strip() == (
        "error: a tenant named 'acme' already exists. Choose another name; "
        "`embloy-ats tenants list` shows the tenants there are."
    )


def test_errors_about_no_connector_carry_no_connector_hint(tmp_path: Path) -> None:
    result = runner.invoke(app, ["fetch", "greenhouse", "1", "--replay", str(tmp_path / "x.yaml")])
    assert result.exit_code == 2
    assert "cannot read cassette" in result.stderr
    assert "connector's settings" not in result.stderr


class _Unavailable(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_retries_stay_out_of_the_command_output() -> None:
    with loopback_server(_Unavailable) as ats:
        env = environment(EMBLOY_ATS_ALLOW_PRIVATE_NETWORK="1")
        quiet = embloy_ats("fetch", "greenhouse", "4679941006", "-s", "board_token=acme",
                           "-s", f"base_url={ats}", env=env)  # fmt: skip
        debug = embloy_ats("fetch", "greenhouse", "4679941006", "-s", "board_token=acme",
                           "-s", f"base_url={ats}",
                           env=env | {"EMBLOY_ATS_LOG_LEVEL": "DEBUG",
                                      "EMBLOY_ATS_LOG_FORMAT": "json"})  # fmt: skip
    assert quiet.returncode == debug.returncode == 6
    assert quiet.stderr.strip().splitlines() == [
        "error: greenhouse job '4679941006': kept failing (HTTP 503), after every allowed "
        "attempt. Try again later; if it persists, check the ATS's status page."
    ]
    assert "stamina" not in quiet.stdout + quiet.stderr
    retries = [json.loads(line) for line in debug.stderr.splitlines() if line.startswith("{")]
    retries = [entry for entry in retries if entry["logger"] == "embloy_ats.retry"]
    assert [entry["retry_num"] for entry in retries] == [1, 2]
    assert {entry["level"] for entry in retries} == {"debug"}
    assert "HTTP 503" in retries[0]["caused_by"]


def test_serve_logs_json_lines_uvicorns_included(tmp_path: Path) -> None:
    env = environment(
        EMBLOY_ATS_DATABASE_URL=f"sqlite:///{tmp_path}/s.db", EMBLOY_ATS_LOG_FORMAT="json"
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "embloy_ats", "serve", "--port", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stderr is not None
        url = ""
        for line in server.stderr:
            message = json.loads(line)["message"]
            if message.startswith("Uvicorn running on "):
                url = message.split()[3]
                break
        secret = "eyJhbGciOiJIUzI1NiJ9.eyJ0eXAiOiJyZXF1ZXN0In0.c2lnbmF0dXJlLXZhbHVl"
        with httpx.Client(base_url=url) as web:
            assert web.get("/healthz").status_code == 200
            assert web.get("/sdk/apply", params={"request_token": secret}).status_code == 401
    finally:
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=30)
    lines = [json.loads(line) for line in (out + err).splitlines()]  # every line is JSON
    access = [entry for entry in lines if entry["logger"] == "uvicorn.access"]
    assert [(entry["path"], entry["status"]) for entry in access] == [
        ("/healthz", 200),
        ("/sdk/apply?request_token=[redacted]", 401),
    ]
    assert secret.split(".")[1] not in out + err
    assert any(entry["message"].startswith("Finished server process") for entry in lines)


def test_every_environment_variable_is_in_the_operations_table() -> None:
    sources = [*ROOT.glob("core/src/**/*.py"), *ROOT.glob("connectors/*/src/**/*.py")]
    read = {
        name
        for path in sources
        for name in re.findall(r"EMBLOY_ATS_[A-Z][A-Z_]*[A-Z]\b", path.read_text(encoding="utf-8"))
    }
    page = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    table = page.split("## Environment variables", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `(EMBLOY_ATS_[A-Z_<>]+)` \|", table, re.MULTILINE))
    assert read >= {"EMBLOY_ATS_LOG_FORMAT", "EMBLOY_ATS_LOG_LEVEL", "EMBLOY_ATS_METRICS_TOKEN"}
    assert read - documented == set()
    assert "EMBLOY_ATS_<MODE>_<NAME>" in documented
