"""The pools beneath the HTTP core, over real loopback sockets: what goes on the wire, what
comes back, and which typed error each broken answer becomes. The network engine (aiohttp's
pool) and the one-shot pool (httpx's own, for a command that sends a request or two) are
held to the same tests."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import ipaddress
import socket
import ssl
import struct
import sys
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpcore
import httpx
import pytest
import vcr  # type: ignore[import-untyped]  # vcrpy ships no type information
import yaml
from aiohttp.abc import AbstractResolver, ResolveResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from embloy_ats import (
    ConfigurationError,
    HttpClient,
    PayloadError,
    UnexpectedRedirect,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from embloy_ats.engine import EngineTransport, PublicOnlyResolver
from embloy_ats.http import (
    RequestContext,
    RetryPolicy,
    Timeouts,
    engine_transport,
    one_shot_transport,
)
from embloy_ats.oneshot import OneShotTransport, PublicOnlyBackend

CTX = RequestContext(connector="fake", job_id="1")
ONCE = RetryPolicy(attempts=1)
Answer = Callable[[bytes], bytes | None]


def answer(status: str, body: bytes = b"{}", **headers: str) -> bytes:
    lines = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class Seen(list[bytes]):
    """The requests a server read, and how many connections it accepted."""

    connections = 0


@contextlib.asynccontextmanager
async def server(reply: Answer, *, close: bool = False) -> AsyncIterator[tuple[str, Seen]]:
    """A raw HTTP/1.1 server on 127.0.0.1: `reply(request)` is written back as is (None:
    answer nothing and hold the connection), then the connection is closed if `close`.
    Yields its origin and the requests seen."""
    heads = Seen()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        heads.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    (int(line.split(b":")[1]) for line in head.lower().split(b"\r\n")
                     if line.startswith(b"content-length:")),
                    0,
                )  # fmt: skip
                head += await reader.readexactly(length)
                heads.append(head)
                raw = reply(head)
                if raw is None:
                    await asyncio.sleep(30)
                    return
                writer.write(raw)
                await writer.drain()
                if close:
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    listening = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", heads
    finally:
        listening.close()


@pytest.fixture(params=[False, True], ids=["engine", "one-shot"])
def one_shot(request: pytest.FixtureRequest) -> bool:
    """Each pool beneath the HTTP core: the engine's, and the one-shot commands'."""
    return bool(request.param)


@contextlib.asynccontextmanager
async def client(**kwargs: Any) -> AsyncIterator[HttpClient]:
    kwargs.setdefault("retry", ONCE)
    http = HttpClient(allow_private_network=True, **kwargs)
    try:
        yield http
    finally:
        await http.aclose()


def header_names(head: bytes) -> list[str]:
    lines = head.split(b"\r\n\r\n")[0].split(b"\r\n")[1:]
    return sorted(line.split(b":")[0].decode().lower() for line in lines)


async def test_only_our_headers_go_on_the_wire(one_shot: bool) -> None:
    async with (
        server(lambda head: answer("200 OK")) as (origin, heads),
        client(one_shot=one_shot) as http,
    ):
        await http.request("GET", f"{origin}/jobs/1?a=b%20c", CTX, headers={"X-Api-Key": "k"})
        await http.request("POST", f"{origin}/token", CTX, json_body={"grant": "x"})
    get, post = heads
    assert get.startswith(b"GET /jobs/1?a=b%20c HTTP/1.1\r\n")
    assert header_names(get) == ["accept", "accept-encoding", "host", "user-agent", "x-api-key"]
    assert header_names(post) == [
        "accept", "accept-encoding", "content-length", "content-type", "host", "user-agent",
    ]  # fmt: skip
    assert post.endswith(b'{"grant":"x"}')


async def test_connections_are_reused(one_shot: bool) -> None:
    async with (
        server(lambda head: answer("200 OK")) as (origin, heads),
        client(one_shot=one_shot) as http,
    ):
        for n in range(5):
            await http.request("GET", f"{origin}/jobs/{n}", CTX)
    assert (len(heads), heads.connections) == (5, 1)


class ImportsSought(list[str]):
    """A finder first on `sys.meta_path`: each module an import looks for, found or not."""

    def find_spec(self, name: str, *_: object) -> None:
        self.append(name)


async def test_a_request_imports_nothing(one_shot: bool) -> None:
    """Once a pool has served a request, the next ones import nothing. httpcore's async pool
    imports sniffio on every request: where it is missing, each request searched every
    directory on `sys.path` for it (about 0.3 ms)."""
    sought = ImportsSought()
    async with (
        server(lambda head: answer("200 OK")) as (origin, _),
        client(one_shot=one_shot) as http,
    ):
        await http.request("GET", f"{origin}/jobs/0", CTX)
        sys.meta_path.insert(0, sought)
        try:
            for n in range(1, 4):
                await http.request("GET", f"{origin}/jobs/{n}", CTX)
        finally:
            sys.meta_path.remove(sought)
    assert sought == []


async def test_the_transport_serves_an_httpx_client(one_shot: bool) -> None:
    """Each pool is a whole httpx transport: `async with` a client enters it."""
    pool = one_shot_transport if one_shot else engine_transport
    transport = pool(allow_private_network=True, max_connections=4)
    async with (
        server(lambda head: answer("200 OK", b'{"ok": 1}')) as (origin, _),
        httpx.AsyncClient(transport=transport) as web,
    ):
        assert (await web.get(f"{origin}/x")).json() == {"ok": 1}


async def test_a_gzip_body_is_decoded_once_and_capped_as_decoded(one_shot: bool) -> None:
    packed = gzip.compress(b'{"title": "Engineer"}')
    bomb = gzip.compress(b" " * 50_000)

    def reply(head: bytes) -> bytes:
        body = bomb if b"/bomb" in head else packed
        return answer("200 OK", body, Content_Encoding="gzip")

    async with (
        server(reply) as (origin, _),
        client(one_shot=one_shot, max_body_bytes=10_000) as http,
    ):
        response = await http.request("GET", f"{origin}/jobs/1", CTX)
        assert response.json(CTX) == {"title": "Engineer"}
        with pytest.raises(PayloadError, match="more than 10000 bytes"):
            await http.request("GET", f"{origin}/bomb", CTX)


def deflated(data: bytes, wbits: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(
    ("encoding", "wbits"),
    [("gzip", 16 + zlib.MAX_WBITS), ("deflate", zlib.MAX_WBITS), ("deflate", -zlib.MAX_WBITS)],
)
async def test_a_compression_bomb_is_refused_holding_about_the_cap(
    one_shot: bool, encoding: str, wbits: int
) -> None:
    """64 KiB that inflate to 64 MiB, against a 1 MiB cap: the cap is checked while
    decoding, step by step, so what is held at any moment stays near the cap (a chunk
    decoded whole first would be tens of MiB)."""
    cap = 1024 * 1024
    bomb = deflated(bytes(64 * cap), wbits)
    small = answer("200 OK", deflated(b"{}", wbits), Content_Encoding=encoding)
    reply = answer("200 OK", bomb, Content_Encoding=encoding)

    def serve(head: bytes) -> bytes:
        return reply if b"/bomb" in head else small

    async with server(serve) as (origin, _), client(one_shot=one_shot, max_body_bytes=cap) as http:
        # the first request opens the connection and imports what it needs: not measured
        assert (await http.request("GET", f"{origin}/warm", CTX)).json(CTX) == {}
        tracemalloc.start()
        try:
            with pytest.raises(PayloadError, match=f"more than {cap} bytes"):
                await http.request("GET", f"{origin}/bomb", CTX)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 3 * cap, f"peak {peak / cap:.1f} MiB against a 1 MiB cap"


async def test_a_long_header_line_is_read(one_shot: bool) -> None:
    """A content-security-policy header of a CDN can be longer than aiohttp's 8 KiB."""
    policy = "default-src 'self'; " + "img-src https://cdn.example; " * 700  # ~20 KiB
    reply = answer("200 OK", Content_Security_Policy=policy)
    async with server(lambda head: reply) as (origin, _), client(one_shot=one_shot) as http:
        response = await http.request("GET", f"{origin}/jobs/1", CTX)
    assert response.headers["content-security-policy"] == policy.strip()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("Authorization", "Bearer t\r\nX-Injected: 1"),
        ("Authorization", "Bearer t\nX-Injected: 1"),
        ("Authorization", "Bearer t\x00"),
        ("Authorization", "Bearer t\u00e9"),
        ("X-Api\r\nKey", "k"),
    ],
    ids=["crlf", "lf", "nul", "non-ascii", "name"],
)
async def test_a_header_http_cannot_carry_is_refused_before_connecting(
    one_shot: bool, name: str, value: str
) -> None:
    """A credential, or a token an ATS handed out, that would break the request's head:
    refused alike beneath either pool, nothing connected, and the value left out of the
    message (it may be a secret)."""
    async with (
        server(lambda head: answer("200 OK")) as (origin, heads),
        client(one_shot=one_shot, retry=RetryPolicy(attempts=3)) as http,
    ):
        with pytest.raises(ConfigurationError, match="cannot send") as caught:
            await http.request("GET", f"{origin}/jobs/1", CTX, headers={name: value})
    assert heads.connections == 0
    assert "Bearer" not in caught.value.message


async def test_a_redirect_is_not_followed(one_shot: bool) -> None:
    reply = answer("302 Found", Location="/elsewhere")
    async with server(lambda head: reply) as (origin, heads), client(one_shot=one_shot) as http:
        with pytest.raises(UnexpectedRedirect):
            await http.request("GET", f"{origin}/jobs/1", CTX)
    assert len(heads) == 1


async def test_no_cookie_is_kept_between_requests(one_shot: bool) -> None:
    reply = answer("200 OK", Set_Cookie="session=tenant-a; Path=/")
    async with server(lambda head: reply) as (origin, heads), client(one_shot=one_shot) as http:
        await http.request("GET", f"{origin}/jobs/1", CTX)
        await http.request("GET", f"{origin}/jobs/2", CTX)
    assert b"cookie" not in heads[1].lower()


async def test_a_truncated_body_is_upstream_unavailable(one_shot: bool) -> None:
    short = answer("200 OK", b'{"title": "Engineer"}')[:-4]  # Content-Length promises more
    async with (
        server(lambda head: short, close=True) as (origin, _),
        client(one_shot=one_shot) as http,
    ):
        with pytest.raises(UpstreamUnavailable):
            await http.request("GET", f"{origin}/jobs/1", CTX)


async def test_an_answer_that_never_comes_is_a_timeout(one_shot: bool) -> None:
    timeouts = Timeouts(read=0.2, attempt=5.0)
    async with (
        server(lambda head: None) as (origin, _),
        client(one_shot=one_shot, timeouts=timeouts) as http,
    ):
        with pytest.raises(UpstreamTimeout):
            await http.request("GET", f"{origin}/jobs/1", CTX)


@pytest.mark.parametrize(
    ("attempt", "attempts"),
    [(3.0, 1), (0.6, 2)],
    ids=["cut-in-the-first-attempt", "cut-in-a-retry"],
)
async def test_the_deadline_covers_every_attempt_and_a_trickled_body(
    one_shot: bool, attempt: float, attempts: int
) -> None:
    """An ATS that trickles its body (a byte every 50 ms, so no read ever times out) holds
    a candidate no longer than the retry deadline, whichever attempt it falls in: the first
    counts too, and an attempt under way when it passes is cut."""
    seen: list[float] = []

    async def trickle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            await reader.readuntil(b"\r\n\r\n")
            seen.append(time.monotonic())
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10000\r\n\r\n")
            for _ in range(10000):
                writer.write(b" ")
                await writer.drain()
                await asyncio.sleep(0.05)
        writer.close()

    listening = await asyncio.start_server(trickle, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    timeouts = Timeouts(read=1.0, attempt=attempt)
    policy = RetryPolicy(attempts=3, deadline=1.0)
    try:
        async with client(one_shot=one_shot, timeouts=timeouts, retry=policy) as http:
            started = time.monotonic()
            with pytest.raises(UpstreamTimeout) as caught:
                await http.request("GET", f"http://127.0.0.1:{port}/jobs/1", CTX)
            held = time.monotonic() - started
    finally:
        listening.close()
    assert held < 2.5, f"held {held:.1f} s against a 1 s deadline"
    assert len(seen) == attempts, "an attempt began after the deadline was spent"
    assert "within the 1 s deadline" in caught.value.message


def reset_after_reading(hard: bool) -> Callable[[Seen], Any]:
    """A server handler that reads a request, then drops the connection unanswered: with a
    TCP reset (`hard`) or a plain close."""

    def handler(seen: Seen) -> Any:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            seen.connections += 1
            with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
                seen.append(await reader.readuntil(b"\r\n\r\n"))
            if hard:
                sock = writer.get_extra_info("socket")
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                writer.transport.abort()
            else:
                writer.close()

        return handle

    return handler


@pytest.mark.parametrize("hard", [True, False], ids=["reset", "closed"])
async def test_a_dropped_connection_costs_only_the_attempts_the_policy_allows(
    hard: bool, one_shot: bool
) -> None:
    """aiohttp resends an idempotent request once on a connection reset or close; beneath
    our retry policy that doubled the attempts an ATS saw (6 where 3 are allowed)."""
    seen = Seen()
    listening = await asyncio.start_server(reset_after_reading(hard)(seen), "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    try:
        async with client(one_shot=one_shot, retry=RetryPolicy(attempts=3)) as http:
            with pytest.raises(UpstreamUnavailable):
                await http.request("GET", f"http://127.0.0.1:{port}/jobs/1", CTX)
    finally:
        listening.close()
    assert (seen.connections, len(seen)) == (3, 3)


async def test_a_status_line_that_is_not_http_is_upstream_unavailable(one_shot: bool) -> None:
    async with (
        server(lambda head: b"SSH-2.0-OpenSSH\r\n\r\n") as (origin, _),
        client(one_shot=one_shot) as http,
    ):
        with pytest.raises(UpstreamUnavailable):
            await http.request("GET", f"{origin}/jobs/1", CTX)


async def test_a_closed_port_is_upstream_unavailable(one_shot: bool) -> None:
    # The port stays bound, never listening, for the whole request: a port let go of could
    # be taken by a server another test process starts meanwhile, and answer.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        async with client(one_shot=one_shot) as http:
            with pytest.raises(UpstreamUnavailable, match="could not be reached"):
                await http.request("GET", f"http://127.0.0.1:{port}/jobs/1", CTX)


class _Answers(AbstractResolver):
    """A resolver that answers fixed addresses (no DNS in tests)."""

    def __init__(self, *addresses: str) -> None:
        self.addresses = addresses

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            ResolveResult(hostname=host, host=address, port=port, family=family, proto=0, flags=0)
            for address in self.addresses
        ]

    async def close(self) -> None:
        pass


class _Connects(httpcore.AsyncNetworkBackend):
    """A network backend that records where it is asked to connect; `refused` addresses
    fail as a closed port does."""

    def __init__(self, *refused: str) -> None:
        self.refused = refused
        self.asked: list[tuple[str, int]] = []

    async def connect_tcp(
        self, host: str, port: int, *args: Any, **kwargs: Any
    ) -> httpcore.AsyncNetworkStream:
        self.asked.append((host, port))
        if host in self.refused:
            raise httpcore.ConnectError("connection refused")
        return httpcore.AsyncMockStream([])


class _Resolves(PublicOnlyBackend):
    """The one-shot pool's guard over fixed addresses (no DNS in tests)."""

    def __init__(self, *addresses: str, inner: _Connects | None = None) -> None:
        super().__init__(inner or _Connects())
        self.addresses = addresses

    async def resolve(self, host: str, port: int) -> list[str]:
        return list(self.addresses)


@pytest.mark.parametrize("addresses", [("10.0.0.7",), ("93.184.215.14", "127.0.0.1"), ()])
async def test_a_name_that_resolves_privately_is_refused(
    addresses: tuple[str, ...], one_shot: bool
) -> None:
    resolve = (
        _Resolves(*addresses).connect_tcp
        if one_shot
        else PublicOnlyResolver(_Answers(*addresses)).resolve
    )
    with pytest.raises(ConfigurationError, match="resolves privately"):
        await resolve("ats.example", 443)


PUBLIC = ("93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c")


async def test_a_name_that_resolves_publicly_passes() -> None:
    resolver = PublicOnlyResolver(_Answers(*PUBLIC))
    found = await resolver.resolve("ats.example", 443)
    assert [entry["host"] for entry in found] == list(PUBLIC)


async def test_the_one_shot_pool_connects_to_the_addresses_it_checked() -> None:
    """Never to the name (which could resolve anew, elsewhere): to the checked addresses
    in the order answered, the next one when one refuses."""
    connects = _Connects(PUBLIC[0])
    await _Resolves(*PUBLIC, inner=connects).connect_tcp("ats.example", 443, timeout=5.0)
    assert connects.asked == [(PUBLIC[0], 443), (PUBLIC[1], 443)]
    refused = _Connects(*PUBLIC)
    with pytest.raises(httpcore.ConnectError):
        await _Resolves(*PUBLIC, inner=refused).connect_tcp("ats.example", 443)
    assert refused.asked == [(PUBLIC[0], 443), (PUBLIC[1], 443)]


async def test_the_guard_refuses_before_connecting(
    monkeypatch: pytest.MonkeyPatch, one_shot: bool
) -> None:
    """Through the whole client: the name resolves privately, so nothing is connected to
    and the error is the typed refusal, not a connection error."""
    monkeypatch.delenv("EMBLOY_ATS_ALLOW_PRIVATE_NETWORK", raising=False)
    monkeypatch.setattr("embloy_ats.engine.aiohttp.ThreadedResolver", lambda: _Answers("10.1.2.3"))

    async def private(backend: PublicOnlyBackend, host: str, port: int) -> list[str]:
        return ["10.1.2.3"]

    monkeypatch.setattr(PublicOnlyBackend, "resolve", private)
    http = HttpClient(retry=ONCE, one_shot=one_shot)
    try:
        with pytest.raises(ConfigurationError, match="resolves privately"):
            await http.request("GET", "http://ats.example/jobs/1", CTX)
    finally:
        await http.aclose()


async def test_a_recording_holds_each_request_once(tmp_path: Path) -> None:
    """vcrpy patches both httpx and aiohttp: the engine must not be recorded a second time
    beneath the httpx transport, where cassettes are made and replayed."""
    cassette = tmp_path / "once.yaml"
    recorder = vcr.VCR(record_mode="all")
    async with server(lambda head: answer("200 OK", b'{"id": 1}')) as (origin, _):
        with recorder.use_cassette(str(cassette)):
            async with client() as http:
                response = await http.request("GET", f"{origin}/jobs/1", CTX)
    assert response.json(CTX) == {"id": 1}
    interactions = yaml.safe_load(cassette.read_text())["interactions"]
    assert [i["request"]["uri"] for i in interactions] == [f"{origin}/jobs/1"]


def test_one_client_serves_a_second_event_loop(one_shot: bool) -> None:
    http = HttpClient(allow_private_network=True, retry=ONCE, one_shot=one_shot)

    async def once() -> Any:
        async with server(lambda head: answer("200 OK", b'{"ok": true}')) as (origin, _):
            return (await http.request("GET", f"{origin}/jobs/1", CTX)).json(CTX)

    async def last() -> Any:
        try:
            return await once()
        finally:
            await http.aclose()

    assert asyncio.run(once()) == {"ok": True}
    assert asyncio.run(last()) == {"ok": True}


def self_signed(tmp_path: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that no trust store knows, and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


async def test_a_tls_record_that_does_not_decrypt_is_upstream_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, one_shot: bool
) -> None:
    """A peer (or a box on the path) that writes bytes beneath TLS once the handshake is
    done: the record fails its MAC, and that is a connection lost, not an unmapped error."""
    cert_file, key_file = self_signed(tmp_path)
    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    served.load_cert_chain(cert_file, key_file)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raw = writer.transport  # the TCP transport, beneath the TLS to come
        with contextlib.suppress(ConnectionError, ssl.SSLError, asyncio.IncompleteReadError):
            await writer.start_tls(served)
            await reader.readuntil(b"\r\n\r\n")
            raw.write(b"\x17\x03\x03\x00\x20" + bytes(32))  # application data no key made
            await reader.read()  # until the client lets go
        raw.close()

    listening = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))  # read by httpx.create_ssl_context
    try:
        async with client(one_shot=one_shot) as http:
            with pytest.raises(UpstreamUnavailable, match="could not be reached"):
                await http.request("GET", f"https://127.0.0.1:{port}/jobs/1", CTX)
    finally:
        listening.close()


async def test_tls_certificates_are_verified(tmp_path: Path, one_shot: bool) -> None:
    """An https origin whose certificate nobody vouches for is refused; the very same
    origin answers once its certificate is trusted (so what failed is the verification)."""
    cert_file, key_file = self_signed(tmp_path)
    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    served.load_cert_chain(cert_file, key_file)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, ssl.SSLError, asyncio.IncompleteReadError):
            await reader.readuntil(b"\r\n\r\n")
            writer.write(answer("200 OK", b'{"tls": true}'))
            await writer.drain()
        writer.close()

    listening = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=served)
    port = listening.sockets[0].getsockname()[1]
    request = httpx.Request("GET", f"https://127.0.0.1:{port}/jobs/1")
    trusted = ssl.create_default_context(cafile=str(cert_file))
    pool = OneShotTransport if one_shot else EngineTransport
    try:
        default = pool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=1,
            keepalive_expiry=1.0,
            public_only=False,
        )
        with pytest.raises(httpx.ConnectError, match="certificate verify failed"):
            await default.handle_async_request(request)
        await default.aclose()
        transport = pool(
            ssl_context=trusted, max_connections=1, keepalive_expiry=1.0, public_only=False
        )
        response = await transport.handle_async_request(request)
        body = await response.aread()
        await response.aclose()
        await transport.aclose()
        assert (response.status_code, body) == (200, b'{"tls": true}')
    finally:
        listening.close()
