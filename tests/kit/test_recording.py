"""`embloy-ats record` against a real HTTP server on loopback: the cassettes it writes replay,
and hold no credential, no auth header, no cookie and no token body."""

from __future__ import annotations

import asyncio
import gzip
import io
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
import yaml
from embloy_ats import HttpClient, Job, JobNotFound, Registry, terminal
from embloy_ats.cli import app
from embloy_ats.kit.recording import Scrubber, cassette_name
from embloy_ats.redaction import REDACTED, find_secrets
from embloy_ats.replay import recorded_answers
from embloy_ats.testing.cassette_scan import scan_text
from rich.console import Console
from typer.testing import CliRunner
from vcr.request import Request  # type: ignore[import-untyped]

from tests.kit import loopback

runner = CliRunner()
EVERY_SECRET = (
    loopback.API_KEY,
    loopback.CLIENT_ID,
    loopback.CLIENT_SECRET,
    loopback.ACCESS_TOKEN,
    loopback.REFRESH_TOKEN,
    loopback.COOKIE,
)


@pytest.fixture
def ats(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The fake ATS's origin; the loopback connectors are what `Registry.discover` finds."""
    monkeypatch.setenv("EMBLOY_ATS_ALLOW_PRIVATE_NETWORK", "1")
    monkeypatch.setattr(Registry, "discover", classmethod(lambda cls: loopback.registry()))
    with loopback.fake_ats() as origin:
        yield origin


def record(*args: str) -> Any:
    return runner.invoke(app, ["record", *args])


async def _replay(
    path: Path, mode: str, job_id: str, credentials: dict[str, str], base_url: str
) -> Any:
    """Fetch through the connector, answered from the cassette alone."""
    from embloy_ats.replay import ReplayTransport

    transport = ReplayTransport(recorded_answers([path]))
    http = HttpClient(transport=transport, allow_private_network=True)
    cls = loopback.registry().get(mode).connector
    try:
        return await cls({"base_url": base_url}, credentials, http=http).fetch_job(job_id)
    except JobNotFound as exc:
        return exc
    finally:
        assert transport.unanswered == []
        await http.aclose()


def replay(path: Path, mode: str, job_id: str, credentials: dict[str, str]) -> Any:
    """The CLI runs its own event loop, so these tests are synchronous; so is this."""
    origin = yaml.safe_load(path.read_text())["interactions"][0]["request"]["uri"]
    base_url = "/".join(origin.split("/")[:3])
    return asyncio.run(_replay(path, mode, job_id, credentials, base_url))


def assert_clean(text: str) -> None:
    for secret in EVERY_SECRET:
        assert secret not in text
    lowered = text.lower()
    for header in ("authorization:", "cookie:", "set-cookie:", "content-encoding:"):
        assert header not in lowered
    assert find_secrets(text, known=EVERY_SECRET) == []
    assert scan_text(text, known=EVERY_SECRET) == []


def test_a_bearer_key_recording_is_scrubbed_and_replays(ats: str, tmp_path: Path) -> None:
    result = record("kit_bearer", "7", "8", "-s", f"base_url={ats}",
                    "-c", f"api_key={loopback.API_KEY}", "--out", str(tmp_path))  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["found_7.yaml", "not_found_8.yaml"]
    found = (tmp_path / "found_7.yaml").read_text()
    assert_clean(found)
    assert loopback.API_KEY not in result.stdout + result.stderr
    # the gzip body was decoded before it was written: the cassette is readable JSON
    body = yaml.safe_load(found)["interactions"][0]["response"]["body"]["string"]
    assert json.loads(body)["title"] == "Loopback Engineer"
    # header auth is not part of the replay key: any key replays
    job = replay(tmp_path / "found_7.yaml", "kit_bearer", "7", {"api_key": "other-key"})
    assert isinstance(job, Job)
    assert (job.title, job.external_id) == ("Loopback Engineer", "7")
    missing = replay(tmp_path / "not_found_8.yaml", "kit_bearer", "8", {"api_key": "k"})
    assert isinstance(missing, JobNotFound)


def test_oauth_token_request_and_answer_are_scrubbed(ats: str, tmp_path: Path) -> None:
    result = record("kit_oauth", "7", "-s", f"base_url={ats}", "--out", str(tmp_path),
                    "-c", f"client_id={loopback.CLIENT_ID}",
                    "-c", f"client_secret={loopback.CLIENT_SECRET}", "--name", "oauth")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    text = (tmp_path / "oauth.yaml").read_text()
    assert_clean(text)
    token, job = yaml.safe_load(text)["interactions"]
    assert dict(parse_qsl(token["request"]["body"])) == {
        "client_id": REDACTED, "client_secret": REDACTED, "grant_type": "client_credentials",
    }  # fmt: skip
    answer = json.loads(token["response"]["body"]["string"])
    assert answer["access_token"] == answer["refresh_token"] == REDACTED
    assert answer["expires_in"] == 3600
    assert "authorization" not in {name.lower() for name in job["request"]["headers"]}
    # the token request is matched on its body, so it replays with the scrubbed values
    replayed = replay(
        tmp_path / "oauth.yaml", "kit_oauth", "7",
        {"client_id": REDACTED, "client_secret": REDACTED},
    )  # fmt: skip
    assert isinstance(replayed, Job)


def test_an_api_key_in_the_query_string_is_scrubbed(ats: str, tmp_path: Path) -> None:
    result = record("kit_query", "7", "-s", f"base_url={ats}",
                    "-c", f"api_key={loopback.API_KEY}", "--out", str(tmp_path))  # fmt: skip
    assert result.exit_code == 0, result.stderr
    text = (tmp_path / "found_7.yaml").read_text()
    assert_clean(text)
    uri = yaml.safe_load(text)["interactions"][0]["request"]["uri"]
    assert uri.endswith(f"/v1/jobs/7?expand=all&api_key={REDACTED}")
    job = replay(tmp_path / "found_7.yaml", "kit_query", "7", {"api_key": REDACTED})
    assert isinstance(job, Job)


def test_a_connector_without_its_mapping_still_records(ats: str, tmp_path: Path) -> None:
    result = record("kit_unfinished", "7", "-s", f"base_url={ats}",
                    "-c", f"api_key={loopback.API_KEY}", "--out", str(tmp_path))  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "ConfigurationError: the job mapping is not written yet" in result.stdout
    assert_clean((tmp_path / "found_7.yaml").read_text())


def test_a_cassette_the_scan_flags_is_never_written(ats: str, tmp_path: Path) -> None:
    result = record("kit_bearer", "9", "7", "-s", f"base_url={ats}",
                    "-c", f"api_key={loopback.API_KEY}", "--out", str(tmp_path))  # fmt: skip
    assert result.exit_code == 1
    assert [p.name for p in tmp_path.iterdir()] == ["found_7.yaml"]
    assert "not recorded job '9'" in result.stderr
    assert "Bearer... (30 chars)" in result.stderr
    stray = loopback.STRAY_TOKEN.split()[1]
    assert stray not in result.stdout + result.stderr


def test_an_invalid_id_records_nothing(ats: str, tmp_path: Path) -> None:
    result = record("kit_bearer", "../7", "-s", f"base_url={ats}", "-c", "api_key=abcdef",
                    "--out", str(tmp_path))  # fmt: skip
    assert result.exit_code == 2
    assert "nothing was recorded" in result.stderr
    assert not tmp_path.exists() or not any(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["kit_bearer", "7", "-s", "base_url=http://127.0.0.1:9"], "api_key"),
        (["kit_bearer", "7", "8", "-c", "api_key=abcdef", "--name", "x"], "single job id"),
        (["kit_bearer", "7", "-c", "api_key=abcdef", "--name", "../x"], "plain file name"),
        (["nope", "7"], "no connector is installed"),
    ],
)
def test_bad_configuration_fails_before_any_request(
    ats: str, args: list[str], message: str
) -> None:
    result = record(*args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_several_jobs_show_a_progress_bar(
    ats: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, force_interactive=True, width=100)
    monkeypatch.setattr(terminal, "err", console)
    result = record("kit_bearer", "7", "8", "-s", f"base_url={ats}",
                    "-c", f"api_key={loopback.API_KEY}", "--out", str(tmp_path))  # fmt: skip
    assert result.exit_code == 0
    shown = screen.getvalue()
    assert "recording kit_bearer" in shown
    assert "2/2" in shown


def test_settings_and_credentials_come_from_the_environment(
    ats: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EMBLOY_ATS_KIT_BEARER_API_KEY", loopback.API_KEY)
    monkeypatch.setenv("EMBLOY_ATS_KIT_BEARER_BASE_URL", ats)
    result = record("kit_bearer", "7", "--out", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert_clean((tmp_path / "found_7.yaml").read_text())


# -- the scrubber on its own ---------------------------------------------------------------


def response(body: bytes, **headers: str) -> dict[str, Any]:
    return {
        "status": {"code": 200, "message": "OK"},
        "headers": {name.replace("_", "-"): [value] for name, value in headers.items()},
        "body": {"string": body},
    }


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data, wbits=-zlib.MAX_WBITS)),
    ],
)
def test_compressed_bodies_are_decoded(encoding: str, compress: Any) -> None:
    scrubber = Scrubber([])
    answer = scrubber.response(
        response(compress(b'{"ok": true}'), content_encoding=encoding, content_length="99")
    )
    assert answer["body"]["string"] == b'{"ok": true}'
    assert "content-encoding" not in answer["headers"]
    assert answer["headers"]["content-length"] == ["12"]
    assert scrubber.problems == []


def test_an_undecodable_body_is_a_problem() -> None:
    scrubber = Scrubber([])
    scrubber.response(response(b"\x28\xb5\x2f\xfd", content_encoding="zstd"))
    assert len(scrubber.problems) == 1
    assert "zstd" in scrubber.problems[0]


def test_tokens_learnt_from_an_answer_are_scrubbed_everywhere_after() -> None:
    scrubber = Scrubber(["known-secret-1"])
    scrubber.response(response(b'{"data": {"access_token": "tok-123456"}}'))
    request = Request(
        "GET",
        "https://user:pw@ats.example/v1/tok-123456/jobs?access_token=tok-123456&page=2",
        b'{"note": "known-secret-1"}',
        {"X-Trace": "tok-123456", "Accept": "application/json", "Cookie": "a=b"},
    )
    cleaned = scrubber.request(request)
    assert cleaned.uri == (f"https://ats.example/v1/{REDACTED}/jobs?access_token={REDACTED}&page=2")
    assert dict(cleaned.headers) == {"Accept": "application/json"}
    assert json.loads(cleaned.body) == {"note": REDACTED}
    assert scrubber.secrets == ["known-secret-1", "tok-123456"]


def test_cassette_names_follow_the_answer() -> None:
    assert cassette_name(200, "7") == "found_7.yaml"
    assert cassette_name(404, "7") == "not_found_7.yaml"
    assert cassette_name(401, "a/b") == "auth_failed_a_b.yaml"
    assert cassette_name(503, "7") == "status_503_7.yaml"
