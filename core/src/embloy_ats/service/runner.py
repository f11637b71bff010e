"""Run an ASGI app on loopback inside the current event loop (demo, tests, benchmarks)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any

import uvicorn

from embloy_ats.logs import server_log_config

#: how long an idle connection stays open, longer than its clients keep one for reuse
#: (httpx 5 s, load balancers 60 s): the server closing it first races a request sent on it.
KEEP_ALIVE_SECONDS = 75


class _Server(uvicorn.Server):
    """uvicorn's server, which says at once that it listens and stops as soon as told.

    uvicorn looks at `should_exit` every 0.1 s and, as it shuts down, sleeps 0.1 s so that
    open connections can take their shutdown: a stop cost ~0.2 s even with nothing open,
    paid by the demo, the worker's metrics endpoint and each fake server a test starts.
    """

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.listening = asyncio.Event()
        self._stopping = asyncio.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self.listening.set()

    def stop(self) -> None:
        self.should_exit = True
        self._stopping.set()

    async def main_loop(self) -> None:
        # uvicorn's loop (`on_tick` every 0.1 s keeps the Date header current), woken at once
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864_000
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), 0.1)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        # A connection accepted just before is not counted yet: asyncio makes its transport
        # in a task of its own, whose protocol starts (and counts itself) a turn later.
        for _ in range(2):
            await asyncio.sleep(0)
        # A request whose client left still runs, as a task without a connection.
        if self.server_state.connections or self.server_state.tasks:
            await super().shutdown(sockets)  # they are asked to close, and awaited
            return
        for server in self.servers:
            await server.wait_closed()
        await self.lifespan.shutdown()


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


@contextlib.asynccontextmanager
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
    server = _Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    listening = asyncio.create_task(server.listening.wait())
    try:
        await asyncio.wait((task, listening), return_when=asyncio.FIRST_COMPLETED)
    except BaseException:  # cancelled while it starts: nothing of it is left running
        task.cancel()
        await asyncio.wait((task,))
        raise
    finally:
        listening.cancel()
    if not server.listening.is_set():
        task.result()  # raises why it could not start
        raise RuntimeError("the server stopped before it started; its log says why")
    try:
        yield f"http://{host}:{sock.getsockname()[1]}"
    finally:
        server.stop()
        await task
        sock.close()
