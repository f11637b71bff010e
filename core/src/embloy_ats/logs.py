"""Structured logs that never carry a secret.

`configure_logging()` installs one handler: human-readable lines by default, one JSON object
per line with EMBLOY_ATS_LOG_FORMAT=json (fields given as `extra=` become keys). A filter
masks anything shaped like a credential in messages and fields, as a last line of defence:
the code never logs credentials on purpose.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from typing import Any

from embloy_ats.request_id import RequestIdFilter
from embloy_ats.testing.secrets import TOKEN_LIKE

MASK = "[redacted]"
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}


def _mask(value: Any) -> Any:
    return TOKEN_LIKE.sub(MASK, value) if isinstance(value, str) else value


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _mask(record.getMessage())
        record.args = None
        for key, value in list(record.__dict__.items()):
            if key not in _STANDARD:
                record.__dict__[key] = _mask(value)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry |= {k: v for k, v in record.__dict__.items() if k not in _STANDARD}
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__
        return json.dumps(entry, default=str)


def configure_logging(level: str | None = None, fmt: str | None = None) -> None:
    """Idempotent: replaces the handlers of the `embloy_ats` logger tree."""
    handler = logging.StreamHandler()
    handler.addFilter(RedactSecrets())
    handler.addFilter(RequestIdFilter())
    chosen = (fmt or os.environ.get("EMBLOY_ATS_LOG_FORMAT", "text")).lower()
    handler.setFormatter(
        JsonFormatter()
        if chosen == "json"
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    for server_logger in ("uvicorn.access", "uvicorn.error"):
        # access lines carry the apply page's request token in the query string
        target = logging.getLogger(server_logger)
        if not any(isinstance(f, RedactSecrets) for f in target.filters):
            target.addFilter(RedactSecrets())
    root = logging.getLogger("embloy_ats")
    root.handlers[:] = [handler]
    root.setLevel((level or os.environ.get("EMBLOY_ATS_LOG_LEVEL", "WARNING")).upper())
    root.propagate = False
