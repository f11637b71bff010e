"""Settings of the application pipeline, from `EMBLOY_ATS_*` environment variables.

Durations are written `90s`, `15m`, `72h`, `30d` (a bare number is seconds), sizes `10MiB`,
`512KiB` (a bare number is bytes). A value that does not parse is a `ConfigurationError`
naming the variable, never a silent default.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from embloy_ats.applications.validation import Limits
from embloy_ats.errors import ConfigurationError

MINUTE = 60.0
HOUR = 60 * MINUTE
DAY = 24 * HOUR
#: a dead worker's claim must expire within a minute.
MAX_LEASE = 60.0


@dataclass(frozen=True)
class DeliverySettings:
    """How the worker delivers, and how long the store keeps what it delivered."""

    #: retrying stops this long after the application was accepted: it is then `failed`.
    deadline: float = 72 * HOUR
    #: a worker's claim on an application; renewed while it sends, expires if it dies.
    lease: float = 30.0
    #: applications one worker sends at once.
    concurrency: int = 8
    #: how often an idle worker looks for due applications.
    poll_interval: float = 1.0
    #: first retry waits up to this (full jitter), doubling per failed attempt...
    backoff_base: float = 5.0
    #: ...up to this.
    backoff_max: float = 15 * MINUTE
    #: the longest Retry-After honoured; a longer one is cut to this.
    max_retry_after: float = HOUR
    #: after an ambiguous outcome, the ATS gets this long before it is looked up.
    lookup_delay: float = 5.0
    #: one call of a connector's submit or lookup; past it the outcome is ambiguous.
    attempt_timeout: float = 3 * MINUTE
    #: the longest a claimed application waits for its turn under the shared rate limit;
    #: beyond it the claim is given back, scheduled for its turn.
    rate_wait_max: float = 10.0
    #: added to the rate limit's window when spacing sends: a send leaves a little after
    #: its turn (a database write, the connection), and the ATS counts arrivals.
    rate_slack: float = 0.1
    #: files are deleted this long after delivery.
    file_retention: float = 30 * DAY
    #: delivered and failed applications are deleted, answers and all, this long after.
    retention: float = 90 * DAY
    #: how often a running worker purges what retention allows.
    purge_interval: float = HOUR
    #: how often a running worker refreshes the queue-depth gauge.
    metrics_interval: float = 15.0
    #: on stop, sends under way get this long to finish before they are cut off.
    stop_grace: float = 30.0

    def __post_init__(self) -> None:
        if not 0 < self.lease <= MAX_LEASE:
            raise ConfigurationError(
                f"the delivery lease must be more than 0 and at most {MAX_LEASE:g} s",
                hint="A dead worker's applications wait for its lease to expire.",
            )
        if self.concurrency < 1:
            raise ConfigurationError("the delivery concurrency must be at least 1")
        for item in fields(self):
            value = getattr(self, item.name)
            if value < 0:
                raise ConfigurationError(f"the delivery setting {item.name} must not be negative")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> DeliverySettings:
        values: dict[str, float | int] = {}
        for name, (variable, kind) in _DELIVERY_ENV.items():
            raw = environ.get(variable, "").strip()
            if raw:
                values[name] = _parse(variable, raw, kind)
                try:
                    cls(**{name: values[name]})  # type: ignore[arg-type]
                except ConfigurationError as exc:
                    raise ConfigurationError(f"{variable}: {exc.message}", hint=exc.hint) from None
        return cls(**values)  # type: ignore[arg-type]


def limits_from_env(environ: Mapping[str, str] = os.environ) -> Limits:
    values: dict[str, Any] = {}
    for name, (variable, kind) in _LIMITS_ENV.items():
        raw = environ.get(variable, "").strip()
        if raw:
            values[name] = int(_parse(variable, raw, kind))
            try:
                Limits(**{name: values[name]})
            except ValueError:
                raise ConfigurationError(f"{variable} must be at least 1") from None
    return Limits(**values)


_DELIVERY_ENV: dict[str, tuple[str, str]] = {
    "deadline": ("EMBLOY_ATS_DELIVERY_DEADLINE", "duration"),
    "lease": ("EMBLOY_ATS_DELIVERY_LEASE", "duration"),
    "concurrency": ("EMBLOY_ATS_DELIVERY_CONCURRENCY", "count"),
    "poll_interval": ("EMBLOY_ATS_DELIVERY_POLL_INTERVAL", "duration"),
    "backoff_base": ("EMBLOY_ATS_DELIVERY_BACKOFF_BASE", "duration"),
    "backoff_max": ("EMBLOY_ATS_DELIVERY_BACKOFF_MAX", "duration"),
    "max_retry_after": ("EMBLOY_ATS_DELIVERY_MAX_RETRY_AFTER", "duration"),
    "lookup_delay": ("EMBLOY_ATS_DELIVERY_LOOKUP_DELAY", "duration"),
    "attempt_timeout": ("EMBLOY_ATS_DELIVERY_ATTEMPT_TIMEOUT", "duration"),
    "rate_wait_max": ("EMBLOY_ATS_DELIVERY_RATE_WAIT_MAX", "duration"),
    "rate_slack": ("EMBLOY_ATS_DELIVERY_RATE_SLACK", "duration"),
    "file_retention": ("EMBLOY_ATS_APPLICATION_FILE_RETENTION", "duration"),
    "retention": ("EMBLOY_ATS_APPLICATION_RETENTION", "duration"),
    "purge_interval": ("EMBLOY_ATS_APPLICATION_PURGE_INTERVAL", "duration"),
    "stop_grace": ("EMBLOY_ATS_DELIVERY_STOP_GRACE", "duration"),
}
_LIMITS_ENV: dict[str, tuple[str, str]] = {
    "max_file_bytes": ("EMBLOY_ATS_APPLY_MAX_FILE_SIZE", "size"),
    "max_total_file_bytes": ("EMBLOY_ATS_APPLY_MAX_TOTAL_FILE_SIZE", "size"),
    "max_files_per_question": ("EMBLOY_ATS_APPLY_MAX_FILES_PER_QUESTION", "count"),
    "max_short_text": ("EMBLOY_ATS_APPLY_MAX_SHORT_TEXT", "count"),
    "max_long_text": ("EMBLOY_ATS_APPLY_MAX_LONG_TEXT", "count"),
}

_DURATION = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*(ms|s|m|h|d)?", re.IGNORECASE)
_DURATION_UNITS = {"ms": 0.001, "s": 1.0, "m": MINUTE, "h": HOUR, "d": DAY}
_SIZE = re.compile(r"([0-9]+)\s*(b|kib|mib|gib|k|m|g)?", re.IGNORECASE)
_SIZE_UNITS = {"b": 1, "k": 1024, "kib": 1024, "m": 1024**2, "mib": 1024**2,
               "g": 1024**3, "gib": 1024**3}  # fmt: skip


def _parse(variable: str, raw: str, kind: str) -> float | int:
    if kind == "duration":
        match = _DURATION.fullmatch(raw)
        if match:
            return float(match.group(1)) * _DURATION_UNITS[(match.group(2) or "s").lower()]
        example = "e.g. 30s, 15m, 72h or 30d"
    elif kind == "size":
        match = _SIZE.fullmatch(raw)
        if match:
            return int(match.group(1)) * _SIZE_UNITS[(match.group(2) or "b").lower()]
        example = "e.g. 10MiB, 512KiB or a number of bytes"
    else:
        if raw.isdigit():
            return int(raw)
        example = "a whole number"
    raise ConfigurationError(
        f"{variable} is {raw[:40]!r}, which is not {example}",
        hint=f"Fix or unset {variable}.",
    )
