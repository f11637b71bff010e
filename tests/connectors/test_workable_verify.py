"""Workable `verify()`: one job of the SPI v3 list with a token, the account's widget list
without one; never a shortcode."""

from __future__ import annotations

import httpx
import pytest
from embloy_ats import ConfigurationError, PermissionDenied
from embloy_ats_workable import WorkableConnector

from tests.conftest import FakeAts

TOKEN = "wk-token-Yt5sB0"


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


# Every final status of both ways is checked by the conformance suite (error table, verify);
# these are Workable's own words for them.


async def test_spi_verify_failures_say_what_to_fix() -> None:
    fake = FakeAts(lambda request: httpx.Response(403, json={"error": "Not authorized"}))
    with pytest.raises(PermissionDenied) as caught:
        await spi(fake).verify()
    assert "r_jobs" in caught.value.hint
    fake = FakeAts(lambda request: httpx.Response(404, json={"error": "Not authorized"}))
    with pytest.raises(ConfigurationError) as missing:
        await spi(fake).verify()
    assert "'groove-tech'" in missing.value.message
    assert TOKEN not in str(caught.value) + str(missing.value)


async def test_public_verify_404_points_at_the_subdomain() -> None:
    fake = FakeAts(lambda request: httpx.Response(404, content=b""))
    with pytest.raises(ConfigurationError) as caught:
        await public(fake).verify()
    assert "'groove-tech'" in caught.value.message
    assert "subdomain" in caught.value.hint
