"""Recruitee `verify()`: the offers list of the way in, the ATS API with a token and the
careers site without; never an offer id."""

from __future__ import annotations

import httpx
import pytest
from embloy_ats import ConfigurationError, PermissionDenied
from embloy_ats_recruitee import RecruiteeConnector

from tests.conftest import FakeAts

TOKEN = "rc-token-Pv6cJ1"


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


# Every final status of both ways is checked by the conformance suite (error table, verify);
# these are Recruitee's own words for them.


async def test_ats_verify_404_names_the_company_id_and_says_where_it_is() -> None:
    fake = FakeAts(lambda request: httpx.Response(404, json={"error": "x"}))
    with pytest.raises(ConfigurationError) as caught:
        await ats(fake).verify()
    assert "knows no company '12345'" in caught.value.message
    assert "company_id" in caught.value.hint
    assert TOKEN not in str(caught.value)


async def test_ats_verify_403_asks_for_a_user_who_may_see_offers() -> None:
    fake = FakeAts(lambda request: httpx.Response(403, json={"error": "x"}))
    with pytest.raises(PermissionDenied) as caught:
        await ats(fake).verify()
    assert "may see the company's offers" in caught.value.hint


async def test_public_verify_404_names_the_careers_site() -> None:
    fake = FakeAts(lambda request: httpx.Response(404, content=b""))
    with pytest.raises(ConfigurationError) as caught:
        await public(fake).verify()
    assert "no careers site 'acme'" in caught.value.message
    assert "acme.recruitee.com" in caught.value.hint
