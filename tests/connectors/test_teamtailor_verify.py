"""Teamtailor `verify()`: one job of the list, with the key, region host and API version;
never a job id."""

from __future__ import annotations

import httpx
import pytest
from embloy_ats import (
    AuthenticationFailed,
    ConfigurationError,
    EmbloyAtsError,
    PermissionDenied,
    RequestRejected,
)
from embloy_ats_teamtailor import TeamtailorConnector
from embloy_ats_teamtailor.connector import DEFAULT_API_VERSION

from tests.conftest import FakeAts

API_KEY = "tt-key-Lw3nD7"


def connector(fake: FakeAts, region: str = "eu") -> TeamtailorConnector:
    return TeamtailorConnector({"region": region}, {"api_key": API_KEY}, http=fake.client())


async def test_verify_lists_one_job_with_key_and_version() -> None:
    fake = FakeAts(lambda request: httpx.Response(200, json={"data": [], "meta": {}}))
    checked = await connector(fake).verify()
    assert "https://api.teamtailor.com" in checked
    [request] = fake.requests
    assert request.method == "GET"
    assert request.url.host == "api.teamtailor.com"
    assert request.url.path == "/v1/jobs"
    assert dict(request.url.params) == {"page[size]": "1"}
    assert request.headers["authorization"] == f"Token token={API_KEY}"
    assert request.headers["x-api-version"] == DEFAULT_API_VERSION


async def test_verify_goes_to_the_north_american_host() -> None:
    fake = FakeAts(lambda request: httpx.Response(200, json={"data": []}))
    await connector(fake, "na").verify()
    assert fake.requests[0].url.host == "api.na.teamtailor.com"


# Every final status is checked by the conformance suite (error table, verify); these are
# Teamtailor's own words for them.


@pytest.mark.parametrize(
    ("status", "error", "words"),
    [
        (401, AuthenticationFailed, "region"),
        (403, PermissionDenied, "read permission"),
        (404, ConfigurationError, "region and base_url"),
        (406, RequestRejected, "api_version"),
    ],
)
async def test_verify_failures_point_at_the_setting_to_fix(
    status: int, error: type[EmbloyAtsError], words: str
) -> None:
    body = {"errors": [{"status": str(status), "title": "nope"}]}
    fake = FakeAts(lambda request: httpx.Response(status, json=body))
    with pytest.raises(error) as caught:
        await connector(fake).verify()
    assert words in caught.value.hint
    assert API_KEY not in str(caught.value)
    if status == 401:
        assert "https://api.teamtailor.com" in caught.value.hint
    if status == 406:
        assert "'20240904'" in caught.value.message
