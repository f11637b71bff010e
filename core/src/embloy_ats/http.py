"""The HTTP core: with the pools beneath it (the engine, or the one-shot pool of a command
that sends a request or two) and replay's transport, all that imports httpx.

Every connector's request goes through `HttpClient.request`, so every ATS gets the same
timeouts, deadline, body cap, redirect refusal, retry policy (stamina), Retry-After
handling, rate limiting, private-network guard and status-to-error mapping.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import math
import re
import time
import weakref
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
import stamina
from pydantic import JsonValue

from embloy_ats import metrics
from embloy_ats.clock import SYSTEM_CLOCK, Clock
from embloy_ats.errors import (
    DEFAULT_ERRORS,
    ConfigurationError,
    EmbloyAtsError,
    ErrorRules,
    PayloadError,
    RateLimited,
    UpstreamError,
    UpstreamTimeout,
    UpstreamUnavailable,
    error_for_status,
)
from embloy_ats.ratelimit import RateBudgetSpent, RateLimiter, RateLimitPolicy
from embloy_ats.validation import private_network_allowed
from embloy_ats.version import USER_AGENT

if TYPE_CHECKING:
    from embloy_ats.engine import EngineTransport
    from embloy_ats.oneshot import OneShotTransport

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
#: one part of a multipart body: the field name, then the file's name, bytes and media type.
FilePart = tuple[str, tuple[str, bytes, str]]
_REQUEST_ID_HEADERS = ("x-request-id", "x-amzn-requestid", "request-id", "cf-ray")
#: built once: a request copies these (a cheap list copy) instead of normalising them again,
#: which was a third of building a request.
_DEFAULT_HEADERS = httpx.Headers(
    {
        "User-Agent": USER_AGENT,
        "Accept": "application/json",
        "Accept-Encoding": "gzip, deflate",
    }
)
#: what a request's head can carry (RFC 9110): a header name of token characters, a value of
#: visible ASCII, spaces and tabs. Anything else would break the head: refused before any
#: pool sees it, so both refuse it alike.
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_HEADER_VALUE = re.compile(r"[\t\x20-\x7e]*")


@dataclass(frozen=True)
class Timeouts:
    connect: float = 5.0
    read: float = 10.0
    write: float = 10.0
    pool: float = 5.0
    #: one attempt, body included (a trickled body cannot hold us past this).
    attempt: float = 15.0


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3
    wait_initial: float = 0.2
    wait_max: float = 2.0
    wait_jitter: float = 0.2
    #: longest Retry-After we wait for; beyond it RateLimited is raised at once.
    max_retry_after: float = 10.0
    #: one logical request, every attempt, wait and body included: a candidate is never
    #: held longer than this.
    deadline: float = 30.0


@dataclass(frozen=True)
class RequestContext:
    """Who is asking: named in every error, and the key of the rate-limit bucket."""

    connector: str
    job_id: str | None = None
    rate_limit: RateLimitPolicy | None = None
    rate_limit_key: str = ""
    #: overrides the client's body cap (an ATS that answers a whole board at once).
    max_body_bytes: int | None = None
    #: what a final status means: the connector's entries over the core's table.
    errors: ErrorRules = field(default_factory=lambda: DEFAULT_ERRORS)


@dataclass(frozen=True)
class Response:
    status_code: int
    headers: Mapping[str, str]
    body: bytes
    #: path and query as sent (no host, no credentials): the key of `Job.raw`.
    path: str
    request_id: str | None = None
    elapsed: float = 0.0

    def json(self, ctx: RequestContext) -> JsonValue:
        text = self.body.lstrip()
        if text[:1] == b"<":
            raise self._unreadable(f"answered HTML instead of JSON (HTTP {self.status_code})", ctx)
        try:
            value: JsonValue = json.loads(self.body)
        except RecursionError:
            raise self._unreadable("answered JSON nested too deeply to read", ctx) from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            at = getattr(exc, "pos", getattr(exc, "start", "?"))
            raise self._unreadable(
                f"answered invalid JSON ({exc.__class__.__name__} at byte {at}; truncated body?)",
                ctx,
            ) from None
        if _SURROGATE_ESCAPE.search(self.body) and _has_lone_surrogate(value):
            # JSON may escape half a UTF-16 pair (`"\ud800"`); such a string validates but
            # can never be written out as UTF-8, so the job could not be stored.
            raise self._unreadable("answered JSON with an unpaired UTF-16 surrogate escape", ctx)
        return value

    def _unreadable(self, message: str, ctx: RequestContext) -> PayloadError:
        return PayloadError(
            message,
            connector=ctx.connector,
            job_id=ctx.job_id,
            status_code=self.status_code,
            request_id=self.request_id,
        )


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _has_lone_surrogate(value: JsonValue) -> bool:
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    except RecursionError:
        return False  # too deep to check here; the Job model refuses such depth anyway
    return False


class _Retryable(Exception):
    """A status worth another attempt; carries the wait the ATS asked for, if any."""

    def __init__(self, response: Response, retry_after: float | None) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response
        self.retry_after = retry_after


class _AttemptTimedOut(Exception):
    pass


class _DeadlinePassed(Exception):
    pass


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP-date."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def _rate_limit_reset(headers: Mapping[str, str]) -> float | None:
    """Seconds until the ATS's budget refills, when its headers say it is spent."""
    for prefix in ("x-ratelimit-", "ratelimit-", "x-rate-limit-"):
        remaining = headers.get(prefix + "remaining")
        if remaining is None:
            continue
        try:
            if float(remaining) > 0:
                return None
            reset = float(headers.get(prefix + "reset", "1"))
        except ValueError:
            return None
        if reset > 1e9:  # an epoch timestamp rather than a delta
            reset -= time.time()
        return max(0.0, reset) if math.isfinite(reset) else None
    return None


def _retry_decision(exc: Exception) -> bool | float:
    if isinstance(exc, _Retryable):
        return True if exc.retry_after is None else exc.retry_after
    return isinstance(exc, httpx.TransportError | _AttemptTimedOut)


def engine_transport(*, allow_private_network: bool, max_connections: int = 200) -> EngineTransport:
    """The httpx transport over the engine's pool (see `embloy_ats.engine`), imported with
    the first pool: what only describes or configures connectors never loads aiohttp."""
    from embloy_ats.engine import EngineTransport

    return EngineTransport(
        ssl_context=httpx.create_ssl_context(),
        max_connections=max_connections,
        keepalive_expiry=5.0,
        public_only=not allow_private_network,
    )


def one_shot_transport(
    *, allow_private_network: bool, max_connections: int = 10
) -> OneShotTransport:
    """The httpx transport over httpcore's pool, guarded as the engine's is (see
    `embloy_ats.oneshot`): for a command that sends a request or two and exits."""
    from embloy_ats.oneshot import OneShotTransport

    return OneShotTransport(
        ssl_context=httpx.create_ssl_context(),
        max_connections=max_connections,
        keepalive_expiry=5.0,
        public_only=not allow_private_network,
    )


#: Most bytes one step of decoding may produce; the body cap is checked between steps, so
#: a compression bomb is refused having produced at most the cap and one step.
_DECODE_STEP = 64 * 1024
#: Compressed input is fed in slices of this size, so the input zlib leaves over when a
#: step is full (copied on each step) stays small.
_DECODE_INPUT = 16 * 1024
#: Most Content-Encoding layers an answer may stack (we ask for one; urllib3 allows five):
#: each holds a zlib state and nests one more level of decoding, so a head listing
#: thousands would cost memory and end in a RecursionError.
_MAX_ENCODING_LAYERS = 5


class _Inflate:
    """One gzip or deflate layer of a Content-Encoding, undone in bounded steps."""

    def __init__(self, encoding: str) -> None:
        gzip = encoding in ("gzip", "x-gzip")
        self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16 if gzip else zlib.MAX_WBITS)
        #: "deflate" is zlib-wrapped by the standard, raw from some servers: tell by the start.
        self._may_be_raw = not gzip

    def feed(self, data: bytes) -> Iterator[bytes]:
        view = memoryview(data)
        for start in range(0, len(view), _DECODE_INPUT):
            pending: bytes | memoryview = view[start : start + _DECODE_INPUT]
            while True:
                try:
                    piece = self._zlib.decompress(pending, _DECODE_STEP)
                except zlib.error:
                    if not self._may_be_raw:
                        raise
                    self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                    piece = self._zlib.decompress(pending, _DECODE_STEP)
                self._may_be_raw = False
                if piece:
                    yield piece
                pending = self._zlib.unconsumed_tail
                # a full step may leave output behind even when all input is taken
                if not pending and len(piece) < _DECODE_STEP:
                    break

    def flush(self) -> bytes:
        return self._zlib.flush()  # small: `feed` drained every full step


class _Decoder:
    """A Content-Encoding undone layer by layer, each step's output bounded."""

    def __init__(self, layers: list[_Inflate]) -> None:
        self._layers = layers

    @classmethod
    def for_encodings(cls, encodings: list[str]) -> _Decoder | None:
        """None for a body sent as is; ValueError for an encoding we did not ask for, or
        more layers than `_MAX_ENCODING_LAYERS`."""
        layers = []
        for encoding in reversed([e.strip().lower() for e in encodings]):  # last applied first
            if encoding in ("gzip", "x-gzip", "deflate"):
                layers.append(_Inflate(encoding))
            elif encoding not in ("", "identity"):
                raise ValueError(encoding)
            if len(layers) > _MAX_ENCODING_LAYERS:
                raise ValueError("too many layers")
        return cls(layers) if layers else None

    def feed(self, data: bytes) -> Iterator[bytes]:
        return self._through(0, data)

    def flush(self) -> Iterator[bytes]:
        for index, layer in enumerate(self._layers):
            yield from self._through(index + 1, layer.flush())

    def _through(self, index: int, data: bytes) -> Iterator[bytes]:
        if index == len(self._layers):
            if data:
                yield data
            return
        for piece in self._layers[index].feed(data):
            yield from self._through(index + 1, piece)


@dataclass
class HttpClient:
    """One connection pool for every connector and tenant; share it (`default_http_client`).

    Requests go straight to the httpx transport: the client layer above it would add a
    cookie jar (which must stay empty: one pool serves every tenant), redirect and auth
    flows we do not use, and a second parse of every URL, all on the first-apply path.
    """

    timeouts: Timeouts = field(default_factory=Timeouts)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    max_body_bytes: int = 5 * 1024 * 1024
    allow_private_network: bool = field(default_factory=private_network_allowed)
    transport: httpx.AsyncBaseTransport | None = None
    clock: Clock = SYSTEM_CLOCK
    #: for a command that sends a request or two and exits: httpx's own pool (httpcore)
    #: beneath, which loads with httpx, not the engine (aiohttp), whose exchanges cost
    #: about half as much but whose import costs more than a few of them save.
    one_shot: bool = False
    limiter: RateLimiter = field(init=False, repr=False)
    _pool: httpx.AsyncBaseTransport | None = field(default=None, init=False, repr=False)
    _timeout: dict[str, float | None] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.limiter = RateLimiter(self.clock)
        t = self.timeouts
        timeout = httpx.Timeout(connect=t.connect, read=t.read, write=t.write, pool=t.pool)
        self._timeout = timeout.as_dict()

    def prepare(self) -> None:
        """Build the connection pool now, the network engine imported with it (~0.3 s of
        CPU): a long-running process does so as it starts, so that its first request, a
        candidate's first apply or a send booked for its turn, does not pay for it."""
        self._transport()

    def _transport(self) -> httpx.AsyncBaseTransport:
        if self._pool is None:
            # A transport handed in (replay, tests) reaches no network: no guard needed.
            pool = one_shot_transport if self.one_shot else engine_transport
            self._pool = self.transport or pool(allow_private_network=self.allow_private_network)
        return self._pool

    async def aclose(self) -> None:
        if self._pool is not None:
            await self._pool.aclose()
            self._pool = None

    async def request(
        self,
        method: str,
        url: str,
        ctx: RequestContext,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        form: Mapping[str, str | list[str]] | None = None,
        files: Sequence[FilePart] | None = None,
        ok_statuses: frozenset[int] = frozenset(),
    ) -> Response:
        """Send with retries; return a 2xx (or an `ok_statuses`) response, else a typed error.

        `form` alone is sent URL-encoded; with `files` both go as `multipart/form-data`. A
        list value is sent as the field repeated, once per item.
        """
        sent = httpx.Headers(_DEFAULT_HEADERS)
        if headers:
            for name, value in headers.items():
                if not (_HEADER_NAME.fullmatch(name) and _HEADER_VALUE.fullmatch(value)):
                    # the value is left out: it may be a credential, or a token an ATS issued
                    raise ConfigurationError(
                        f"cannot send the {name[:64]!r} header: HTTP cannot carry its "
                        "name or value (a control or non-ASCII character)",
                        connector=ctx.connector,
                        job_id=ctx.job_id,
                    )
            sent.update(headers)  # the caller's win, as in a dict merge
        if params and "?" not in url:
            # The query in the URL string: httpx parses the URL once instead of twice.
            url, params = f"{url}?{httpx.QueryParams(params)}", None
        try:
            request = httpx.Request(
                method,
                url,
                params=params,
                headers=sent,
                json=json_body,
                data=form,
                files=list(files) if files else None,
                extensions={"timeout": self._timeout},  # a dict of its own: layers may add
            )
        except (httpx.InvalidURL, UnicodeError) as exc:
            # UnicodeError: a host whose `xn--` label is not Punycode, which httpx decodes
            # for the Host header and lets idna's error through
            raise ConfigurationError(
                f"cannot request {url!r}: {exc}", connector=ctx.connector, job_id=ctx.job_id
            ) from None
        #: the failure whose retry is being waited for, when there is one
        waiting: list[Exception] = []
        deadline = asyncio.timeout(self.retry.deadline)
        try:
            try:
                async with deadline:
                    try:
                        # Most requests succeed at once: only a failure worth retrying pays
                        # for the retry machinery.
                        return await self._attempt(request, ctx, ok_statuses)
                    except Exception as first:
                        if self._decide(first, deadline) is False:  # a float, even 0.0, is a wait
                            raise
                        return await self._retry(
                            request, ctx, ok_statuses, first, deadline, waiting
                        )
            except TimeoutError:
                if not deadline.expired():
                    raise
                timed_out = (_AttemptTimedOut, httpx.TimeoutException)
                if waiting and not isinstance(waiting[0], timed_out):
                    raise waiting[0] from None  # cut during a wait: the answer waited on says most
                raise _DeadlinePassed from None
        except _Retryable as exc:
            raise self._exhausted(exc.response, exc.retry_after, ctx) from None
        except _DeadlinePassed:
            raise UpstreamTimeout(
                f"did not answer within the {self.retry.deadline:g} s deadline",
                connector=ctx.connector,
                job_id=ctx.job_id,
            ) from None
        except (_AttemptTimedOut, httpx.TimeoutException):
            raise UpstreamTimeout(
                "did not answer in time, after every allowed attempt",
                connector=ctx.connector,
                job_id=ctx.job_id,
            ) from None
        except httpx.TransportError as exc:
            raise UpstreamUnavailable(
                f"could not be reached ({exc.__class__.__name__})",
                connector=ctx.connector,
                job_id=ctx.job_id,
            ) from None
        except EmbloyAtsError as exc:
            if exc.connector is None:
                exc.connector, exc.job_id = ctx.connector, ctx.job_id
            raise

    async def _retry(
        self,
        request: httpx.Request,
        ctx: RequestContext,
        ok_statuses: frozenset[int],
        first: Exception,
        deadline: asyncio.Timeout,
        waiting: list[Exception],
    ) -> Response:
        """The attempts after a retryable `first` failure, scheduled by stamina.

        stamina's first attempt re-raises `first`, so its backoff, Retry-After waits,
        attempt count, hooks and testing mode all see the whole sequence. `waiting` holds
        the failure whose retry is being waited for (none while an attempt is under way).
        """

        def decide(exc: BaseException) -> bool | float:
            # stamina is asked about the deadline's cancellation too: never retried, and
            # not a failure to wait on
            if not isinstance(exc, Exception):
                return False
            waiting[:] = [exc]
            return self._decide(exc, deadline)

        failed: Exception | None = first
        async for attempt in stamina.retry_context(
            on=decide,
            attempts=self.retry.attempts,
            timeout=_left(deadline),
            wait_initial=self.retry.wait_initial,
            wait_max=self.retry.wait_max,
            wait_jitter=self.retry.wait_jitter,
        ):
            with attempt:
                if failed is not None:
                    failure, failed = failed, None
                    raise failure
                waiting.clear()
                metrics.UPSTREAM_RETRIES.labels(ctx.connector).inc()
                return await self._attempt(request, ctx, ok_statuses)
        raise AssertionError("unreachable: stamina re-raises the last failure")

    def _decide(self, exc: Exception, deadline: asyncio.Timeout) -> bool | float:
        decision = _retry_decision(exc)
        if isinstance(decision, float):
            wait = min(decision, self.retry.max_retry_after)
            # An ATS's wait that the deadline cannot afford: no attempt could follow it.
            return wait if wait < _left(deadline) else False
        return decision

    async def _attempt(
        self, request: httpx.Request, ctx: RequestContext, ok_statuses: frozenset[int]
    ) -> Response:
        if ctx.rate_limit is not None:
            bucket = self.limiter.bucket(ctx.rate_limit_key or ctx.connector, ctx.rate_limit)
            try:
                await bucket.acquire(max_wait=self.retry.max_retry_after)
            except RateBudgetSpent as spent:
                # Queueing longer than we would wait for an ATS's Retry-After only holds the
                # candidate (and a connection) hostage: say when to come back instead.
                raise RateLimited(
                    "is asked more often than this account's rate limit allows; the next "
                    f"request may go in {spent.wait:.0f} s",
                    retry_after=spent.wait,
                    connector=ctx.connector,
                    job_id=ctx.job_id,
                    status_code=None,
                ) from None
        started = time.perf_counter()
        metrics.UPSTREAM_REQUESTS.labels(ctx.connector).inc()
        try:
            async with asyncio.timeout(self.timeouts.attempt):
                response = await self._send(request, ctx, started)
        except TimeoutError:
            raise _AttemptTimedOut from None
        finally:
            metrics.UPSTREAM_SECONDS.labels(ctx.connector).observe(time.perf_counter() - started)
        if ctx.rate_limit is not None:
            reset = _rate_limit_reset(response.headers)
            if reset is not None:
                bucket = self.limiter.bucket(ctx.rate_limit_key or ctx.connector, ctx.rate_limit)
                bucket.pause(min(reset, self.retry.max_retry_after))
        status = response.status_code
        if 200 <= status < 300 or status in ok_statuses:
            return response
        if status in RETRY_STATUSES:
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            if retry_after is not None and retry_after > self.retry.max_retry_after:
                raise self._exhausted(response, retry_after, ctx)
            raise _Retryable(response, retry_after)
        raise self._final(response, ctx)

    async def _send(self, request: httpx.Request, ctx: RequestContext, started: float) -> Response:
        upstream = await self._transport().handle_async_request(request)
        headers = {key.lower(): value for key, value in upstream.headers.items()}
        try:
            body = await self._read_body(upstream, headers, ctx)
        finally:
            await upstream.aclose()
        return Response(
            upstream.status_code,
            headers,
            body,
            path=request.url.raw_path.decode("ascii", "replace"),
            request_id=next((headers[h] for h in _REQUEST_ID_HEADERS if h in headers), None),
            elapsed=time.perf_counter() - started,
        )

    async def _read_body(
        self, upstream: httpx.Response, headers: Mapping[str, str], ctx: RequestContext
    ) -> bytes:
        """The body, decoded; the cap bounds what is read and what decoding may produce.

        `headers` are the answer's, names lower-cased (repeated ones joined by commas)."""
        cap = ctx.max_body_bytes or self.max_body_bytes

        def refused(reason: str) -> PayloadError:
            return PayloadError(
                reason, connector=ctx.connector, job_id=ctx.job_id, status_code=upstream.status_code
            )

        too_large = f"answered more than {cap} bytes; refusing to read on"
        if upstream.is_stream_consumed:  # answered from memory (a replay), decoded already
            if len(upstream.content) > cap:
                raise refused(too_large)
            return upstream.content
        declared = headers.get("content-length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > cap:
            raise refused(too_large)
        encodings = headers.get("content-encoding", "").split(",")
        try:
            decoder = _Decoder.for_encodings(encodings)
        except ValueError:  # the encoding's name is the ATS's text: it stays out of the message
            raise refused("answered in a Content-Encoding we did not ask for") from None
        chunks: list[bytes] = []
        sent = size = 0
        # The transport's stream itself: httpx's `aiter_raw` wraps it in three more layers of
        # bookkeeping (~5 µs) that this loop does without; `_send` closes the response.
        stream = upstream.stream
        assert isinstance(stream, httpx.AsyncByteStream), "an async transport streams async"
        try:
            async for data in stream:
                sent += len(data)
                if sent > cap:
                    raise refused(too_large)
                for piece in (data,) if decoder is None else decoder.feed(data):
                    size += len(piece)
                    if size > cap:
                        raise refused(too_large)
                    chunks.append(piece)
            for piece in () if decoder is None else decoder.flush():
                size += len(piece)
                if size > cap:
                    raise refused(too_large)
                chunks.append(piece)
        except zlib.error:
            raise refused("answered a body that does not match its Content-Encoding") from None
        return b"".join(chunks)

    def _exhausted(
        self, response: Response, retry_after: float | None, ctx: RequestContext
    ) -> UpstreamError:
        if response.status_code == 429:
            wait = f"; it asks us to wait {retry_after:.0f} s" if retry_after is not None else ""
            return RateLimited(
                f"is rate-limiting us (HTTP 429){wait}",
                retry_after=retry_after,
                connector=ctx.connector,
                job_id=ctx.job_id,
                request_id=response.request_id,
            )
        if response.status_code == 408:
            return UpstreamTimeout(
                "timed out on its side (HTTP 408), after every allowed attempt",
                connector=ctx.connector,
                job_id=ctx.job_id,
                status_code=408,
                request_id=response.request_id,
            )
        return UpstreamUnavailable(
            f"kept failing (HTTP {response.status_code}), after every allowed attempt",
            connector=ctx.connector,
            job_id=ctx.job_id,
            status_code=response.status_code,
            request_id=response.request_id,
        )

    def _final(self, response: Response, ctx: RequestContext) -> EmbloyAtsError:
        return error_for_status(
            response.status_code,
            ctx.errors,
            connector=ctx.connector,
            job_id=ctx.job_id,
            request_id=response.request_id,
        )


def _left(deadline: asyncio.Timeout) -> float:
    """Seconds until `deadline` (scheduled when entered)."""
    when = deadline.when()
    return math.inf if when is None else when - asyncio.get_running_loop().time()


_default_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, HttpClient] = (
    weakref.WeakKeyDictionary()
)


def default_http_client() -> HttpClient:
    """The process's shared client for the running event loop (connections are per loop)."""
    loop = asyncio.get_running_loop()
    client = _default_clients.get(loop)
    if client is None:
        client = _default_clients[loop] = HttpClient()
    return client


def local_client(base_url: str) -> httpx.AsyncClient:
    """A plain client for a service on this machine (the demo plays the partner backend
    and the candidate's browser against its own service). Made here, as every HTTP client
    is; it reads no proxy from the environment: loopback is never behind one."""
    return httpx.AsyncClient(base_url=base_url, timeout=30, trust_env=False)
