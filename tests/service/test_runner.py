"""The in-process runner (demo, tests, benchmarks): its connections send at once, and
uvicorn logs through its own formatters (or JSON lines) with every secret redacted."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import Iterator

import httpx
import pytest
from embloy_ats.service.runner import listening_socket, serving

from tests.service.conftest import Service


async def test_accepted_connections_have_nagle_off() -> None:
    """With Nagle on, a response written in two parts (head, then body) waits for the
    client's delayed ACK: ~40 ms per response on Linux loopback."""
    sock = listening_socket("127.0.0.1", 0)
    accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            conn = transport.get_extra_info("socket")
            accepted.set_result(conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    # what uvicorn does with the sockets it is given
    server = await asyncio.get_running_loop().create_server(Probe, sock=sock)
    try:
        port = sock.getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        assert await asyncio.wait_for(accepted, 5) != 0
        writer.close()
    finally:
        server.close()
        await server.wait_closed()


@pytest.fixture
def restore_server_loggers() -> Iterator[None]:
    """`serving` configures uvicorn's loggers for the process: put them back after."""
    loggers = [logging.getLogger(name) for name in ("uvicorn", "uvicorn.error", "uvicorn.access")]
    saved = [(lg.handlers[:], lg.filters[:], lg.level, lg.propagate) for lg in loggers]
    yield
    for logger, (handlers, filters, level, propagate) in zip(loggers, saved, strict=True):
        logger.handlers[:], logger.filters[:] = handlers, filters
        logger.setLevel(level)
        logger.propagate = propagate


@pytest.mark.parametrize("fmt", ["text", "json"])
async def test_access_lines_are_written_and_the_request_token_redacted(
    service: Service,
    fmt: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    restore_server_loggers: None,
) -> None:
    monkeypatch.setenv("EMBLOY_ATS_LOG_FORMAT", fmt)
    token = await service.request_token()
    async with (
        serving(service.app, log_level="info", access_log=True) as url,
        httpx.AsyncClient(base_url=url) as browser,
    ):
        page = await browser.get("/sdk/apply", params={"request_token": token})
        missing = await browser.get("/sdk/apply?request_token=not-a-token-but-secret")
    assert (page.status_code, missing.status_code) == (200, 401)
    captured = capsys.readouterr()
    everything = captured.out + captured.err
    assert "Logging error" not in everything
    assert token not in everything
    assert token.split(".")[1] not in everything
    assert "not-a-token-but-secret" not in everything
    access = [line for line in captured.out.splitlines() if "/sdk/apply" in line]
    assert len(access) == 2
    if fmt == "text":
        assert '"GET /sdk/apply?request_token=[redacted] HTTP/1.1" 200 OK' in access[0]
        assert '"GET /sdk/apply?request_token=[redacted] HTTP/1.1" 401 Unauthorized' in access[1]
    else:
        entries = [json.loads(line) for line in access]
        assert [(e["logger"], e["method"], e["path"], e["status"]) for e in entries] == [
            ("uvicorn.access", "GET", "/sdk/apply?request_token=[redacted]", 200),
            ("uvicorn.access", "GET", "/sdk/apply?request_token=[redacted]", 401),
        ]
        for line in captured.err.splitlines():  # uvicorn's own lines (started, shut down)
            assert json.loads(line)["logger"].startswith("uvicorn")
