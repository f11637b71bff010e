"""Shared fixtures: fake ATS answers without a network, and cassette settings."""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import stamina
from embloy_ats import HttpClient, RetryPolicy, Timeouts
from embloy_ats.redaction import REDACTED, SECRET_HEADERS, SECRET_PARAMS

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "cassettes"

Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture(autouse=True)
def _no_retry_waits() -> Iterator[None]:
    """Retries still happen (the policy's attempts), but without real backoff sleeps."""
    with stamina.set_testing(True, attempts=RetryPolicy().attempts, cap=True):
        yield


@pytest.fixture(autouse=True)
def _consoles_follow_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's consoles measure the terminal when they print, as in a plain run. In a
    pytest-xdist worker COLUMNS is set before they are made, which would fix their width
    for the worker's life and ignore the COLUMNS a test sets."""
    terminal = sys.modules.get("embloy_ats.terminal")
    if terminal is not None:
        for console in (terminal.out, terminal.err):
            monkeypatch.setattr(console, "_width", None)


@pytest.fixture(autouse=True)
def _restored_loggers() -> Iterator[None]:
    """Loggers as they were before the test: a test that configures logging (the CLI's
    `configure_logging`, uvicorn's `dictConfig`) leaves no handler, filter or level behind."""
    names = ("uvicorn", "uvicorn.error", "uvicorn.access", "embloy_ats", None)
    loggers = [logging.getLogger(name) for name in names]
    saved = [(lg.handlers[:], lg.filters[:], lg.level, lg.propagate) for lg in loggers]
    yield
    for logger, (handlers, filters, level, propagate) in zip(loggers, saved, strict=True):
        logger.handlers[:], logger.filters[:] = handlers, filters
        logger.setLevel(level)
        logger.propagate = propagate


@pytest.fixture
def vcr_config() -> dict[str, Any]:
    return {
        "filter_headers": [(name, REDACTED) for name in SECRET_HEADERS],
        "filter_query_parameters": [(name, REDACTED) for name in SECRET_PARAMS],
        "decode_compressed_response": True,
    }


class FakeAts:
    """An httpx transport that answers from a handler and remembers every request."""

    def __init__(self, handler: Handler) -> None:
        self.requests: list[httpx.Request] = []
        self._handler = handler

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self._handler(request)

    def client(self, **kwargs: Any) -> HttpClient:
        kwargs.setdefault("timeouts", Timeouts(attempt=2.0))
        return HttpClient(transport=httpx.MockTransport(self._handle), **kwargs)


@pytest.fixture
def fake_ats() -> Callable[[Handler], FakeAts]:
    return FakeAts


@contextmanager
def loopback_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 answering with `handler`; yields its origin."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def payload(path: str) -> bytes:
    """A recorded response body from a cassette, by cassette path and interaction index 0."""
    import yaml

    document = yaml.safe_load((CASSETTES / path).read_text(encoding="utf-8"))
    body: str = document["interactions"][0]["response"]["body"]["string"]
    return body.encode()


@pytest.hookimpl(wrapper=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> Generator[None, int, int]:
    """`-n auto` starts two processes per core (pytest-xdist's own count, doubled), unless
    PYTEST_XDIST_AUTO_NUM_WORKERS says how many. About half of the suite's time is spent
    waiting, not computing: on a fake ATS that hangs past a timeout, a lease or a rate limit
    running out in real time, a process starting, a server stopping. With one process per
    core those waits leave the core idle; with two, the other process computes meanwhile."""
    cores = yield
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return cores
    return 2 * cores


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The soak's minute-long tests first: in a parallel run (pytest-xdist) they then overlap
    the many short tests instead of ending the run alone on one core."""
    items.sort(key=lambda item: not item.nodeid.startswith("tests/soak/"))
