"""The network engine: an httpx transport over aiohttp's connection pool and C HTTP/1.1 parser.

httpx stays the interface: `HttpClient` builds `httpx.Request`s, reads `httpx.Response`s and
maps httpx's errors. Beneath it, `EngineTransport` (an `httpx.AsyncBaseTransport`) sends
each request through a public `aiohttp.ClientSession`. httpcore's pure-Python parser and its
anyio stream and lock wrappers were a third of a first apply at zero ATS latency, and an
exchange through aiohttp costs about half as much (benchmarks/RESULTS.md).

The transport is ours rather than httpx-aiohttp's `AiohttpTransport` (0.2.0), which maps
a connection the ATS closed unanswered to `httpx.ConnectTimeout` (a "timeout" for what is
a refusal), lets aiohttp's error for a status line that is not HTTP escape as it is, and
keeps the session of the first event loop it ran on (a second `asyncio.run` fails): a
wrapper correcting those would be longer than this transport.

It leaves to `HttpClient` what httpx's client layer would do: bodies arrive as sent
(Content-Encoding is decoded there, in bounded steps, where the body cap applies),
redirects are not followed, no cookie is ever kept, and aiohttp never resends a request
on its own (the retry policy counts every attempt an ATS sees).

vcrpy patches aiohttp's session, not this transport: a recording holds each request once.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import AsyncIterator

import aiohttp
import httpx
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from embloy_ats.validation import refuse_private_answer, refuse_private_host

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
        refuse_private_answer(host, (str(entry["host"]) for entry in found))
        return found

    async def close(self) -> None:
        await self._inner.close()


class ConnectionLost(aiohttp.ClientConnectionError):
    """The connection was reset or closed before the answer's head arrived."""


async def _no_resend(
    request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
) -> aiohttp.ClientResponse:
    """A session middleware: aiohttp resends an idempotent request once when the connection
    is reset or closed before the answer; raising our own error in place of those two stops
    it, so each attempt the retry policy makes reaches the ATS once."""
    try:
        return await handler(request)
    except aiohttp.ClientConnectorError:
        raise  # the connection never opened: aiohttp does not resend that either
    except (aiohttp.ClientOSError, aiohttp.ServerDisconnectedError) as exc:
        raise ConnectionLost(str(exc) or type(exc).__name__) from exc


class EngineTransport(httpx.AsyncBaseTransport):
    """httpx's transport interface over one aiohttp session per event loop."""

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
        self._timeouts: dict[tuple[tuple[str, float | None], ...], aiohttp.ClientTimeout] = {}

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
                middlewares=(_no_resend,),
            )
        return session

    def _timeout(self, timeouts: dict[str, float | None]) -> aiohttp.ClientTimeout:
        key = tuple(sorted(timeouts.items()))
        found = self._timeouts.get(key)
        if found is None:
            connect, pool = timeouts.get("connect"), timeouts.get("pool")
            found = self._timeouts[key] = aiohttp.ClientTimeout(
                total=None,  # the client's attempt timeout and deadline bound the whole
                connect=None if connect is None or pool is None else connect + pool,
                sock_connect=connect,
                sock_read=timeouts.get("read"),
            )
        return found

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        target = request.url
        host = target.raw_host.decode("ascii")
        if self._public_only:
            refuse_private_host(host)
        # Built from the parts httpx has already encoded (credentials in the URL are not
        # sent: aiohttp would turn them into an Authorization header).
        netloc = f"[{host}]" if ":" in host else host
        if target.port is not None:
            netloc = f"{netloc}:{target.port}"
        url = URL(f"{target.scheme}://{netloc}{target.raw_path.decode('ascii')}", encoded=True)
        body = await request.aread()
        try:
            response = await self._open().request(
                request.method,
                url,
                headers=[
                    (k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw
                ],
                data=body or None,
                allow_redirects=False,
                timeout=self._timeout(request.extensions.get("timeout", {})),
            )
        except aiohttp.ClientError as exc:
            raise _httpx_error(exc, request) from exc
        return httpx.Response(
            response.status,
            headers=list(response.raw_headers),
            stream=_Body(response, request),
            request=request,
            extensions={
                "http_version": b"HTTP/1.1",
                "reason_phrase": (response.reason or "").encode("latin-1", "replace"),
            },
        )

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()


class _Body(httpx.AsyncByteStream):
    """A response body as httpx streams it: bytes as they arrive (still encoded)."""

    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_any():
                yield chunk
        except aiohttp.ClientError as exc:
            raise _httpx_error(exc, self._request) from exc

    async def aclose(self) -> None:
        # A body not read to its end closes the connection instead of returning it.
        self._response.release()


def _httpx_error(exc: aiohttp.ClientError, request: httpx.Request) -> httpx.TransportError:
    """The httpx exception for an aiohttp one."""
    message = str(exc) or type(exc).__name__
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout(message, request=request)
    if isinstance(exc, asyncio.TimeoutError):  # a read that waited too long
        return httpx.ReadTimeout(message, request=request)
    if isinstance(exc, aiohttp.ClientConnectorError):
        return httpx.ConnectError(message, request=request)
    if isinstance(exc, aiohttp.ClientPayloadError | aiohttp.ClientResponseError):
        # a body cut short, or a status line or header that is not HTTP
        return httpx.RemoteProtocolError(message, request=request)
    return httpx.ReadError(message, request=request)  # a connection reset or lost
