"""Two processes on one PostgreSQL, 100 concurrent resolves of one unknown job: one fetch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest
from embloy_ats.resolver import Resolver
from embloy_ats.store import store_for

from tests.conftest import ROOT, loopback_server
from tests.resolver.conftest import make_registry


class _SlowAts(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        time.sleep(0.3)  # long enough for every worker to pile up behind the leader
        body = json.dumps({"id": "7", "title": "Backend Engineer", "status": "open"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def slow_ats() -> Iterator[str]:
    _SlowAts.hits = []
    with loopback_server(_SlowAts) as url:
        yield url


async def test_two_processes_share_one_upstream_fetch(
    pg_schema: str, slow_ats: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EMBLOY_ATS_ALLOW_PRIVATE_NETWORK", "1")
    async with Resolver(store_for(pg_schema), registry=make_registry()) as setup:
        await setup.create_tenant("acme")
        await setup.set_connection("acme", "fake", {"base_url": slow_ats})
    start_at = time.time() + 2.0
    env = os.environ | {"EMBLOY_ATS_ALLOW_PRIVATE_NETWORK": "1", "PYTHONPATH": str(ROOT)}
    workers = [
        subprocess.Popen(  # noqa: S603, ASYNC220 - fixed arguments; the test waits on them
            [sys.executable, "-m", "tests.resolver.herd_worker", pg_schema, str(start_at), "50"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    sources: list[str] = []
    for worker in workers:
        out, err = worker.communicate(timeout=60)
        assert worker.returncode == 0, err
        sources += json.loads(out)
    assert len(sources) == 100
    assert set(sources) <= {"upstream", "store"}, sources
    assert _SlowAts.hits == ["/accounts/acme/jobs/7"], "the ATS saw exactly one request"
    assert sources.count("upstream") == 50, "one process led; the other read the store"
