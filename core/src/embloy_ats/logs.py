"""Structured logs that never carry a secret.

`configure_logging()` installs one handler: human-readable lines by default, one JSON object
per line with EMBLOY_ATS_LOG_FORMAT=json (fields given as `extra=` become keys). A filter
masks anything shaped like a credential in messages, their arguments and fields, as a last
line of defence: the code never logs credentials on purpose. `server_log_config()` gives
uvicorn the same filter and, with EMBLOY_ATS_LOG_FORMAT=json, the same JSON lines.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import re
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TextIO

from stamina.instrumentation import (
    PrometheusOnRetryHook,
    RetryDetails,
    RetryHookFactory,
    set_on_retry_hooks,
)

from embloy_ats.redaction import TOKEN_LIKE
from embloy_ats.request_id import RequestIdFilter

LOG_FORMAT_ENV = "EMBLOY_ATS_LOG_FORMAT"
LOG_LEVEL_ENV = "EMBLOY_ATS_LOG_LEVEL"
MASK = "[redacted]"
#: a query parameter named for a secret, whatever its value looks like (the apply page's
#: `request_token=`, `api_key=`, `client_secret=`...).
_SECRET_QUERY_VALUE = re.compile(
    r"([?&][^=&#\s]*(?:token|key|secret|passw|signature|credential)[^=&#\s]*=)"
    rf"(?!{re.escape(MASK)})[^&#\s\"']+",
    re.IGNORECASE,
)
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "taskName",
    "color_message",  # uvicorn's coloured copy of the message
}
_SERVER_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")
_retry_log = logging.getLogger("embloy_ats.retry")
#: the arguments of uvicorn's access line, in its order.
_ACCESS_FIELDS = ("client", "method", "path", "http_version", "status")


def _mask(value: str) -> str:
    return TOKEN_LIKE.sub(MASK, _SECRET_QUERY_VALUE.sub(rf"\1{MASK}", value))


def _mask_value(value: Any) -> Any:
    """`value` with secrets masked; of its own type unless it had one to mask, so that
    `%d` and the formatters that unpack arguments (uvicorn's access line) still work."""
    if isinstance(value, str):
        return _mask(value)
    if value is None or isinstance(value, int | float | bytes):
        return value
    text = str(value)
    masked = _mask(text)
    return value if masked == text else masked


class RedactSecrets(logging.Filter):
    """Masks credential-shaped text in the message, each of its arguments, and the extras."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.args:
            record.msg = _mask_value(record.msg)
        else:
            # the template is left alone (masking could eat a placeholder) unless the
            # message it makes still holds a secret: one in the template itself, or one
            # the template and an argument make together ("Bearer %s")
            if isinstance(record.args, tuple):
                record.args = tuple(_mask_value(arg) for arg in record.args)
            elif isinstance(record.args, Mapping):
                record.args = {key: _mask_value(arg) for key, arg in record.args.items()}
            try:
                message = record.getMessage()
            except (TypeError, ValueError):
                message = None  # a malformed call: logging reports it as it always does
            if message is not None and _mask(message) != message:
                record.msg, record.args = _mask(message), None
        for key, value in list(record.__dict__.items()):
            if key not in _STANDARD:
                record.__dict__[key] = _mask_value(value)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.name == "uvicorn.access" and isinstance(record.args, tuple):
            entry |= dict(zip(_ACCESS_FIELDS, record.args, strict=False))
        entry |= {k: v for k, v in record.__dict__.items() if k not in _STANDARD}
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__
        return json.dumps(entry, default=str)


def log_format(fmt: str | None = None) -> str:
    """The format to log in, `json` or `text`: `fmt`, else EMBLOY_ATS_LOG_FORMAT."""
    chosen = (fmt or os.environ.get(LOG_FORMAT_ENV, "text")).strip().lower()
    return "json" if chosen == "json" else "text"


class _Handler(logging.StreamHandler[TextIO]):
    """The handler `configure_logging` installs (so a second call replaces it).

    It writes to `sys.stderr` as it is when a line is logged, as logging's last resort
    does: a stream bound at configuration time may since have been replaced and closed
    (a daemon's redirect, a test's capture), and every line would become a traceback."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self) -> TextIO:  # type: ignore[override]  # read-only on purpose
        return sys.stderr


def configure_logging(level: str | None = None, fmt: str | None = None) -> None:
    """Idempotent: replaces the handlers of the `embloy_ats` logger tree, and gives other
    libraries' warnings (the database pool's, say) the same format on the root logger."""
    handler = _Handler()
    handler.addFilter(RedactSecrets())
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(
        JsonFormatter()
        if log_format(fmt) == "json"
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    others = logging.getLogger()
    others.handlers[:] = [h for h in others.handlers if not isinstance(h, _Handler)] + [handler]
    for server_logger in _SERVER_LOGGERS:
        # access lines carry the apply page's request token in the query string; this
        # covers uvicorn run under any logging configuration, not only ours
        target = logging.getLogger(server_logger)
        if not any(isinstance(f, RedactSecrets) for f in target.filters):
            target.addFilter(RedactSecrets())
    root = logging.getLogger("embloy_ats")
    root.handlers[:] = [handler]
    root.setLevel((level or os.environ.get(LOG_LEVEL_ENV, "WARNING")).strip().upper())
    root.propagate = False
    # stamina logs every scheduled retry as a warning of its own, which reached the
    # commands' output; retries are a debug line of ours (and stamina's Prometheus counter)
    set_on_retry_hooks([PrometheusOnRetryHook, RetryHookFactory(lambda: _log_retry)])


def _log_retry(details: RetryDetails) -> None:
    _retry_log.debug(
        "retry %d in %.2f s after %s",
        details.retry_num,
        details.wait_for,
        str(details.caused_by) or type(details.caused_by).__name__,
        extra={
            "retry_num": details.retry_num,
            "wait_for": round(details.wait_for, 3),
            "waited_so_far": round(details.waited_so_far, 3),
            "caused_by": repr(details.caused_by),
        },
    )


def server_log_config(fmt: str | None = None) -> dict[str, Any]:
    """uvicorn's own logging configuration (its `log_config`), every handler redacting,
    and JSON lines instead of uvicorn's formatters when the format is json."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"redact": {"()": RedactSecrets}}
    for handler in config["handlers"].values():
        handler["filters"] = ["redact"]
    if log_format(fmt) == "json":
        config["formatters"] = {name: {"()": JsonFormatter} for name in config["formatters"]}
    return config
