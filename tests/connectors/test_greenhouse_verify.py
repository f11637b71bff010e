"""Greenhouse `verify()`: the board itself on the Job Board API, the token grant and one job
post on Harvest v3; never a job id."""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import parse_qs

import httpx
import pytest
from embloy_ats import (
    AuthenticationFailed,
    ConfigurationError,
    EmbloyAtsError,
    PermissionDenied,
)
from embloy_ats_greenhouse import GreenhouseConnector

from tests.conftest import FakeAts

CLIENT_ID = "gh-client-7f3a"
CLIENT_SECRET = "gh-secret-Qm4Lx9"
ACCESS_TOKEN = "gh-access-Zr8Wp2"


def board_connector(fake: FakeAts) -> GreenhouseConnector:
    return GreenhouseConnector({"board_token": "acme"}, http=fake.client())


def harvest_connector(fake: FakeAts) -> GreenhouseConnector:
    return GreenhouseConnector(
        {}, {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}, http=fake.client()
    )


def harvest(list_status: int, token_status: int = 200) -> Callable[[httpx.Request], httpx.Response]:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/token":
            if token_status != 200:
                return httpx.Response(token_status, json={"error": "invalid_client"})
            return httpx.Response(200, json={"access_token": ACCESS_TOKEN, "expires_in": 3600})
        body: object = [{"id": 1}] if list_status == 200 else {"error": "no"}
        return httpx.Response(list_status, json=body)

    return handle


async def test_job_board_verify_asks_for_the_board_and_nothing_else() -> None:
    fake = FakeAts(lambda request: httpx.Response(200, json={"name": "Acme", "content": ""}))
    checked = await board_connector(fake).verify()
    assert "'acme'" in checked
    [request] = fake.requests
    assert request.method == "GET"
    assert str(request.url) == "https://boards-api.greenhouse.io/v1/boards/acme"
    assert "authorization" not in request.headers  # the Job Board API is public


# Every final status of both ways is checked by the conformance suite (error table, verify);
# these are Greenhouse's own words for them.


async def test_job_board_verify_404_names_the_board() -> None:
    fake = FakeAts(lambda request: httpx.Response(404, json={"status": 404}))
    with pytest.raises(ConfigurationError) as caught:
        await board_connector(fake).verify()
    assert "no job board 'acme'" in caught.value.message
    assert "board_token" in caught.value.hint


async def test_harvest_verify_gets_a_token_then_one_job_post() -> None:
    fake = FakeAts(harvest(200))
    checked = await harvest_connector(fake).verify()
    assert "Harvest v3" in checked
    token, listing = fake.requests
    assert token.method == "POST"
    assert str(token.url) == "https://auth.greenhouse.io/token"
    assert token.headers["authorization"].startswith("Basic ")
    assert parse_qs(token.content.decode()) == {"grant_type": ["client_credentials"]}
    assert listing.method == "GET"
    assert str(listing.url) == "https://harvest.greenhouse.io/v3/job_posts?per_page=1"
    assert listing.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"


async def test_harvest_verify_fails_on_a_refused_client() -> None:
    fake = FakeAts(harvest(200, token_status=401))
    with pytest.raises(AuthenticationFailed) as caught:
        await harvest_connector(fake).verify()
    assert [r.url.path for r in fake.requests] == ["/token"]  # no API request without a token
    assert CLIENT_SECRET not in str(caught.value)


@pytest.mark.parametrize(
    ("status", "error", "words"),
    [(403, PermissionDenied, "harvest:job_posts:list"), (404, ConfigurationError, "Harvest v3")],
)
async def test_harvest_verify_failures_of_the_list_say_what_to_fix(
    status: int, error: type[EmbloyAtsError], words: str
) -> None:
    fake = FakeAts(harvest(status))
    with pytest.raises(error) as caught:
        await harvest_connector(fake).verify()
    assert words in caught.value.hint
    listings = [r for r in fake.requests if r.url.path == "/v3/job_posts"]
    assert [r.url.query for r in listings] == [b"per_page=1"]
    for request in fake.requests:
        assert CLIENT_SECRET not in json.dumps(dict(request.url.params))
