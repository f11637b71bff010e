"""`embloy-ats cassettes check`: every cassette scanned, any finding fails with the file and a
shortened finding, and the secret itself is never printed."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from embloy_ats import Registry
from embloy_ats.cli import app
from embloy_ats.testing.cassette_scan import scan_text
from typer.testing import CliRunner

from tests.kit import loopback

runner = CliRunner()
LEAKED = "lk_Qm4Wn8Er2Ty6Ui0Op3As"
N = len(LEAKED)


def cassette(
    *,
    uri: str = "https://ats.example/v1/jobs/1",
    request_headers: dict[str, list[str]] | None = None,
    request_body: str = "",
    response_body: str = '{"id": 1}',
    response_headers: dict[str, list[str]] | None = None,
) -> str:
    interaction = {
        "request": {"body": request_body, "headers": request_headers or {}, "method": "GET",
                    "uri": uri},
        "response": {"body": {"string": response_body}, "headers": response_headers or {},
                     "status": {"code": 200, "message": "OK"}},
    }  # fmt: skip
    return yaml.safe_dump({"interactions": [interaction], "version": 1})


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(Registry, "discover", classmethod(lambda cls: loopback.registry()))
    root = tmp_path / "cassettes"
    (root / "acme").mkdir(parents=True)
    (root / "acme" / "found_1.yaml").write_text(cassette())
    (root / "acme" / "not_found.yml").write_text(cassette(response_body=""))
    return root


def check(*args: str) -> object:
    return runner.invoke(app, ["cassettes", "check", *args])


def test_clean_cassettes_pass(folder: Path) -> None:
    result = check(str(folder))
    assert result.exit_code == 0, result.stdout  # type: ignore[attr-defined]
    assert "2 cassettes checked: no secrets found" in result.stderr  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("leak", "expected"),
    [
        ({"request_headers": {"Authorization": [f"Bearer {LEAKED}"]}},
         "request header 'authorization' is recorded"),
        ({"uri": f"https://ats.example/v1/jobs/1?api_key={LEAKED}"},
         f"query parameter 'api_key' holds a value ({N} chars)"),
        ({"response_body": f'{{"access_token": "{LEAKED}"}}'},
         f"response body field 'access_token' holds a value ({N} chars)"),
        ({"request_body": f"grant_type=refresh_token&refresh_token={LEAKED}"},
         f"request form field 'refresh_token' holds a value ({N} chars)"),
        ({"response_headers": {"Set-Cookie": [f"session={LEAKED}"]}},
         "response header 'set-cookie' is recorded"),
        ({"uri": f"https://user:{LEAKED}@ats.example/v1/jobs/1"},
         "the request URL carries user credentials"),
        ({"response_body": f"<p>Authorization: Bearer {LEAKED}</p>"},
         f"secret-looking value Bearer... ({N + 7} chars)"),
    ],
)  # fmt: skip
def test_any_finding_fails_with_the_file_and_never_the_secret(
    folder: Path, leak: dict[str, object], expected: str
) -> None:
    leaky = folder / "acme" / "found_2.yaml"
    leaky.write_text(cassette(**leak))  # type: ignore[arg-type]
    result = check(str(folder))
    output = result.stdout + result.stderr  # type: ignore[attr-defined]
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert f"{leaky}: " in output
    assert expected in output
    assert LEAKED not in output
    assert str(folder / "acme" / "found_1.yaml") not in output


def test_credentials_from_the_environment_are_looked_for(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (folder / "acme" / "found_3.yaml").write_text(cassette(response_body=f'{{"x": "{LEAKED}"}}'))
    assert check(str(folder)).exit_code == 0  # type: ignore[attr-defined]
    monkeypatch.setenv("EMBLOY_ATS_KIT_BEARER_API_KEY", LEAKED)
    result = check(str(folder))
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert f"secret-looking value lk_Qm4... ({N} chars)" in result.stdout  # type: ignore[attr-defined]


def test_obvious_stand_ins_are_not_findings() -> None:
    text = cassette(response_body='{"access_token": "test-access", "refresh_token": ""}',
                    request_body="client_id=REDACTED&password=fake")  # fmt: skip
    assert scan_text(text) == []


def test_unreadable_files_are_findings(folder: Path) -> None:
    (folder / "acme" / "broken.yaml").write_text("interactions: [unclosed\n")
    (folder / "acme" / "other.yaml").write_text("just: a mapping\n")
    result = check(str(folder))
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert "not readable as YAML" in result.stdout  # type: ignore[attr-defined]
    assert "not a cassette" in result.stdout  # type: ignore[attr-defined]


def test_a_missing_or_empty_folder_is_an_error(tmp_path: Path) -> None:
    assert check(str(tmp_path / "nowhere")).exit_code == 2  # type: ignore[attr-defined]
    result = check(str(tmp_path))
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "no cassettes" in result.stderr  # type: ignore[attr-defined]
