"""A connector recorded against a sandbox on this machine: `record` prints the settings line
its conformance test needs, and the suite replays the cassettes without the private-network
switch (a replay reaches no network), while a live request to the same host is still refused."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

import httpx
import pytest
from embloy_ats import ConfigurationError, HttpClient, Registry
from embloy_ats.cli import app
from embloy_ats.testing.conformance import FINAL_STATUSES, HOSTILE_IDS, ConnectorConformance
from typer.testing import CliRunner

from tests.kit import loopback

runner = CliRunner()


@pytest.fixture
def recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """Two cassettes recorded from the loopback ATS into `tmp_path`, the switch off again
    afterwards; the ATS's origin and the command's output."""
    monkeypatch.setattr(Registry, "discover", classmethod(lambda cls: loopback.registry()))
    monkeypatch.setenv("EMBLOY_ATS_ALLOW_PRIVATE_NETWORK", "1")  # recording is live
    monkeypatch.setenv("EMBLOY_ATS_KIT_BEARER_API_KEY", loopback.API_KEY)
    with loopback.fake_ats() as origin:
        result = runner.invoke(app, ["record", "kit_bearer", "7", "8", "-s",
                                     f"base_url={origin}", "--out", str(tmp_path)])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    monkeypatch.delenv("EMBLOY_ATS_ALLOW_PRIVATE_NETWORK")
    return origin, result.stdout


def printed_settings(stdout: str) -> dict[str, str]:
    (line,) = [line.strip() for line in stdout.splitlines() if line.strip().startswith("settings")]
    name, _, value = line.partition(" = ")
    assert name == "settings"
    settings = ast.literal_eval(value)
    assert isinstance(settings, dict)
    return settings


def test_record_prints_the_settings_line_and_no_secret(recorded: tuple[str, str]) -> None:
    origin, stdout = recorded
    assert printed_settings(stdout) == {"base_url": origin}
    assert loopback.API_KEY not in stdout


async def test_the_suite_replays_a_local_recording_without_the_switch(
    recorded: tuple[str, str], tmp_path: Path
) -> None:
    _, stdout = recorded

    class TestLocalConformance(ConnectorConformance):
        mode = "kit_bearer"
        settings: ClassVar[Mapping[str, str]] = printed_settings(stdout)
        credentials: ClassVar[Mapping[str, str]] = {"api_key": "stand-in"}
        cassette_dir = tmp_path
        known_job = ("7", "found_7.yaml")
        unknown_job = ("8", "not_found_8.yaml")
        skip: ClassVar[Mapping[str, str]] = {
            "entry_point": "a test registry, not an installed distribution",
            "bad_credentials": "not recorded here",
        }

    suite = TestLocalConformance()
    suite.test_secrets_are_declared_as_secrets()
    await suite.test_known_job_replays_to_a_valid_job()
    await suite.test_unknown_job_is_job_not_found()
    for job_id in HOSTILE_IDS:
        await suite.test_malformed_ids_are_refused_without_a_request(job_id)
    await suite.test_connector_specific_malformed_ids()
    await suite.test_5xx_goes_through_the_core_retry_path()
    await suite.test_429_goes_through_the_core_retry_path()
    suite.test_cassettes_hold_no_secret()


async def test_the_error_table_and_verify_checks_pass_for_a_local_recording_without_the_switch(
    recorded: tuple[str, str], tmp_path: Path
) -> None:
    """The checks that answer from a mock transport (error table, verify, way in) build
    their connector over a loopback base_url too: they must not need the switch either."""
    _, stdout = recorded

    class TestLocalConformance(ConnectorConformance):
        mode = "kit_bearer"
        settings: ClassVar[Mapping[str, str]] = printed_settings(stdout)
        credentials: ClassVar[Mapping[str, str]] = {"api_key": "stand-in"}
        cassette_dir = tmp_path
        known_job = ("7", "found_7.yaml")
        unknown_job = ("8", "not_found_8.yaml")

    suite = TestLocalConformance()
    suite.test_the_settings_choose_the_named_way_in()
    for status in FINAL_STATUSES:
        await suite.test_final_statuses_follow_the_error_table(status)
        await suite.test_verify_reads_final_statuses_as_setup_problems(status)
    await suite.test_verify_passes_on_a_success_answer()


async def test_a_live_request_to_a_private_host_is_still_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("EMBLOY_ATS_ALLOW_PRIVATE_NETWORK", raising=False)
    cls = loopback.registry().get("kit_bearer").connector
    with loopback.fake_ats() as origin:
        with pytest.raises(ConfigurationError, match="loopback or private"):
            cls({"base_url": origin}, {"api_key": "k"}, http=HttpClient())
        live = HttpClient()
        try:
            with pytest.raises(ConfigurationError, match="private host"):
                await live._transport().handle_async_request(httpx.Request("GET", origin))
        finally:
            await live.aclose()
