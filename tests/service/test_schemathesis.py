"""Property-based tests from the published OpenAPI schema: no input makes the service 5xx."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from embloy_ats.crypto import KeyRing
from embloy_ats.http import HttpClient
from embloy_ats.resolver import Resolver
from embloy_ats.service.app import create_app
from embloy_ats.service.runner import serving
from embloy_ats.service.tokens import TokenService
from embloy_ats.store import store_for
from hypothesis import HealthCheck, given, settings

from tests.resolver.conftest import make_registry
from tests.service.conftest import JOB, SECRET


class _Server:
    """The service on loopback in a thread of its own, for the synchronous schemathesis tests."""

    def __init__(self, database: Path) -> None:
        self.url = ""
        self.tokens: dict[str, str] = {}
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._database = database
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        upstream = httpx.MockTransport(lambda request: httpx.Response(200, json=JOB))
        resolver = Resolver(
            store_for(f"sqlite:///{self._database}"),
            keys=KeyRing([KeyRing.generate()]),
            registry=make_registry(),
            http=HttpClient(transport=upstream),
        )
        tokens = TokenService(SECRET, resolver.store)
        async with serving(create_app(resolver, tokens)) as url:
            tenant = await resolver.create_tenant("acme")
            await resolver.set_connection("acme", "fake", {"account": "acme"})
            client_token, _ = await tokens.issue_client_token(tenant.id)
            client = await tokens.verify_client_token(client_token)
            self.tokens = {
                "client_token": client_token,
                "request_token": tokens.issue_request_token(client, "fake", "7"),
            }
            self.url = url
            self._ready.set()
            await self._stop.wait()

    def __enter__(self) -> _Server:
        self._thread.start()
        assert self._ready.wait(30), "the service did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._loop is not None
        assert self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Server]:
    with _Server(tmp_path_factory.mktemp("schema") / "svc.db") as running:
        yield running


def test_no_input_causes_a_server_error(server: _Server) -> None:
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 5
    for operation in operations:

        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            for headers in ({}, server.tokens):
                response = case.call(headers=headers)
                assert response.status_code < 500, (case.method, case.path, response.text)
                assert "Traceback" not in response.text

        check()
