"""Logs: JSON lines with the structured fields, and no credential-shaped value ever."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import sys

import pytest
from embloy_ats.logs import JsonFormatter, RedactSecrets, configure_logging, server_log_config
from uvicorn.config import LOGGING_CONFIG


def record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    rec = logging.LogRecord("embloy_ats.test", logging.INFO, __file__, 1, message, args, None)
    rec.__dict__.update(extra)
    return rec


def test_json_lines_carry_the_extra_fields() -> None:
    line = JsonFormatter().format(record("job %s fetched", "7", connector="lever", job_id="7"))
    entry = json.loads(line)
    assert entry["message"] == "job 7 fetched"
    assert (entry["connector"], entry["job_id"], entry["level"]) == ("lever", "7", "info")


def test_credential_shaped_values_are_masked_in_messages_and_fields() -> None:
    rec = record(
        "sent Authorization: Bearer %s",
        "abcdef0123456789abcdef",
        header="Basic dXNlcjpwYXNzd29yZDEyMw==",
        url="https://x.example/jobs?api_key=0123456789abcdef",
    )
    assert RedactSecrets().filter(rec)
    text = JsonFormatter().format(rec)
    for secret in ("abcdef0123456789abcdef", "dXNlcjpwYXNzd29yZDEyMw==", "0123456789abcdef"):
        assert secret not in text
    assert "[redacted]" in text


def test_configure_logging_installs_one_redacting_handler(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("INFO", "json")
    configure_logging("INFO", "json")
    logger = logging.getLogger("embloy_ats.resolver")
    logger.info("token Bearer %s", "zz9876543210zz9876", extra={"tenant": "t1"})
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["tenant"] == "t1"
    assert "zz9876543210zz9876" not in lines[0]
    access = logging.LogRecord("uvicorn.access", 20, "", 0, "GET /sdk/apply?request_token=%s", (
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    ), None)  # fmt: skip
    assert logging.getLogger("uvicorn.access").filter(access)
    assert "eyJzdWIi" not in access.getMessage()


JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"


def test_the_handler_writes_to_stderr_as_it_is_when_a_line_is_logged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """stderr replaced after logging was configured (a daemon's redirect, a closed capture):
    lines go to the new stream, not as a "Logging error" traceback per line about the old one."""
    before = io.StringIO()
    monkeypatch.setattr(sys, "stderr", before)
    configure_logging("INFO", "text")
    before.close()
    after = io.StringIO()
    monkeypatch.setattr(sys, "stderr", after)
    logging.getLogger("embloy_ats.resolver").warning("the ATS answered 503")
    logging.getLogger("psycopg.pool").warning("a connection was lost")
    lines = after.getvalue().splitlines()
    assert [line.partition(": ")[2] for line in lines] == [
        "the ATS answered 503",
        "a connection was lost",
    ], lines


def access(path: str, status: int = 200) -> None:
    """An access line exactly as uvicorn's HTTP protocol logs it."""
    logging.getLogger("uvicorn.access").info(
        '%s - "%s %s HTTP/%s" %d', "127.0.0.1:50000", "GET", path, "1.1", status
    )


def test_uvicorn_access_lines_are_written_through_its_own_formatter(
    capsys: pytest.CaptureFixture[str],
) -> None:
    logging.config.dictConfig(LOGGING_CONFIG)  # what uvicorn.Config applies by default
    configure_logging("INFO", "text")
    access(f"/sdk/apply?request_token={JWT}")
    access("/sdk/apply?request_token=short-but-secret&x=1", 401)
    captured = capsys.readouterr()
    assert "Logging error" not in captured.err
    lines = captured.out.strip().splitlines()
    assert len(lines) == 2
    assert '"GET /sdk/apply?request_token=[redacted] HTTP/1.1" 200 OK' in lines[0]
    assert '"GET /sdk/apply?request_token=[redacted]&x=1 HTTP/1.1" 401 Unauthorized' in lines[1]
    assert "eyJzdWIi" not in captured.out
    assert "short-but-secret" not in captured.out


def test_arguments_keep_their_types_and_lose_their_secrets() -> None:
    class Failure(Exception):
        pass

    rec = record(
        "%d attempts, %.1f s, %s, %r",
        3,
        0.5,
        Failure("401 for https://ats.example/jobs?api_key=k-1234567890"),
        {"note": "plain"},
    )
    assert RedactSecrets().filter(rec)
    assert isinstance(rec.args, tuple)
    assert rec.args[:2] == (3, 0.5)
    assert rec.getMessage() == (
        "3 attempts, 0.5 s, 401 for https://ats.example/jobs?api_key=[redacted], {'note': 'plain'}"
    )


def test_uvicorn_lines_become_json_lines_with_the_access_fields(
    capsys: pytest.CaptureFixture[str],
) -> None:
    logging.config.dictConfig(server_log_config("json"))
    logging.getLogger("uvicorn.error").info("Started server process [%d]", 42)
    access(f"/sdk/apply?request_token={JWT}", 200)
    captured = capsys.readouterr()
    started, line = json.loads(captured.err), json.loads(captured.out)
    assert (started["logger"], started["message"]) == (
        "uvicorn.error",
        "Started server process [42]",
    )
    assert line["logger"] == "uvicorn.access"
    assert (
        line["message"]
        == '127.0.0.1:50000 - "GET /sdk/apply?request_token=[redacted] HTTP/1.1" 200'
    )
    assert (line["client"], line["method"], line["status"]) == ("127.0.0.1:50000", "GET", 200)
    assert line["path"] == "/sdk/apply?request_token=[redacted]"
    assert "color_message" not in line


def test_other_libraries_lines_take_the_same_format(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A library's own warning (the database pool losing its server) is one JSON line too,
    not a bare message from logging's last-resort handler."""
    configure_logging("WARNING", "json")
    logging.getLogger("psycopg.pool").warning("error connecting in %r: %s", "pool-1", "refused")
    logging.getLogger("psycopg.pool").info("not shown: below the level")
    (line,) = capsys.readouterr().err.strip().splitlines()
    entry = json.loads(line)
    assert (entry["logger"], entry["level"]) == ("psycopg.pool", "warning")
    assert entry["message"] == "error connecting in 'pool-1': refused"
