"""The in-process runner (demo, tests, benchmarks): its connections send at once."""

from __future__ import annotations

import asyncio
import socket

from embloy_ats.service.runner import listening_socket


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
