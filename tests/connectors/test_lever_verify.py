"""Lever `verify()`: one posting from a list, on the authenticated API with credentials and
on the public Postings API without; never a job id."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

import httpx
import pytest
from embloy_ats import ConfigurationError, PermissionDenied
from embloy_ats_lever import LeverConnector

from tests.conftest import FakeAts

API_KEY = "lever-key-9d2Rk"
ACCESS_TOKEN = "lever-access-4tPq"


def connector(
    fake: FakeAts, settings: Mapping[str, Any], credentials: Mapping[str, Any] | None = None
) -> LeverConnector:
    return LeverConnector(dict(settings), dict(credentials or {}), http=fake.client())


def ok(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/oauth/token":
        return httpx.Response(200, json={"access_token": ACCESS_TOKEN, "expires_in": 3600})
    if request.url.path.startswith("/v0/"):
        return httpx.Response(200, json=[])
    return httpx.Response(200, json={"data": [], "hasNext": False})


async def test_api_key_verify_lists_one_posting_with_basic_auth() -> None:
    fake = FakeAts(ok)
    checked = await connector(fake, {}, {"api_key": API_KEY}).verify()
    assert "/v1/postings?limit=1" in checked
    [request] = fake.requests
    assert request.method == "GET"
    assert str(request.url) == "https://api.lever.co/v1/postings?limit=1"
    expected = "Basic " + base64.b64encode(f"{API_KEY}:".encode()).decode()
    assert request.headers["authorization"] == expected


async def test_access_token_verify_uses_bearer_on_the_eu_host() -> None:
    fake = FakeAts(ok)
    await connector(fake, {"region": "eu"}, {"access_token": ACCESS_TOKEN}).verify()
    [request] = fake.requests
    assert str(request.url) == "https://api.eu.lever.co/v1/postings?limit=1"
    assert request.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"


async def test_refresh_token_verify_refreshes_then_lists() -> None:
    fake = FakeAts(ok)
    credentials = {"refresh_token": "rt-1", "client_id": "ci-1", "client_secret": "cs-1"}
    await connector(fake, {}, credentials).verify()
    token, listing = fake.requests
    assert (token.method, str(token.url)) == ("POST", "https://auth.lever.co/oauth/token")
    assert b"grant_type=refresh_token" in token.content
    assert str(listing.url) == "https://api.lever.co/v1/postings?limit=1"
    assert listing.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"


async def test_public_verify_lists_one_posting_of_the_site() -> None:
    fake = FakeAts(ok)
    checked = await connector(fake, {"site": "leverdemo"}).verify()
    assert "'leverdemo'" in checked
    [request] = fake.requests
    assert request.method == "GET"
    assert str(request.url) == "https://api.lever.co/v0/postings/leverdemo?limit=1&mode=json"
    assert "authorization" not in request.headers


# Every final status of both ways is checked by the conformance suite (error table, verify);
# these are Lever's own words for them.


async def test_authenticated_verify_403_asks_for_read_access_to_postings() -> None:
    fake = FakeAts(lambda request: httpx.Response(403, json={"code": "x"}))
    with pytest.raises(PermissionDenied) as caught:
        await connector(fake, {}, {"api_key": API_KEY}).verify()
    assert "read access to postings" in caught.value.hint
    assert API_KEY not in str(caught.value)
    assert [r.url.path for r in fake.requests] == ["/v1/postings"]


async def test_public_verify_404_names_the_job_site() -> None:
    body = {"ok": False, "error": "Document not found"}
    fake = FakeAts(lambda request: httpx.Response(404, json=body))
    with pytest.raises(ConfigurationError) as caught:
        await connector(fake, {"site": "nosuchsite"}).verify()
    assert "no job site 'nosuchsite'" in caught.value.message
    assert "Document not found" not in str(caught.value)
