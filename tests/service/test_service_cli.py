"""The service's CLI: client tokens issued and revoked, and serve's start-up checks."""

from __future__ import annotations

from pathlib import Path

import jwt
import pytest
from embloy_ats.cli import app
from embloy_ats.crypto import KeyRing
from typer.testing import CliRunner

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "svc.db"
    monkeypatch.setenv("EMBLOY_ATS_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("EMBLOY_ATS_SECRET_KEY", "k" * 48)
    monkeypatch.setenv("EMBLOY_ATS_ENCRYPTION_KEYS", KeyRing.generate())
    assert runner.invoke(app, ["tenants", "add", "acme"]).exit_code == 0
    return db


def test_issue_and_revoke_a_client_token(env: Path) -> None:
    issued = runner.invoke(app, ["tokens", "issue", "acme", "--expires-in", "7"])
    assert issued.exit_code == 0, issued.stderr
    token = issued.stdout.strip()
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["typ"] == "client"
    assert claims["exp"] - claims["iat"] == 7 * 86400
    assert claims["jti"] in issued.stderr
    revoked = runner.invoke(app, ["tokens", "revoke", claims["jti"]])
    assert revoked.exit_code == 0
    assert runner.invoke(app, ["tokens", "revoke", token]).exit_code == 0  # by token: idempotent
    unknown = runner.invoke(app, ["tokens", "revoke", "nope"])
    assert unknown.exit_code == 4
    assert "no client token" in unknown.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["tokens", "issue", "nobody"], "no tenant"),
        (["tokens", "issue", "acme", "--expires-in", "0"], "between"),
    ],
)
def test_bad_token_requests_are_one_line_errors(env: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.stderr


@pytest.mark.parametrize("missing", ["EMBLOY_ATS_SECRET_KEY", "EMBLOY_ATS_ENCRYPTION_KEYS"])
def test_serve_refuses_to_start_without_its_keys(
    env: Path, monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    monkeypatch.delenv(missing)
    result = runner.invoke(app, ["serve", "--port", "1"])
    assert result.exit_code == 2
    assert missing in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_short_secret_key_is_refused(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMBLOY_ATS_SECRET_KEY", "short")
    result = runner.invoke(app, ["tokens", "issue", "acme"])
    assert result.exit_code == 2
    assert "shorter than 32 bytes" in result.stderr
