"""The service as a partner and a candidate meet it: a real server, the official SDK, the demo."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import httpx
from embloy_ats.service.runner import serving
from embloy_sdk import EmbloyClient, EmbloySession  # type: ignore[import-untyped]
from embloy_sdk.embloy_session import SessionOptions  # type: ignore[import-untyped]

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


def run_demo(database: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EMBLOY_ATS_")}
    env["EMBLOY_ATS_DATABASE_URL"] = f"sqlite:///{database}"
    return subprocess.run(
        [sys.executable, "-m", "embloy_ats", "demo", "--json"],
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
