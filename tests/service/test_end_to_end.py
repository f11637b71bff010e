"""The service as a partner and a candidate meet it: a real server, the official SDK, the demo."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from embloy_ats.service import demo
from embloy_ats.service.demo import RECORDED_JOBS
from embloy_ats.service.runner import serving
from embloy_sdk import EmbloyClient, EmbloySession  # type: ignore[import-untyped]
from embloy_sdk.embloy_session import SessionOptions  # type: ignore[import-untyped]
from rich.console import Console

from tests.conftest import ROOT
from tests.service.conftest import Service


async def test_the_official_sdk_gets_a_redirect_url_unchanged(service: Service) -> None:
    async with serving(service.app) as url:

        def partner_backend() -> str:
            session = EmbloySession(
                "fake", "7", SessionOptions(success_url="https://partner.example/ok")
            )
            client = EmbloyClient(service.client_token, session, api_url=url, base_url=url)
            redirect: str = client.make_request()
            return redirect

        redirect = await asyncio.to_thread(partner_backend)
        assert redirect.startswith(f"{url}/sdk/apply?request_token=")
        async with httpx.AsyncClient() as browser:
            page = await browser.get(redirect)
            token = redirect.split("request_token=", 1)[1]
            handled = await browser.post(
                f"{url}/api/v0/sdk/request/handle", headers={"request_token": token}
            )
    assert page.status_code == 200
    assert "<h1>Backend Engineer</h1>" in page.text
    assert handled.json()["session"]["success_url"] == "https://partner.example/ok"


def run_demo(database: Path, *options: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EMBLOY_ATS_")}
    env["EMBLOY_ATS_DATABASE_URL"] = f"sqlite:///{database}"
    return subprocess.run(  # noqa: S603 - our own interpreter, the test's arguments
        [sys.executable, "-m", "embloy_ats", "demo", "--json", *options],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_demo_runs_offline_and_a_second_run_uses_the_store(tmp_path: Path) -> None:
    first = run_demo(tmp_path / "demo.db")
    assert first.returncode == 0, first.stderr
    assert "fetched on demand from the ATS" in first.stderr
    assert "apply page rendered: 11 application questions" in first.stderr
    assert '"title": "Product Engineer"' in first.stdout
    second = run_demo(tmp_path / "demo.db")
    assert second.returncode == 0, second.stderr
    assert "served from the store" in second.stderr
    assert "the sandbox ATS received 0 request(s)" in second.stderr


@pytest.mark.parametrize("ats", sorted(RECORDED_JOBS))
async def test_the_demo_plays_every_recorded_ats(
    ats: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EMBLOY_ATS_DATABASE_URL", f"sqlite:///{tmp_path / 'demo.db'}")
    screen = io.StringIO()
    job = await demo.run_demo(ROOT / "cassettes", Console(file=screen, width=300), ats)
    recorded = RECORDED_JOBS[ats]
    assert (job.connector, job.external_id) == (recorded.mode, recorded.job_id)
    assert f"connected to {ats}" in screen.getvalue()
    assert "the sandbox ATS received 1 request(s)" in screen.getvalue()


def test_the_demo_names_the_recorded_ats_it_can_play(tmp_path: Path) -> None:
    unknown = run_demo(tmp_path / "demo.db", "--ats", "bamboo")
    assert unknown.returncode == 2
    assert "the demo has no recorded ATS 'bamboo'" in unknown.stderr
    assert "greenhouse" in unknown.stderr
    assert "Traceback" not in unknown.stderr


async def test_the_demo_ignores_a_proxy_set_for_the_internet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo talks to its own service on loopback: a proxy in the environment (set for
    the internet, dead here) is not for it."""
    monkeypatch.setenv("EMBLOY_ATS_DATABASE_URL", f"sqlite:///{tmp_path / 'demo.db'}")
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    job = await demo.run_demo(ROOT / "cassettes", Console(file=io.StringIO()))
    assert job.title == "Product Engineer"
