"""Ashby `verify()`: `job.list` with limit 1 for an API key, the public board without one;
never a job id."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

import httpx
import pytest
from embloy_ats import (
    AuthenticationFailed,
    ConfigurationError,
    PayloadError,
    PermissionDenied,
)
from embloy_ats_ashby import AshbyConnector

from tests.conftest import FakeAts

API_KEY = "ashby-key-Hc81vQ"


def keyed(fake: FakeAts) -> AshbyConnector:
    return AshbyConnector({}, {"api_key": API_KEY}, http=fake.client())


def public(fake: FakeAts) -> AshbyConnector:
    return AshbyConnector({"job_board_name": "acme"}, http=fake.client())


def answer(status: int, body: Mapping[str, Any] | str) -> FakeAts:
    content = body if isinstance(body, str) else json.dumps(body)
    return FakeAts(lambda request: httpx.Response(status, content=content.encode()))


async def test_key_verify_posts_job_list_with_limit_one() -> None:
    fake = answer(200, {"success": True, "results": [], "moreDataAvailable": False})
    checked = await keyed(fake).verify()
    assert "job.list" in checked
    [request] = fake.requests
    assert request.method == "POST"
    assert str(request.url) == "https://api.ashbyhq.com/job.list"
    assert json.loads(request.content) == {"limit": 1}
    expected = "Basic " + base64.b64encode(f"{API_KEY}:".encode()).decode()
    assert request.headers["authorization"] == expected
    assert request.headers["accept"] == "application/json; version=1"


async def test_public_verify_reads_the_board() -> None:
    fake = answer(200, {"apiVersion": "1", "jobs": []})
    checked = await public(fake).verify()
    assert "'acme'" in checked
    [request] = fake.requests
    assert request.method == "GET"
    assert str(request.url) == "https://api.ashbyhq.com/posting-api/job-board/acme"
    assert "authorization" not in request.headers


# Every final status of both ways is checked by the conformance suite (error table, verify);
# these are what Ashby's bodies add to them.


async def test_a_wrong_key_is_authentication_failed_even_as_403() -> None:
    fake = answer(403, {"success": False, "errors": ["invalid api key"]})
    with pytest.raises(AuthenticationFailed) as caught:
        await keyed(fake).verify()
    assert caught.value.job_id is None
    assert caught.value.upstream_code == "invalid_api_key"
    assert API_KEY not in str(caught.value)
    assert len(fake.requests) == 1


async def test_key_without_the_permission_is_permission_denied() -> None:
    body = {"success": False, "errorInfo": {"code": "missing_endpoint_permission"}}
    with pytest.raises(PermissionDenied) as caught:
        await keyed(answer(403, body)).verify()
    assert "jobsRead" in caught.value.hint


async def test_a_success_false_answer_is_mapped_by_its_code() -> None:
    body = {"success": False, "errorInfo": {"code": "missing_endpoint_permission"}}
    with pytest.raises(PermissionDenied):
        await keyed(answer(200, body)).verify()


async def test_a_key_rejected_in_plain_text_is_authentication_failed() -> None:
    with pytest.raises(AuthenticationFailed):
        await keyed(answer(401, "Invalid API key")).verify()


async def test_public_verify_404_names_the_board() -> None:
    with pytest.raises(ConfigurationError) as caught:
        await public(answer(404, {})).verify()
    assert "no job board named 'acme'" in caught.value.message
    assert "job_board_name" in caught.value.hint


async def test_public_verify_refuses_a_board_that_is_not_json() -> None:
    with pytest.raises(PayloadError):
        await public(answer(200, "<html>maintenance</html>")).verify()
