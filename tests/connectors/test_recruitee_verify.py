"""Recruitee `verify()`: the offers list of the way in, the ATS API with a token and the
careers site without; never an offer id."""

from __future__ import annotations

import httpx
import pytest
from embloy_ats import (
    AuthenticationFailed,
    ConfigurationError,
    EmbloyAtsError,
    JobNotFound,
    PermissionDenied,
)
from embloy_ats_recruitee import RecruiteeConnector

from tests.conftest import FakeAts

TOKEN = "rc-token-Pv6cJ1"
ERRORS: list[tuple[int, type[EmbloyAtsError]]] = [
    (401, AuthenticationFailed),
    (403, PermissionDenied),
    (404, ConfigurationError),
]


def ats(fake: FakeAts) -> RecruiteeConnector:
    return RecruiteeConnector(
        {"company": "acme", "company_id": "12345"}, {"api_token": TOKEN}, http=fake.client()
    )


def public(fake: FakeAts) -> RecruiteeConnector:
    return RecruiteeConnector({"company": "acme"}, http=fake.client())


async def test_ats_verify_lists_the_company_offers_with_the_token() -> None:
    fake = FakeAts(lambda request: httpx.Response(200, json={"offers": []}))
    checked = await ats(fake).verify()
    assert "'12345'" in checked
    [request] = fake.requests
    assert request.method == "GET"
    assert str(request.url) == "https://api.recruitee.com/c/12345/offers"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"


async def test_public_verify_lists_the_careers_site_offers() -> None:
    fake = FakeAts(lambda request: httpx.Response(200, json={"offers": []}))
    checked = await public(fake).verify()
    assert "'acme'" in checked
    [request] = fake.requests
    assert request.method == "GET"
    assert str(request.url) == "https://acme.recruitee.com/api/offers/"
    assert "authorization" not in request.headers


@pytest.mark.parametrize(("status", "error"), ERRORS)
async def test_ats_verify_maps_the_status(status: int, error: type[EmbloyAtsError]) -> None:
    fake = FakeAts(lambda request: httpx.Response(status, json={"error": "x"}))
    with pytest.raises(error) as caught:
        await ats(fake).verify()
    assert not isinstance(caught.value, JobNotFound)
    assert caught.value.job_id is None
    assert TOKEN not in str(caught.value)
    assert len(fake.requests) == 1
    if status == 404:
        assert "company_id" in caught.value.hint


@pytest.mark.parametrize(("status", "error"), ERRORS)
async def test_public_verify_maps_the_status(status: int, error: type[EmbloyAtsError]) -> None:
    fake = FakeAts(lambda request: httpx.Response(status, content=b""))
    with pytest.raises(error) as caught:
        await public(fake).verify()
    assert not isinstance(caught.value, JobNotFound)
    if status == 404:
        assert "no careers site 'acme'" in caught.value.message
