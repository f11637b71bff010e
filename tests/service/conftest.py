"""A service over a real SQLite store, the fake connector and a scriptable fake ATS."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from embloy_ats.crypto import KeyRing
from embloy_ats.http import HttpClient
from embloy_ats.resolver import FreshnessPolicy, Resolver
from embloy_ats.service.app import create_app
from embloy_ats.service.tokens import TokenService
from embloy_ats.store import store_for
from fastapi import FastAPI

from tests.resolver.conftest import make_registry

SECRET = "s" * 40
JOB = {"id": "7", "title": "Backend Engineer", "status": "open", "description": "<p>Go</p>"}


@dataclass
class FakeAts:
    answer: httpx.Response | Exception = field(
        default_factory=lambda: httpx.Response(200, json=JOB)
    )
    requests: list[httpx.Request] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


@dataclass
class Service:
    app: FastAPI
    resolver: Resolver
    tokens: TokenService
    ats: FakeAts
    client: httpx.AsyncClient
    client_token: str
    tenant_id: str

    async def request_token(self, job_slug: str = "7", **extra: str) -> str:
        response = await self.client.post(
            "/api/v0/sdk/request/auth/token",
            headers={"client_token": self.client_token},
            data={"mode": "fake", "job_slug": job_slug, **extra},
        )
        assert response.status_code == 200, response.text
        token: str = response.json()["request_token"]
        return token


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[Service]:
    ats = FakeAts()
    resolver = Resolver(
        store_for(f"sqlite:///{tmp_path}/svc.db"),
        keys=KeyRing([KeyRing.generate()]),
        registry=make_registry(),
        http=HttpClient(transport=httpx.MockTransport(ats.handle)),
        policy=FreshnessPolicy(negative_ttl=0.0, failure_ttl=0.0),
    )
    await resolver.open()
    tokens = TokenService(SECRET, resolver.store)
    app = create_app(resolver, tokens, owns_resolver=False)
    tenant = await resolver.create_tenant("acme")
    await resolver.set_connection("acme", "fake", {"account": "acme"}, {"api_key": "k-acme-1"})
    client_token, _ = await tokens.issue_client_token(tenant.id)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://embloy.test") as client:
        yield Service(app, resolver, tokens, ats, client, client_token, tenant.id)
    await resolver.close()
