"""The command line over applications: `applications list/show/retry/purge`, `worker`
delivering until SIGTERM, `serve` delivering in-process unless `--no-worker`, `keys rotate`
re-encrypting answers and files, and `connectors --json` saying which connectors submit."""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from embloy_ats import Job, Registry
from embloy_ats.applications import (
    Accepted,
    ApplicationService,
    FailureReason,
    application_store_for,
)
from embloy_ats.cli import app
from embloy_ats.crypto import KeyRing
from embloy_ats.resolver import Resolver
from embloy_ats.service.tokens import TokenService
from embloy_ats.store import store_for
from typer.testing import CliRunner

from benchmarks.apply_ats import JOB_ID, MODE, QUESTIONS, RemoteApplyAts, registry_with_apply_ats
from tests.applications.conftest import PDF, SENTINEL, form
from tests.conftest import ROOT

runner = CliRunner()
SECRET = "k" * 48
JOB = Job(connector=MODE, external_id=JOB_ID, title="Delivery Engineer", questions=QUESTIONS,
          fetched_at=datetime(2026, 11, 1, tzinfo=UTC))  # fmt: skip


@dataclass
class Env:
    db: Path
    key: str
    tenant_id: str

    @property
    def url(self) -> str:
        return f"sqlite:///{self.db}"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Env:
    for name in list(os.environ):
        if name.startswith("EMBLOY_ATS_"):
            monkeypatch.delenv(name)
    db = tmp_path / "cli.db"
    key = KeyRing.generate()
    monkeypatch.setenv("EMBLOY_ATS_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("EMBLOY_ATS_ENCRYPTION_KEYS", key)
    monkeypatch.setenv("EMBLOY_ATS_SECRET_KEY", SECRET)
    added = runner.invoke(app, ["tenants", "add", "acme"])
    assert added.exit_code == 0, added.stderr
    return Env(db, key, added.stdout.strip())


def seed(env: Env, count: int, *, failed: int = 0) -> list[str]:
    """`count` applications of tenant acme, the first `failed` of them failed."""

    async def work() -> list[str]:
        store = application_store_for(env.url, KeyRing([env.key]))
        async with store:
            service = ApplicationService(store, registry=registry_with_apply_ats())
            ids = []
            for n in range(count):
                fields, files = form(n)
                accepted = await service.accept(env.tenant_id, JOB, fields, files)
                assert isinstance(accepted, Accepted)
                ids.append(accepted.application_id)
            if failed:
                for claim in await store.claim(now=time.time() + 1, lease=30.0, limit=failed):
                    await store.mark_failed(
                        claim, now=time.time(), reason=FailureReason.REJECTED,
                        last_error="RequestRejected: the ATS refused it", in_doubt=False,
                    )  # fmt: skip
            return ids

    return asyncio.run(work())


def test_list_and_show_say_where_each_application_stands(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    ids = seed(env, 3, failed=1)
    listed = runner.invoke(app, ["applications", "list", "--json"])
    assert listed.exit_code == 0, listed.stderr
    records = json.loads(listed.stdout)
    assert sorted(r["application_id"] for r in records) == sorted(ids)
    assert sorted(r["status"] for r in records) == ["failed", "queued", "queued"]
    only_failed = json.loads(
        runner.invoke(app, ["applications", "list", "--status", "failed", "--json"]).stdout
    )
    assert [r["failure_reason"] for r in only_failed] == ["rejected"]
    assert (
        json.loads(
            runner.invoke(app, ["applications", "list", "--tenant", "acme", "--json"]).stdout
        )
        == records
    )
    table = runner.invoke(app, ["applications", "list"])
    assert "failed (rejected)" in table.stdout
    assert "acme" in table.stdout
    shown = runner.invoke(app, ["applications", "show", ids[1], "--json"])
    assert json.loads(shown.stdout)["application_id"] == ids[1]
    text = runner.invoke(app, ["applications", "show", ids[1]])
    assert f"application_id      {ids[1]}" in text.stdout
    everything = listed.stdout + table.stdout + shown.stdout + text.stdout
    assert SENTINEL not in everything, "no answer, name or file is ever printed"


def test_unknown_ids_and_tenants_are_one_line_errors(env: Env) -> None:
    unknown = runner.invoke(app, ["applications", "show", "nope"])
    assert unknown.exit_code == 3
    assert unknown.stderr.strip().splitlines() == [
        "error: no application has the id 'nope'. List applications with "
        "`embloy-ats applications list`."
    ]
    tenant = runner.invoke(app, ["applications", "list", "--tenant", "nobody"])
    assert tenant.exit_code == 2
    assert "no tenant" in tenant.stderr
    status = runner.invoke(app, ["applications", "list", "--status", "lost"])
    assert status.exit_code == 2


def test_retry_puts_a_failed_application_back_in_the_queue(env: Env) -> None:
    failed, queued = seed(env, 2, failed=1)
    again = runner.invoke(app, ["applications", "retry", failed])
    assert again.exit_code == 0, again.stderr
    assert f"application {failed} is queued again" in again.stderr
    shown = json.loads(runner.invoke(app, ["applications", "show", failed, "--json"]).stdout)
    assert (shown["status"], shown["failure_reason"]) == ("queued", None)
    not_failed = runner.invoke(app, ["applications", "retry", queued])
    assert not_failed.exit_code == 2
    assert "is queued, not failed" in not_failed.stderr


def test_purge_deletes_what_retention_allows(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    seed(env, 2, failed=1)
    kept = runner.invoke(app, ["applications", "purge"])
    assert kept.exit_code == 0, kept.stderr
    assert "purged 0 file(s), 0 application(s)" in kept.stderr
    monkeypatch.setenv("EMBLOY_ATS_APPLICATION_RETENTION", "0s")
    time.sleep(0.01)
    purged = runner.invoke(app, ["applications", "purge"])
    assert "1 application(s)" in purged.stderr
    assert len(json.loads(runner.invoke(app, ["applications", "list", "--json"]).stdout)) == 1


def test_the_commands_need_the_encryption_keys(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EMBLOY_ATS_ENCRYPTION_KEYS")
    for command in (["applications", "list"], ["worker"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2, command
        assert result.stderr.startswith(
            "error: EMBLOY_ATS_ENCRYPTION_KEYS is not set; applications are stored encrypted"
        )


def test_keys_rotate_re_encrypts_answers_and_files(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    (application_id,) = seed(env, 1)
    new = KeyRing.generate()
    monkeypatch.setenv("EMBLOY_ATS_ENCRYPTION_KEYS", f"{new},{env.key}")
    rotated = runner.invoke(app, ["keys", "rotate"])
    assert rotated.exit_code == 0, rotated.stderr
    assert "re-encrypted 0 connection(s) and 3 stored application value(s)" in rotated.stderr

    async def load_with_the_new_key_only() -> bytes:
        store = application_store_for(env.url, KeyRing([new]))
        async with store:
            application, _ = await store.load(application_id)
        return application.files["resume"][0].data

    assert asyncio.run(load_with_the_new_key_only()) == PDF


def test_connectors_json_says_which_submit(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    listed = runner.invoke(app, ["connectors", "--json"])
    described = {c["mode"]: c for c in json.loads(listed.stdout)["connectors"]}
    assert described, listed.stdout
    assert all(isinstance(c["submits"], bool) for c in described.values())
    assert described["workable"]["submits"] is True
    assert "submits" in runner.invoke(app, ["connectors"]).stdout


# -- running: the worker command and serve's in-process worker ------------------------------


@pytest.fixture
def fake_ats() -> Iterator[RemoteApplyAts]:
    """The fake ATS in a process of its own: these tests run the CLI in this one."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.apply_ats", "--lifetime", "120"],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert proc.stdout is not None
    try:
        yield RemoteApplyAts(proc.stdout.readline().strip())
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(30)


@pytest.fixture
def connected(
    env: Env, fake_ats: RemoteApplyAts, monkeypatch: pytest.MonkeyPatch
) -> RemoteApplyAts:
    """Tenant acme connected to the fake ATS, whose connector every command here finds."""
    discover = Registry.discover
    monkeypatch.setattr(Registry, "discover", classmethod(lambda cls: registry_with_apply_ats(
        discover())))  # fmt: skip
    monkeypatch.setenv("EMBLOY_ATS_ALLOW_PRIVATE_NETWORK", "1")
    result = runner.invoke(
        app, ["connections", "set", "acme", MODE, "-s", f"base_url={fake_ats.url}"]
    )
    assert result.exit_code == 0, result.stderr
    return fake_ats


def stop_when(
    done: Callable[[], bool], *, sig: signal.Signals = signal.SIGTERM, timeout: float = 30.0
) -> threading.Thread:
    """Signal this process once `done()` (or the timeout), if a command's handler is set."""
    before = signal.getsignal(sig)

    def watch() -> None:
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline and not done():
                time.sleep(0.1)
        finally:  # `done()` failing stops the command too: the test then says why
            while signal.getsignal(sig) is before and time.monotonic() < deadline + 10:
                time.sleep(0.05)  # never the default action: that would end the test run
            if signal.getsignal(sig) is not before:
                os.kill(os.getpid(), sig)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def reported_url(pattern: str) -> str | None:
    """The URL a command running here under the `CliRunner` has reported on its stderr so
    far, in a line matching `pattern` (its URL as the first group); None before then. The
    commands listen on port 0, any free port, and say which they bound: a port picked and
    let go of first could be taken by another test process meanwhile."""
    written = getattr(sys.stderr, "buffer", None)
    if not isinstance(written, io.BytesIO):
        return None
    found = re.search(pattern, written.getvalue().decode(errors="replace"))
    return found.group(1) if found else None


def kept(ats: RemoteApplyAts) -> int:
    count: int = asyncio.run(ats.stats())["distinct"]
    return count


def test_the_worker_command_delivers_until_sigterm(
    env: Env, connected: RemoteApplyAts, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = seed(env, 3)
    token = "m" * 32
    monkeypatch.setenv("EMBLOY_ATS_METRICS_TOKEN", token)
    scraped: dict[str, httpx.Response] = {}
    bound: list[str] = []

    def delivered_and_scraped() -> bool:
        url = reported_url(r"metrics at (http://\S+)/metrics")
        if url is None or kept(connected) < 3:
            return False
        bound.append(url)
        with httpx.Client(base_url=url) as web:
            scraped["open"] = web.get("/metrics")
            scraped["bearer"] = web.get("/metrics", headers={"authorization": f"Bearer {token}"})
        return True

    watcher = stop_when(delivered_and_scraped)
    result = runner.invoke(app, ["worker", "--concurrency", "2", "--metrics-port", "0"])
    watcher.join()
    assert result.exit_code == 0, result.stderr
    assert re.fullmatch(r"http://127\.0\.0\.1:[1-9][0-9]*", bound[0])
    assert scraped["open"].status_code == 401
    assert scraped["bearer"].status_code == 200
    assert 'embloy_ats_application_attempts_total{connector="applyats",outcome="delivered"}' in (
        scraped["bearer"].text
    )
    assert "delivering applications" in result.stderr
    assert "up to 2 at once" in result.stderr
    assert result.stderr.strip().endswith("stopped")
    stats = asyncio.run(connected.stats())
    assert (stats["distinct"], stats["duplicates"]) == (3, 0)
    listed = json.loads(runner.invoke(app, ["applications", "list", "--json"]).stdout)
    assert {r["application_id"]: r["status"] for r in listed} == dict.fromkeys(ids, "delivered")


def request_token(env: Env) -> str:
    async def issue() -> str:
        async with Resolver(store_for(env.url)) as resolver:
            tokens = TokenService(SECRET, resolver.store)
            client_token, _ = await tokens.issue_client_token(env.tenant_id)
            client = await tokens.verify_client_token(client_token)
            return tokens.issue_request_token(client, MODE, JOB_ID)

    return asyncio.run(issue())


@pytest.mark.parametrize("worker", [True, False], ids=["worker", "no-worker"])
def test_serve_delivers_in_process_unless_told_not_to(
    env: Env, connected: RemoteApplyAts, worker: bool
) -> None:
    token = request_token(env)
    seen: dict[str, str] = {}

    def candidate_applies() -> bool:
        url = reported_url(r"Uvicorn running on (http://\S+)")
        if url is None:
            return False  # not listening yet
        try:
            with httpx.Client(base_url=url, timeout=5) as web:
                if not seen:
                    fields, _ = form(0)
                    data = {k: v for k, v in fields.items() if k != "request_token"}
                    answer = web.post(
                        "/api/v0/sdk/apply",
                        data=data | {"request_token": token},
                        files={"answer.resume": ("cv.pdf", PDF, "application/pdf")},
                    )
                    seen["id"] = answer.json()["application_id"]
                    seen["at"] = str(time.monotonic())
                return kept(connected) == 1 or (
                    not worker and time.monotonic() - float(seen["at"]) > 3
                )
        except httpx.TransportError:
            return False

    # SIGINT: uvicorn raises the signal it stopped for again once it is done, and SIGINT's
    # default in this process is a KeyboardInterrupt, which serve takes as a clean stop.
    watcher = stop_when(candidate_applies, sig=signal.SIGINT)
    args = ["serve", "--port", "0", "--no-access-log"]
    result = runner.invoke(app, [*args] if worker else [*args, "--no-worker"])
    watcher.join()
    assert result.exit_code == 0, result.output
    listed = json.loads(runner.invoke(app, ["applications", "list", "--json"]).stdout)
    assert [r["application_id"] for r in listed] == [seen["id"]]
    assert listed[0]["status"] == ("delivered" if worker else "queued")
    assert kept(connected) == (1 if worker else 0)
