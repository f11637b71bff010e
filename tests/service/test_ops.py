"""The endpoints operators use: liveness, readiness that asks the store, protected metrics."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from embloy_ats.cli import app as cli_app
from embloy_ats.crypto import KeyRing
from embloy_ats.resolver import Resolver
from embloy_ats.service import app as service_app
from embloy_ats.service.app import create_app
from embloy_ats.service.tokens import TokenService
from embloy_ats.store import store_for
from typer.testing import CliRunner

from tests.resolver.conftest import make_registry, pg_schema  # noqa: F401 - the fixture
from tests.service.conftest import SECRET, Service

METRICS_TOKEN = "m-0123456789abcdef0123456789abcdef"


async def test_liveness_does_not_ask_the_store(service: Service) -> None:
    await service.resolver.store.close()
    answer = await service.client.get("/healthz")
    assert (answer.status_code, answer.json()) == (200, {"status": "ok"})


async def test_readiness_answers_when_the_store_does(service: Service) -> None:
    answer = await service.client.get("/readyz")
    assert (answer.status_code, answer.json()) == (200, {"status": "ready"})
    await service.resolver.store.close()
    answer = await service.client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json() == {"status": "unavailable", "reason": "the database does not answer"}
    assert answer.headers["cache-control"] == "no-store"


class TcpProxy:
    """A TCP proxy to PostgreSQL that can be cut, as when the database server goes away."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.writers: set[asyncio.StreamWriter] = set()
        self.server: asyncio.Server | None = None

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port: int = self.server.sockets[0].getsockname()[1]
        return port

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self.writers |= {writer, up_writer}

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    def freeze(self) -> None:
        """Stop passing bytes, keeping every connection open: a black-holed server."""
        for writer in self.writers:
            transport = writer.transport
            assert isinstance(transport, asyncio.ReadTransport)  # a socket: both ways
            transport.pause_reading()

    async def cut(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in self.writers:
            writer.transport.abort()
        await self.server.wait_closed()


@pytest.fixture
async def pg_app(
    request: pytest.FixtureRequest,
) -> AsyncIterator[tuple[httpx.AsyncClient, TcpProxy]]:
    """The service over a real PostgreSQL reached through a proxy, opened and closed by
    its own lifespan."""
    url: str = request.getfixturevalue("pg_schema")
    parts = urlsplit(url)
    proxy = TcpProxy((parts.hostname or "127.0.0.1", parts.port or 5432))
    port = await proxy.start()
    proxied = urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{port}"))
    resolver = Resolver(store_for(proxied), registry=make_registry())
    app = create_app(resolver, TokenService(SECRET, resolver.store))
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://embloy.test") as web,
    ):
        yield web, proxy


async def test_readiness_on_postgresql(pg_app: tuple[httpx.AsyncClient, TcpProxy]) -> None:
    web, proxy = pg_app
    assert (await web.get("/readyz")).status_code == 200
    await proxy.cut()
    answer = await asyncio.wait_for(web.get("/readyz"), 30)
    assert answer.status_code == 503
    assert answer.json()["reason"] == "the database does not answer"
    assert (await web.get("/healthz")).status_code == 200


async def test_readiness_gives_up_on_a_database_that_hangs(
    pg_app: tuple[httpx.AsyncClient, TcpProxy], monkeypatch: pytest.MonkeyPatch
) -> None:
    web, proxy = pg_app
    monkeypatch.setattr(service_app, "READY_TIMEOUT", 0.2)
    proxy.freeze()
    answer = await asyncio.wait_for(web.get("/readyz"), 30)  # not the pool's own 30 s wait
    assert answer.status_code == 503


def metrics_app(service: Service, token: str | None) -> httpx.AsyncClient:
    app = create_app(service.resolver, service.tokens, owns_resolver=False, metrics_token=token)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://x.test")


async def test_metrics_with_a_token_need_it(service: Service) -> None:
    async with metrics_app(service, METRICS_TOKEN) as web:
        refused = [
            await web.get("/metrics"),
            await web.get("/metrics", headers={"Authorization": "Bearer wrong"}),
            await web.get("/metrics", headers={"Authorization": f"Basic {METRICS_TOKEN}"}),
            await web.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}x"}),
        ]
        allowed = await web.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    for answer in refused:
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"] == 'Bearer realm="metrics"'
        assert answer.json()["error"]["code"] == "invalid_token"
        assert "embloy_ats_" not in answer.text
    assert allowed.status_code == 200
    assert "embloy_ats_resolves" in allowed.text


async def test_metrics_without_a_token_are_open(service: Service) -> None:
    async with metrics_app(service, None) as web:
        assert (await web.get("/metrics")).status_code == 200


def test_serve_refuses_a_short_metrics_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EMBLOY_ATS_DATABASE_URL", f"sqlite:///{tmp_path}/m.db")
    monkeypatch.setenv("EMBLOY_ATS_SECRET_KEY", "k" * 48)
    monkeypatch.setenv("EMBLOY_ATS_ENCRYPTION_KEYS", KeyRing.generate())
    monkeypatch.setenv("EMBLOY_ATS_METRICS_TOKEN", "short")
    result = CliRunner().invoke(cli_app, ["serve", "--port", "1"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "error: EMBLOY_ATS_METRICS_TOKEN is shorter than 16 characters. "
        "Use a long random value, e.g. `openssl rand -hex 32`."
    ]
