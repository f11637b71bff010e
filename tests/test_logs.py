"""Logs: JSON lines with the structured fields, and no credential-shaped value ever."""

from __future__ import annotations

import json
import logging

import pytest
from embloy_ats.logs import JsonFormatter, RedactSecrets, configure_logging


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
    logging.getLogger("embloy_ats").handlers.clear()
    logging.getLogger("embloy_ats").propagate = True
