"""Run an ASGI app on loopback inside the current event loop (demo, tests, benchmarks)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn

from embloy_ats.logs import server_log_config

#: how long an idle connection stays open, longer than its clients keep one for reuse
#: (httpx 5 s, load balancers 60 s): the server closing it first races a request sent on it.
KEEP_ALIVE_SECONDS = 75


def listening_socket(host: str, port: int) -> socket.socket:
    """A bound TCP socket whose connections send without delay.

    asyncio turns Nagle's algorithm off only on sockets whose protocol says TCP, and a
    socket made with protocol 0 does not; uvicorn writes a response's head and body
    separately, so with Nagle on, the body waits for the client's delayed ACK (~40 ms).
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # inherited by accept()
    sock.bind((host, port))
    return sock


@asynccontextmanager
async def serving(
    app: Any,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    log_level: str = "warning",
    access_log: bool = False,
) -> AsyncIterator[str]:
    """Serve `app` until the block ends; yields its base URL. The server logs as `serve`
    does (`server_log_config`); access lines need `log_level="info"`."""
    sock = listening_socket(host, port)
    config = uvicorn.Config(
        app,
        log_level=log_level,
        lifespan="on",
        access_log=access_log,
        log_config=server_log_config(),
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()  # raises why it could not start
            raise RuntimeError("the server stopped before it started; its log says why")
        await asyncio.sleep(0.01)
    try:
        yield f"http://{host}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        sock.close()
