"""The pool for a command that sends a request or two and exits: httpx's own, httpcore's.

`embloy-ats fetch` runs one fetch in a new process. There the engine (aiohttp, see
`embloy_ats.engine`) costs more to import (aiohttp, its parser and the TLS contexts it builds
as it loads: about 0.1 s) than it saves on a few requests, while httpcore comes with httpx.
`OneShotTransport` is the httpx transport over an `httpcore.AsyncConnectionPool`, held to
what the engine guarantees `HttpClient`: a host that is private, or that resolves to a
private address, is refused before anything is connected (the same checks, from
`embloy_ats.validation`), and the pool connects to exactly the addresses checked; bodies
arrive as sent (decoded and capped by `HttpClient`); redirects are not followed and no
cookie is kept (a transport does neither); a request is sent once per attempt (httpcore
resends nothing: `retries=0`); each failure is the httpx error of its kind.

vcrpy does not record this transport (it patches httpx's own transports and aiohttp's
session): recordings are made over the engine, the default.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from collections.abc import AsyncIterator, Iterable

import httpcore
import httpx

from embloy_ats.validation import refuse_private_answer, refuse_private_host

#: each httpcore failure as the httpx error of the same name (as httpx's own transport maps
#: them), which `HttpClient` turns into a typed error; and the one failure httpcore lets
#: through unmapped: a TLS record that does not decrypt once the handshake is done (anyio
#: raises `ssl.SSLError` from a read or write on the TLS stream), a connection lost.
_ERRORS: dict[type[Exception], type[httpx.TransportError]] = {
    ssl.SSLError: httpx.ReadError,
    httpcore.ConnectTimeout: httpx.ConnectTimeout,
    httpcore.ReadTimeout: httpx.ReadTimeout,
    httpcore.WriteTimeout: httpx.WriteTimeout,
    httpcore.PoolTimeout: httpx.PoolTimeout,
    httpcore.ConnectError: httpx.ConnectError,
    httpcore.ReadError: httpx.ReadError,
    httpcore.WriteError: httpx.WriteError,
    httpcore.RemoteProtocolError: httpx.RemoteProtocolError,
    httpcore.LocalProtocolError: httpx.LocalProtocolError,
    httpcore.UnsupportedProtocol: httpx.UnsupportedProtocol,
}
_HTTPCORE_ERRORS = tuple(_ERRORS)


class PublicOnlyBackend(httpcore.AsyncNetworkBackend):
    """Resolves a host, refuses it unless every address is public, then connects to those
    addresses (in the order answered, the first that takes the connection) and no other.

    The connect timeout bounds resolving and connecting together."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        ends = None if timeout is None else loop.time() + timeout
        try:
            async with asyncio.timeout_at(ends):
                found = await self.resolve(host, port)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"resolving {host!r} took too long") from None
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        refuse_private_answer(host, found)  # an empty answer too
        *first, last = dict.fromkeys(found)
        for address in first:
            with contextlib.suppress(httpcore.ConnectError):  # then the next address
                return await self._connect(address, port, ends, local_address, socket_options)
        return await self._connect(last, port, ends, local_address, socket_options)

    async def _connect(
        self,
        address: str,
        port: int,
        ends: float | None,
        local_address: str | None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None,
    ) -> httpcore.AsyncNetworkStream:
        left = None if ends is None else ends - asyncio.get_running_loop().time()
        if left is not None and left <= 0:
            raise httpcore.ConnectTimeout("the connect timeout passed")
        return await self._inner.connect_tcp(address, port, left, local_address, socket_options)

    async def resolve(self, host: str, port: int) -> list[str]:
        """The addresses `host` resolves to, as aiohttp's resolver asks for them."""
        answers = await asyncio.get_running_loop().getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_ADDRCONFIG
        )
        return [str(sockaddr[0]) for _, _, _, _, sockaddr in answers]

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class OneShotTransport(httpx.AsyncBaseTransport):
    """httpx's transport interface over one httpcore pool (HTTP/1.1) per event loop,
    guarded as the engine is."""

    def __init__(
        self,
        *,
        ssl_context: ssl.SSLContext,
        max_connections: int,
        keepalive_expiry: float,
        public_only: bool,
    ) -> None:
        self._ssl = ssl_context
        self._limit = max_connections
        self._keepalive = keepalive_expiry
        self._public_only = public_only
        self._pool: httpcore.AsyncConnectionPool | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _open(self) -> httpcore.AsyncConnectionPool:
        pool, loop = self._pool, asyncio.get_running_loop()
        if pool is None or self._loop is not loop:
            # A pool (its connections) belongs to one event loop: a client used again
            # under another one (a second `asyncio.run`) starts a new pool there.
            self._loop = loop
            pool = self._pool = httpcore.AsyncConnectionPool(
                ssl_context=self._ssl,
                max_connections=self._limit,
                keepalive_expiry=self._keepalive,
                network_backend=PublicOnlyBackend() if self._public_only else None,
            )
        return pool

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        target = request.url
        if self._public_only:
            refuse_private_host(target.raw_host.decode("ascii"))
        sent = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=target.raw_scheme,
                host=target.raw_host,
                port=target.port,
                target=target.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        try:
            response = await self._open().handle_async_request(sent)
        except _HTTPCORE_ERRORS as exc:
            raise _httpx_error(exc, request) from exc
        return httpx.Response(
            response.status,
            headers=response.headers,
            stream=_Body(response, request),
            request=request,
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.aclose()


class _Body(httpx.AsyncByteStream):
    """A response body as httpx streams it: bytes as they arrive (still encoded)."""

    def __init__(self, response: httpcore.Response, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.aiter_stream():
                yield chunk
        except _HTTPCORE_ERRORS as exc:
            raise _httpx_error(exc, self._request) from exc

    async def aclose(self) -> None:
        await self._response.aclose()


def _httpx_error(exc: Exception, request: httpx.Request) -> httpx.TransportError:
    """The httpx exception for an httpcore one."""
    kind = next(to for source, to in _ERRORS.items() if isinstance(exc, source))
    return kind(str(exc) or type(exc).__name__, request=request)
