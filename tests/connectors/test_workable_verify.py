"""Workable `verify()`: one job of the SPI v3 list with a token, the account's widget list
without one; never a shortcode."""

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
from embloy_ats_workable import WorkableConnector

from tests.conftest import FakeAts

TOKEN = "wk-token-Yt5sB0"
ERRORS: list[tuple[int, type[EmbloyAtsError]]] = [
    (401, AuthenticationFailed),
    (403, PermissionDenied),
    (404, ConfigurationError),
]


def spi(fake: FakeAts) -> WorkableConnector:
    return WorkableConnector(
        {"subdomain": "groove-tech"}, {"access_token": TOKEN}, http=fake.client()
    )


def public(fake: FakeAts) -> WorkableConnector:
    return WorkableConnector({"subdomain": "groove-tech"}, http=fake.client())


async def test_spi_verify_lists_one_job_with_the_token() -> None:
    fake = FakeAts(lambda request: httpx.Response(200, json={"jobs": [], "paging": {}}))
    checked = await spi(fake).verify()
    assert "'groove-tech'" in checked
    [request] = fake.requests
    assert request.method == "GET"
    assert str(request.url) == "https://groove-tech.workable.com/spi/v3/jobs?limit=1"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"


async def test_public_verify_reads_the_account_without_details() -> None:
    fake = FakeAts(lambda request: httpx.Response(200, json={"name": "Groove", "jobs": []}))
    checked = await public(fake).verify()
    assert "'groove-tech'" in checked
    [request] = fake.requests
    assert request.method == "GET"
    assert str(request.url) == "https://apply.workable.com/api/v1/widget/accounts/groove-tech"
    assert "authorization" not in request.headers


@pytest.mark.parametrize(("status", "error"), ERRORS)
async def test_spi_verify_maps_the_status(status: int, error: type[EmbloyAtsError]) -> None:
    fake = FakeAts(lambda request: httpx.Response(status, json={"error": "Not authorized"}))
    with pytest.raises(error) as caught:
        await spi(fake).verify()
    assert not isinstance(caught.value, JobNotFound)
    assert caught.value.job_id is None
    assert TOKEN not in str(caught.value)
    assert len(fake.requests) == 1
    if status == 403:
        assert "r_jobs" in caught.value.hint
    if status == 404:
        assert "'groove-tech'" in caught.value.message


@pytest.mark.parametrize(("status", "error"), ERRORS)
async def test_public_verify_maps_the_status(status: int, error: type[EmbloyAtsError]) -> None:
    fake = FakeAts(lambda request: httpx.Response(status, content=b""))
    with pytest.raises(error) as caught:
        await public(fake).verify()
    assert not isinstance(caught.value, JobNotFound)
    if status == 404:
        assert "subdomain" in caught.value.hint
