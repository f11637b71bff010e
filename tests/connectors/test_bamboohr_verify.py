"""BambooHR `verify()`: the careers list without a key, the applicant tracking jobs with
one; never a job id."""

from __future__ import annotations

import httpx
import pytest
from embloy_ats import ConfigurationError, PermissionDenied
from embloy_ats_bamboohr import BamboohrConnector

from tests.conftest import FakeAts

API_KEY = "bamboo-key-Zq81"


def careers(fake: FakeAts) -> BamboohrConnector:
    return BamboohrConnector({"company_domain": "acme"}, http=fake.client())


def tracking(fake: FakeAts) -> BamboohrConnector:
    return BamboohrConnector({"company_domain": "acme"}, {"api_key": API_KEY}, http=fake.client())


async def test_careers_verify_reads_the_careers_list() -> None:
    fake = FakeAts(lambda request: httpx.Response(200, json={"meta": {}, "result": []}))
    checked = await careers(fake).verify()
    assert "'acme'" in checked
    [request] = fake.requests
    assert str(request.url) == "https://acme.bamboohr.com/careers/list"
    assert "authorization" not in request.headers


async def test_tracking_verify_lists_the_jobs_with_the_key() -> None:
    fake = FakeAts(lambda request: httpx.Response(200, json=[]))
    await tracking(fake).verify()
    [request] = fake.requests
    assert str(request.url) == "https://acme.bamboohr.com/api/v1/applicant_tracking/jobs"
    assert request.headers["authorization"].startswith("Basic ")


async def test_a_company_that_is_not_a_customer_fails_verify_with_its_name() -> None:
    fake = FakeAts(lambda request: httpx.Response(302, headers={"location": "https://x.test/"}))
    with pytest.raises(ConfigurationError) as caught:
        await careers(fake).verify()
    assert "has no company 'acme'" in caught.value.message


async def test_careers_verify_404_names_the_careers_site() -> None:
    fake = FakeAts(lambda request: httpx.Response(404, content=b""))
    with pytest.raises(ConfigurationError) as caught:
        await careers(fake).verify()
    assert "no careers site 'acme'" in caught.value.message
    assert "acme.bamboohr.com" in (caught.value.hint or "")


async def test_tracking_verify_403_asks_for_a_key_with_access_to_the_jobs() -> None:
    fake = FakeAts(lambda request: httpx.Response(403, content=b""))
    with pytest.raises(PermissionDenied) as caught:
        await tracking(fake).verify()
    assert "applicant tracking jobs" in (caught.value.hint or "")
    assert API_KEY not in str(caught.value)
