"""Run an ASGI app on loopback inside the current event loop (demo, tests, benchmarks)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn


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
async def serving(app: Any, *, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
    """Serve `app` until the block ends; yields its base URL."""
    sock = listening_socket(host, port)
    config = uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()  # raises why it could not start
        await asyncio.sleep(0.01)
    try:
        yield f"http://{host}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        sock.close()
