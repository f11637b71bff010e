"""The id of the request being served: one value a candidate can quote and an operator can grep.

The service sets it per request (`embloy_ats.service.middleware`); every log record written
while it is set carries it as `request_id` (`RequestIdFilter`, installed by
`embloy_ats.logs.configure_logging`), and error answers show it.
"""

from __future__ import annotations

import logging
import re
import secrets
from contextvars import ContextVar, Token

HEADER = "X-Request-ID"
#: What an incoming id may look like (a proxy's or a load balancer's): short, and nothing a log
#: line or a page could misread (no spaces, quotes, angle brackets or line breaks).
_ACCEPTED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,63}")

_current: ContextVar[str | None] = ContextVar("embloy_ats_request_id", default=None)


def new_request_id() -> str:
    """64 random bits in hex: short enough to read out, unique enough to grep."""
    return secrets.token_hex(8)


def accept_or_new(incoming: str | None) -> str:
    """The caller's id when it is short and safe, else a new one."""
    if incoming is not None and _ACCEPTED.fullmatch(incoming):
        return incoming
    return new_request_id()


def current_request_id() -> str | None:
    return _current.get()


def bind_request_id(request_id: str) -> Token[str | None]:
    """Set the id for the current context; returns the token `unbind_request_id` takes."""
    return _current.set(request_id)


def unbind_request_id(token: Token[str | None]) -> None:
    _current.reset(token)


class RequestIdFilter(logging.Filter):
    """Stamps the current request's id on a record (as `request_id`), when there is one."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = _current.get()
        if request_id is not None and not hasattr(record, "request_id"):
            record.request_id = request_id
        return True
