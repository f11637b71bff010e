"""The in-process runner (demo, tests, benchmarks): its connections send at once, and
uvicorn logs through its own formatters (or JSON lines) with every secret redacted."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Awaitable, Callable
from typing import Any

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


async def test_an_idle_connection_outlives_the_clients_keep_alive() -> None:
    """httpx reuses a connection idle for up to 5 s (load balancers: 60 s). A server that
    closes idle connections at 5 s closes some just as a request arrives on them, and that
    client reads a reset; the server must be the one that keeps idle connections longer."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-length", b"2")],
                }
            )
            await send({"type": "http.response.body", "body": b"ok"})

    async with serving(app) as url:
        reader, writer = await asyncio.open_connection("127.0.0.1", int(url.rsplit(":", 1)[1]))
        request = b"GET / HTTP/1.1\r\nHost: t\r\n\r\n"
        try:
            for wait in (0.0, 5.5):
                await asyncio.sleep(wait)
                writer.write(request)
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
                assert head.startswith(b"HTTP/1.1 200"), (wait, head)
                await reader.readexactly(2)
        finally:
            writer.close()


class Recorded:
    """An ASGI app that writes down each event it sees: it completes each lifespan step,
    and answers a request with `handle` (by default a 200 "ok", written down as "request")."""

    def __init__(self, handle: Callable[[Any, Any], Awaitable[None]] | None = None) -> None:
        self.events: list[str] = []
        self.handle = handle or self.answer

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                self.events.append((await receive())["type"])
                await send({"type": self.events[-1] + ".complete"})
                if self.events[-1] == "lifespan.shutdown":
                    return
        await self.handle(receive, send)

    async def answer(self, receive: Any, send: Any) -> None:
        self.events.append("request")
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", b"2")]})  # fmt: skip
        await send({"type": "http.response.body", "body": b"ok"})


@pytest.mark.parametrize("held", [False, True], ids=["nothing-open", "a-connection-open"])
async def test_the_block_ending_stops_the_server_and_the_apps_lifespan(held: bool) -> None:
    """Whether or not a connection is still open, the app's shutdown runs, an open
    connection is closed by the server, and the port takes no new connection."""
    app = Recorded()
    async with serving(app) as url:
        port = int(url.rsplit(":", 1)[1])
        assert app.events == ["lifespan.startup"]
        if held:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            await reader.readuntil(b"\r\n\r\nok")
    assert app.events == ["lifespan.startup", *(["request"] if held else []), "lifespan.shutdown"]
    if held:
        assert await asyncio.wait_for(reader.read(), 5) == b"", "closed by the server"
        writer.close()
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection("127.0.0.1", port)


async def test_a_request_whose_client_left_finishes_before_the_apps_shutdown() -> None:
    """A request still being handled when its client disconnects holds no connection, but
    the server still waits for it: the app's shutdown (closing its pools) must not pull
    the ground from under it, nor the loop end with it pending."""
    left = asyncio.Event()

    async def handle(receive: Any, send: Any) -> None:
        await receive()  # the request
        app.events.append((await receive())["type"])  # the client leaving
        left.set()
        await asyncio.sleep(0.05)  # what it still has to do, say write to a store
        app.events.append("request done")

    app = Recorded(handle)
    async with serving(app) as url:
        _, writer = await asyncio.open_connection("127.0.0.1", int(url.rsplit(":", 1)[1]))
        writer.write(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        await writer.drain()
        writer.close()
        await asyncio.wait_for(left.wait(), 5)
    assert app.events == [
        "lifespan.startup", "http.disconnect", "request done", "lifespan.shutdown",
    ]  # fmt: skip


@pytest.mark.parametrize("turns", range(4))
async def test_a_connection_made_as_the_block_ends_is_answered_or_refused(turns: int) -> None:
    """A client may connect just as the block ends (a scrape of the worker's metrics): it
    is refused, or answered before the app's shutdown and closed, never answered by an
    app already shut down, nor left open. `turns` of the loop pass between its connecting
    and the block ending, so that one of them lands between the server's accepting it and
    the connection's start."""
    app = Recorded()
    async with serving(app) as url:
        late = socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])))
        late.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        for _ in range(turns):
            await asyncio.sleep(0)
    reader, writer = await asyncio.open_connection(sock=late)
    try:
        answer = await asyncio.wait_for(reader.read(), 5)
    except ConnectionResetError:
        answer = b""
    finally:
        writer.close()
    assert app.events[-1] == "lifespan.shutdown", app.events
    assert answer.startswith(b"HTTP/1.1 200") == ("request" in app.events), answer


async def test_cancelled_while_it_starts_it_leaves_no_task_of_its_own() -> None:
    """A caller that gives up on a server still starting (its app's startup hangs) is
    left with nothing of `serving()` still running."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await asyncio.Event().wait()  # a startup that never completes

    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.2), serving(app):
            pass
    await asyncio.sleep(0)
    pending = {task.get_coro().__qualname__ for task in asyncio.all_tasks()}  # type: ignore[union-attr]
    assert not pending & {"Server.serve", "Event.wait"}, pending


@pytest.mark.parametrize("fmt", ["text", "json"])
async def test_access_lines_are_written_and_the_request_token_redacted(
    service: Service,
    fmt: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
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
