"""Softgarden `verify()`: the channel's job list with the client id, the career site's feed
without; never a job id."""

from __future__ import annotations

import base64

import httpx
import pytest
from embloy_ats import ConfigurationError
from embloy_ats_softgarden import SoftgardenConnector

from tests.conftest import FakeAts

CLIENT_ID = "sg-client-Vv81"


async def test_frontend_verify_lists_the_channel_with_the_client_id() -> None:
    fake = FakeAts(lambda request: httpx.Response(200, json={"results": []}))
    connector = SoftgardenConnector(
        {"channel_id": "40711_extern"}, {"client_id": CLIENT_ID}, http=fake.client()
    )
    checked = await connector.verify()
    assert "'40711_extern'" in checked
    [request] = fake.requests
    assert (
        str(request.url) == "https://api.softgarden.io/api/rest/v3/frontend/jobslist/40711_extern"
    )
    basic = base64.b64encode(f"{CLIENT_ID}:".encode()).decode()
    assert request.headers["authorization"] == f"Basic {basic}"


async def test_feed_verify_reads_the_career_site_feed() -> None:
    fake = FakeAts(lambda request: httpx.Response(200, json={"dataFeedElement": []}))
    checked = await SoftgardenConnector({"career_site": "acme"}, http=fake.client()).verify()
    assert "'acme'" in checked
    [request] = fake.requests
    assert str(request.url) == "https://acme.career.softgarden.de/jobs.feed.json"
    assert "authorization" not in request.headers


async def test_frontend_verify_404_names_the_channel_and_where_to_find_channels() -> None:
    fake = FakeAts(lambda request: httpx.Response(404, content=b""))
    connector = SoftgardenConnector(
        {"channel_id": "40711_extern"}, {"client_id": CLIENT_ID}, http=fake.client()
    )
    with pytest.raises(ConfigurationError) as caught:
        await connector.verify()
    assert "no channel '40711_extern'" in caught.value.message
    assert "jobslist/channels" in caught.value.hint
    assert CLIENT_ID not in str(caught.value)


async def test_feed_verify_404_names_the_career_site() -> None:
    fake = FakeAts(lambda request: httpx.Response(404, content=b""))
    with pytest.raises(ConfigurationError) as caught:
        await SoftgardenConnector({"career_site": "acme"}, http=fake.client()).verify()
    assert "no career site 'acme'" in caught.value.message
    assert "acme.career.softgarden.de" in caught.value.hint
