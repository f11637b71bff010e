"""Failures as the candidate meets them: plain words, a way back, a reference; the operator
detail goes to the log under that same reference (the request id)."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import httpx
import pytest
from embloy_ats.errors import DatabaseUnavailable
from embloy_ats.logs import configure_logging
from embloy_ats.request_id import HEADER
from embloy_ats.service.tokens import TokenService

from tests.service.conftest import JOB, SECRET, Service

HANDLE_PATH = "/api/v0/sdk/request/handle"
BACK = "https://partner.example/back"

#: Operator text: what the errors say to whoever runs the service. None of it is for a
#: candidate. (`fake job '7'` is how an error names the connector and the job.)
OPERATOR_TEXT = (
    "fake job", "'7'", "ConnectError", "ReadTimeout", "HTTP 4", "HTTP 5", "ATS", "status page",
    "credentials", "Retry-After", "Traceback", "the job is closed",
)  # fmt: skip

FAILURES = [
    # ATS answer, status, code, the plain words' title, whether "Try again" can help
    (httpx.Response(404), 404, "job_not_found", "We could not find this job", False),
    (httpx.Response(200, json=JOB | {"status": "closed"}), 404, "job_gone",
     "This job is no longer open", False),
    (httpx.Response(429, headers={"Retry-After": "7"}), 429, "rate_limited",
     "The employer's system is not answering right now", True),
    (httpx.Response(503), 503, "upstream_unavailable",
     "The employer's system is not answering right now", True),
    (httpx.ConnectError("down"), 503, "upstream_unavailable",
     "The employer's system is not answering right now", True),
    (httpx.ReadTimeout("slow"), 504, "upstream_timeout",
     "The employer's system is not answering right now", True),
    (httpx.Response(200, content=b"<html>maintenance</html>"), 502, "upstream_error",
     "We could not load this job", True),
    (httpx.Response(401), 502, "upstream_error", "We could not load this job", True),
]  # fmt: skip


def operator_text_in(text: str) -> list[str]:
    return [words for words in OPERATOR_TEXT if words in text]


def reference(page: str) -> str:
    found = re.search(r"quote this reference: <code>([^<]+)</code>", page)
    assert found, page
    return found.group(1)


def failure_logs(caplog: pytest.LogCaptureFixture, request_id: str) -> list[logging.LogRecord]:
    return [
        r for r in caplog.records if r.name == "embloy_ats.service" and request_id in r.getMessage()
    ]


@pytest.fixture(autouse=True)
def _service_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="embloy_ats")


@pytest.mark.parametrize(("answer", "status", "code", "title", "retry"), FAILURES)
async def test_the_apply_page_speaks_plain_words_and_offers_a_way_back(
    service: Service,
    caplog: pytest.LogCaptureFixture,
    answer: Any,
    status: int,
    code: str,
    title: str,
    retry: bool,
) -> None:
    token = await service.request_token(cancel_url=BACK)
    service.ats.answer = answer
    page = await service.client.get("/sdk/apply", params={"request_token": token})
    assert page.status_code == status
    assert f'data-code="{code}"' in page.text
    assert f"<h2>{title.replace(chr(39), '&#x27;')}</h2>" in page.text
    assert operator_text_in(page.text) == []
    assert f'<a href="{BACK}">Go back</a>' in page.text
    assert ('<a href="">Try again</a>' in page.text) is retry
    request_id = page.headers[HEADER]
    assert reference(page.text) == request_id
    (logged,) = failure_logs(caplog, request_id)  # the detail, under the same reference
    assert logged.levelno >= logging.WARNING
    assert "fake job '7'" in logged.getMessage()
    assert (logged.__dict__["code"], logged.__dict__["status"]) == (code, status)
    assert logged.__dict__["tenant_id"] == service.tenant_id
    if code == "rate_limited":
        assert page.headers["Retry-After"] == "7"


@pytest.mark.parametrize(("answer", "status", "code", "title", "retry"), FAILURES)
async def test_the_handle_endpoint_answers_the_browser_without_operator_text(
    service: Service,
    caplog: pytest.LogCaptureFixture,
    answer: Any,
    status: int,
    code: str,
    title: str,
    retry: bool,
) -> None:
    token = await service.request_token(cancel_url=BACK)
    service.ats.answer = answer
    response = await service.client.post(HANDLE_PATH, headers={"request_token": token})
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"].startswith(f"{title}. ")
    assert operator_text_in(response.text) == []
    assert error["cancel_url"] == BACK
    assert error["request_id"] == response.headers[HEADER]
    assert len(failure_logs(caplog, error["request_id"])) == 1


async def test_an_expired_link_still_leads_back_to_the_partner(service: Service) -> None:
    client = await service.tokens.verify_client_token(service.client_token)
    expired = service.tokens.issue_request_token(client, "fake", "7", cancel_url=BACK, seconds=-60)
    page = await service.client.get("/sdk/apply", params={"request_token": expired})
    assert page.status_code == 401
    assert "<h2>This link has expired</h2>" in page.text
    assert f'<a href="{BACK}">Go back</a>' in page.text  # its signature still holds
    assert "Try again" not in page.text  # the same link cannot work again
    handled = await service.client.post(HANDLE_PATH, headers={"request_token": expired})
    assert handled.json()["error"]["code"] == "invalid_token"
    assert handled.json()["error"]["cancel_url"] == BACK
    assert service.ats.requests == []


async def test_a_broken_link_names_no_way_back_it_cannot_vouch_for(service: Service) -> None:
    client = await service.tokens.verify_client_token(service.client_token)
    real = service.tokens.issue_request_token(client, "fake", "7", cancel_url=BACK)
    header, payload, _ = real.split(".")
    forged_signature = f"{header}.{payload}.{'A' * 43}"
    foreign = TokenService(SECRET.upper(), service.resolver.store).issue_request_token(
        client, "fake", "7", cancel_url="https://evil.example/", seconds=-60
    )
    for token in ("garbage", forged_signature, foreign, ""):
        page = await service.client.get("/sdk/apply", params={"request_token": token})
        assert page.status_code == 401, token
        assert "<h2>" in page.text
        assert 'href="https://' not in page.text  # no link the token could have planted
        assert "back button" in page.text  # the fallback, in plain words
        assert reference(page.text) == page.headers[HEADER]
        handled = await service.client.post(HANDLE_PATH, headers={"request_token": token})
        assert "cancel_url" not in handled.json()["error"]
        assert operator_text_in(handled.text) == []
    assert service.ats.requests == []


async def test_a_bug_is_an_error_for_the_operator_and_plain_words_for_the_candidate(
    service: Service, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = await service.request_token(cancel_url=BACK)

    async def broken(*_: object) -> None:
        raise RuntimeError("bug with internal detail 0xdeadbeef")

    monkeypatch.setattr(service.resolver, "resolve_detailed", broken)
    page = await service.client.get("/sdk/apply", params={"request_token": token})
    assert page.status_code == 500
    assert "<h2>Something went wrong on our side</h2>" in page.text
    assert "0xdeadbeef" not in page.text
    assert "RuntimeError" not in page.text
    (logged,) = failure_logs(caplog, page.headers[HEADER])
    assert logged.levelno == logging.ERROR
    assert logged.exc_info is not None  # the traceback goes to the log
    handled = await service.client.post(HANDLE_PATH, headers={"request_token": token})
    assert handled.status_code == 500
    assert "0xdeadbeef" not in handled.text


async def test_a_database_that_does_not_answer_is_a_503_with_a_way_back(
    service: Service, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not a bug of ours: the candidate may try again shortly, and the partner's backend
    gets a status it can retry on."""
    token = await service.request_token(cancel_url=BACK)

    async def down(*_: object) -> None:
        raise DatabaseUnavailable("cannot reach the PostgreSQL database: no connection in time")

    monkeypatch.setattr(service.resolver, "resolve_detailed", down)
    page = await service.client.get("/sdk/apply", params={"request_token": token})
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "5"
    assert "Try again" in page.text
    assert f'<a href="{BACK}">Go back</a>' in page.text
    assert "PostgreSQL" not in page.text
    handled = await service.client.post(HANDLE_PATH, headers={"request_token": token})
    assert handled.status_code == 503
    assert handled.json()["error"]["code"] == "service_unavailable"
    assert "PostgreSQL" in " ".join(
        r.getMessage() for r in failure_logs(caplog, page.headers[HEADER])
    )


async def test_a_bug_outside_the_candidate_routes_still_answers_json_with_its_id(
    service: Service, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object, **__: object) -> str:
        raise RuntimeError("bug with internal detail 0xdeadbeef")

    monkeypatch.setattr(service.tokens, "issue_request_token", broken)
    response = await service.client.post(
        "/api/v0/sdk/request/auth/token",
        headers={"client_token": service.client_token},
        data={"mode": "fake", "job_slug": "7"},
    )
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "internal_error"
    assert error["request_id"] == response.headers[HEADER]
    assert "0xdeadbeef" not in response.text
    (logged,) = failure_logs(caplog, error["request_id"])
    assert logged.exc_info is not None


async def test_every_answer_carries_a_request_id_and_a_safe_incoming_one_is_kept(
    service: Service,
) -> None:
    ok = await service.client.post(
        HANDLE_PATH, headers={"request_token": await service.request_token()}
    )
    assert re.fullmatch(r"[0-9a-f]{16}", ok.headers[HEADER])
    again = await service.client.get("/healthz")
    assert again.headers[HEADER] != ok.headers[HEADER]
    kept = await service.client.get("/healthz", headers={HEADER: "lb-7f3a9c21-0001"})
    assert kept.headers[HEADER] == "lb-7f3a9c21-0001"
    for unsafe in ("x" * 65, "short", "two words here", "<script>alert(1)</script>",
                   "a;b=c;d=efgh", "-starts-with-a-dash"):  # fmt: skip
        answer = await service.client.get("/healthz", headers={HEADER: unsafe})
        assert re.fullmatch(r"[0-9a-f]{16}", answer.headers[HEADER]), unsafe
    partner = await service.client.post("/api/v0/sdk/request/auth/token", data={})
    assert partner.json()["error"]["request_id"] == partner.headers[HEADER]


async def test_json_log_lines_carry_the_request_id(
    service: Service, capsys: pytest.CaptureFixture[str]
) -> None:
    token = await service.request_token()
    service.ats.answer = httpx.ConnectError("down")
    configure_logging("INFO", "json")
    response = await service.client.post(HANDLE_PATH, headers={"request_token": token})
    request_id = response.headers[HEADER]
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]
    mine = [line for line in lines if line.get("request_id") == request_id]
    assert mine, lines
    failure = next(line for line in mine if line["logger"] == "embloy_ats.service")
    assert (failure["level"], failure["connector"], failure["job_id"]) == ("warning", "fake", "7")
    assert "ConnectError" in failure["message"]
    assert all("request_id" not in line for line in lines if line not in mine)
