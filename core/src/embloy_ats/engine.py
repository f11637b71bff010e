"""The network engine under httpx: aiohttp's connection pool and C HTTP/1.1 parser.

httpx stays the interface: `HttpClient` builds `httpx.Request`s, reads `httpx.Response`s,
maps `httpx` errors, and `httpx.AsyncHTTPTransport` stays the layer vcrpy records and
replays. Only the pool beneath that transport is replaced: httpcore's pure-Python HTTP
parser and its anyio stream and lock wrappers were a third of a first apply at zero ATS
latency, and an exchange through aiohttp costs about half as much (benchmarks/RESULTS.md).

This pool speaks httpcore's interface (`handle_async_request(httpcore.Request)`) and
raises httpcore's exceptions, which the transport turns into httpx's. It leaves what
httpx does to httpx: bodies arrive as sent (Content-Encoding is decoded by httpx, where
the body cap applies), redirects are not followed, and no cookie is ever kept.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import httpcore
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from embloy_ats.errors import ConfigurationError
from embloy_ats.validation import PRIVATE_NETWORK_HINT, is_private_address, is_private_host

# Taken before any test or recording patches aiohttp: vcrpy records and replays at the
# httpx transport above this pool, and would otherwise record every request twice.
_SESSION_REQUEST = aiohttp.ClientSession._request
_MAX_HEADER_BYTES = 64 * 1024


class PublicOnlyResolver(AbstractResolver):
    """Resolves a host and answers only if every address is public.

    aiohttp connects to exactly the addresses answered here, so a DNS answer that changes
    between the check and the connect (rebinding) cannot slip through.
    """

    def __init__(self, inner: AbstractResolver | None = None) -> None:
        self._inner = inner or aiohttp.ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self._inner.resolve(host, port, family)
        if not found or any(is_private_address(str(entry["host"])) for entry in found):
            raise ConfigurationError(
                f"refusing to connect to {host!r}: it resolves privately", hint=PRIVATE_NETWORK_HINT
            )
        return found

    async def close(self) -> None:
        await self._inner.close()


class AiohttpPool:
    """httpcore's pool interface over one aiohttp session per event loop."""

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
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timeouts: dict[tuple[Any, ...], aiohttp.ClientTimeout] = {}

    def _open(self) -> aiohttp.ClientSession:
        session, loop = self._session, asyncio.get_running_loop()
        if session is None or session.closed or self._loop is not loop:
            # A session (its connections) belongs to one event loop: a client used again
            # under another one (a second `asyncio.run`) starts a new session there.
            self._loop = loop
            connector = aiohttp.TCPConnector(
                limit=self._limit,
                keepalive_timeout=self._keepalive,
                ssl=self._ssl,
                resolver=PublicOnlyResolver() if self._public_only else None,
            )
            session = self._session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),  # one pool serves every tenant
                auto_decompress=False,
                # aiohttp's default refuses a header line over 8 KiB; a CDN's CSP header can
                # be longer. Bound it as httpcore did (h11: 100 KiB for the whole head).
                max_line_size=_MAX_HEADER_BYTES,
                max_field_size=_MAX_HEADER_BYTES,
            )
        return session

    def _timeout(self, timeouts: dict[str, float | None]) -> aiohttp.ClientTimeout:
        key = tuple(sorted(timeouts.items()))
        found = self._timeouts.get(key)
        if found is None:
            connect, pool = timeouts.get("connect"), timeouts.get("pool")
            found = self._timeouts[key] = aiohttp.ClientTimeout(
                total=None,  # the attempt's own deadline bounds the whole exchange
                connect=None if connect is None or pool is None else connect + pool,
                sock_connect=connect,
                sock_read=timeouts.get("read"),
            )
        return found

    async def handle_async_request(self, request: httpcore.Request) -> httpcore.Response:
        target = request.url
        host = target.host.decode("ascii")
        if self._public_only and is_private_host(host):
            raise ConfigurationError(
                f"refusing to connect to private host {host!r}", hint=PRIVATE_NETWORK_HINT
            )
        netloc = f"[{host}]" if ":" in host else host
        if target.port is not None:
            netloc = f"{netloc}:{target.port}"
        url = URL(
            f"{target.scheme.decode('ascii')}://{netloc}{target.target.decode('ascii')}",
            encoded=True,
        )
        body = b"".join([chunk async for chunk in request.stream])  # type: ignore[union-attr]
        timeouts = request.extensions.get("timeout", {})
        try:
            response = await _SESSION_REQUEST(
                self._open(),
                request.method.decode("ascii"),
                url,
                headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers],
                data=body or None,
                allow_redirects=False,
                timeout=self._timeout(timeouts),
            )
        except aiohttp.ClientError as exc:
            raise _httpcore_error(exc) from exc
        return httpcore.Response(
            response.status,
            headers=list(response.raw_headers),
            content=_Body(response),
            extensions={
                "http_version": b"HTTP/1.1",
                "reason_phrase": (response.reason or "").encode("latin-1", "replace"),
            },
        )

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def __aenter__(self) -> AiohttpPool:  # `async with transport:` enters the pool
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


class _Body:
    """A response body as httpcore streams it: bytes as they arrive, then `aclose`."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_any():
                yield chunk
        except aiohttp.ClientError as exc:
            raise _httpcore_error(exc) from exc

    async def aclose(self) -> None:
        # A body not read to its end closes the connection instead of returning it.
        self._response.release()


def _httpcore_error(exc: aiohttp.ClientError) -> Exception:
    """The httpcore exception for an aiohttp one (httpx maps it on to its own)."""
    message = str(exc) or type(exc).__name__
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return httpcore.ConnectTimeout(message)
    if isinstance(exc, asyncio.TimeoutError):  # a read that waited too long
        return httpcore.ReadTimeout(message)
    if isinstance(exc, aiohttp.ClientConnectorError):
        return httpcore.ConnectError(message)
    if isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError):
        return httpcore.RemoteProtocolError(message)
    if isinstance(exc, aiohttp.ClientResponseError):  # a status line or header not HTTP
        return httpcore.RemoteProtocolError(message)
    return httpcore.ReadError(message)  # a connection reset or lost mid-exchange
