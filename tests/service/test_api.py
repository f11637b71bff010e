"""The HTTP API: token exchange, apply handle, every error status, token attacks."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest
from embloy_ats.model import Job
from embloy_ats.public import PublicJob
from embloy_ats.resolver import FreshnessPolicy
from embloy_ats.service.candidate import HandleAnswer

from tests.service.conftest import JOB, SECRET, Service

TOKEN_PATH = "/api/v0/sdk/request/auth/token"
HANDLE_PATH = "/api/v0/sdk/request/handle"


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert body["error"]["request_id"] == response.headers["X-Request-ID"]
    assert "Traceback" not in response.text
    assert "k-acme-1" not in response.text
    assert SECRET not in response.text
    error: dict[str, Any] = body["error"]
    return error


async def test_exchange_form_then_handle(service: Service) -> None:
    token = await service.request_token(success_url="https://partner.example/ok")
    response = await service.client.post(HANDLE_PATH, headers={"request_token": token})
    assert response.status_code == 200
    body = response.json()
    assert body["job"]["slug"] == "fake__7"
    assert body["job"]["title"] == "Backend Engineer"
    assert body["session"]["mode"] == "fake"
    assert body["session"]["job_slug"] == "7"
    assert body["session"]["success_url"] == "https://partner.example/ok"
    assert body["session"]["source"] == "upstream"
    again = await service.client.post(HANDLE_PATH, headers={"request_token": token})
    assert again.json()["session"]["source"] == "store"
    assert len(service.ats.requests) == 1


async def test_exchange_accepts_json_and_embloy_slugs(service: Service) -> None:
    response = await service.client.post(
        TOKEN_PATH,
        headers={"client_token": service.client_token},
        json={"mode": "fake", "job_slug": "fake__7"},
    )
    assert response.status_code == 200
    claims = jwt.decode(response.json()["request_token"], options={"verify_signature": False})
    assert claims["job_slug"] == "7"
    assert claims["exp"] - claims["iat"] == 30 * 60


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        ({"mode": "fake"}, 400, "bad_request"),
        ({"job_slug": "7"}, 400, "bad_request"),
        ({"mode": "fake", "job_slug": "../7"}, 400, "invalid_job_slug"),
        ({"mode": "fake", "job_slug": "7?x=1"}, 400, "invalid_job_slug"),
        ({"mode": "nope", "job_slug": "7"}, 400, "bad_request"),
        ({"mode": "greenhouse", "job_slug": "7"}, 400, "not_connected"),
        (
            {"mode": "fake", "job_slug": "7", "success_url": "javascript:alert(1)"},
            400,
            "bad_request",
        ),
    ],
)
async def test_exchange_refuses_bad_input(
    service: Service, data: dict[str, str], status: int, code: str
) -> None:
    response = await service.client.post(
        TOKEN_PATH, headers={"client_token": service.client_token}, data=data
    )
    assert_error(response, status, code)


def forged(claims: dict[str, Any], key: bytes | str, alg: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=alg)


def unsigned(claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


async def test_client_token_attacks(service: Service) -> None:
    real = jwt.decode(service.client_token, options={"verify_signature": False})
    now = int(time.time())
    attacks = {
        "missing": None,
        "garbage": "not-a-token",
        "alg none": unsigned(real),
        "wrong key": forged(real, "x" * 40),
        "raw secret as key": forged(real, SECRET),
        "HS512": forged(real, SECRET, "HS512"),
        "expired": forged(real | {"exp": now - 60}, SECRET),
        "no exp": forged({k: v for k, v in real.items() if k != "exp"}, SECRET),
        "tampered tenant": service.client_token[:-4] + "AAAA",
    }
    for name, token in attacks.items():
        headers = {"client_token": token} if token else {}
        response = await service.client.post(
            TOKEN_PATH, headers=headers, data={"mode": "fake", "job_slug": "7"}
        )
        assert response.status_code == 401, name
        assert_error(response, 401, "invalid_token")


async def test_revoked_client_token_stops_working(service: Service) -> None:
    await service.request_token()
    await service.tokens.revoke(service.client_token)
    response = await service.client.post(
        TOKEN_PATH,
        headers={"client_token": service.client_token},
        data={"mode": "fake", "job_slug": "7"},
    )
    assert "revoked" in assert_error(response, 401, "invalid_token")["message"]


async def test_token_kinds_cannot_stand_in_for_each_other(service: Service) -> None:
    request_token = await service.request_token()
    as_client = await service.client.post(
        TOKEN_PATH, headers={"client_token": request_token}, data={"mode": "fake", "job_slug": "7"}
    )
    assert_error(as_client, 401, "invalid_token")
    as_request = await service.client.post(
        HANDLE_PATH, headers={"request_token": service.client_token}
    )
    assert_error(as_request, 401, "invalid_token")


async def test_request_tokens_are_bound_to_their_slug_and_expire(service: Service) -> None:
    token = await service.request_token()
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    swapped = base64.urlsafe_b64encode(json.dumps(claims | {"job_slug": "8"}).encode()).rstrip(b"=")
    response = await service.client.post(
        HANDLE_PATH, headers={"request_token": f"{header}.{swapped.decode()}.{signature}"}
    )
    assert_error(response, 401, "invalid_token")
    client = await service.tokens.verify_client_token(service.client_token)
    stale = service.tokens.issue_request_token(client, "fake", "7", seconds=-60)
    expired = await service.client.post(HANDLE_PATH, headers={"request_token": stale})
    assert "expired" in assert_error(expired, 401, "invalid_token")["message"]
    assert service.ats.requests == []


async def test_another_tenants_token_reaches_only_its_own_jobs(service: Service) -> None:
    await service.client.post(HANDLE_PATH, headers={"request_token": await service.request_token()})
    other = await service.resolver.create_tenant("globex")
    other_token, _ = await service.tokens.issue_client_token(other.id)
    response = await service.client.post(
        TOKEN_PATH, headers={"client_token": other_token}, data={"mode": "fake", "job_slug": "7"}
    )
    assert_error(response, 400, "not_connected")
    other_client = await service.tokens.verify_client_token(other_token)
    forged_request = service.tokens.issue_request_token(other_client, "fake", "7")
    handled = await service.client.post(HANDLE_PATH, headers={"request_token": forged_request})
    assert_error(handled, 400, "not_connected")
    assert len(service.ats.requests) == 1


@pytest.mark.parametrize(
    ("answer", "status", "code"),
    [
        (httpx.Response(404), 404, "job_not_found"),
        (httpx.Response(200, json=JOB | {"status": "closed"}), 404, "job_gone"),
        (httpx.Response(429, headers={"Retry-After": "7"}), 429, "rate_limited"),
        (httpx.Response(503), 503, "upstream_unavailable"),
        (httpx.ConnectError("down"), 503, "upstream_unavailable"),
        (httpx.ReadTimeout("slow"), 504, "upstream_timeout"),
        (httpx.Response(200, content=b"<html>maintenance</html>"), 502, "upstream_error"),
        (httpx.Response(401), 502, "upstream_error"),
    ],
)
async def test_handle_maps_upstream_failures(
    service: Service, answer: Any, status: int, code: str
) -> None:
    token = await service.request_token()
    service.ats.answer = answer
    response = await service.client.post(HANDLE_PATH, headers={"request_token": token})
    assert_error(response, status, code)
    if status == 429:
        assert response.headers["Retry-After"] == "7"


async def test_unknown_routes_and_methods_answer_json(service: Service) -> None:
    assert_error(await service.client.get("/nope"), 404, "not_found")
    assert_error(await service.client.get(TOKEN_PATH), 405, "method_not_allowed")


async def test_oversized_bodies_are_refused(service: Service) -> None:
    response = await service.client.post(
        TOKEN_PATH, headers={"client_token": service.client_token}, content=b"a=" + b"x" * 20000
    )
    assert_error(response, 413, "body_too_large")


class _Sent:
    """A request body of `total` bytes that counts how much of it was ever read."""

    def __init__(self, total: int, chunk: int = 64 * 1024) -> None:
        self.total, self.chunk, self.read = total, chunk, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.read < self.total:
            self.read += self.chunk
            yield b"a=" + b"x" * (self.chunk - 2)


async def test_a_huge_streamed_body_is_refused_after_the_cap(service: Service) -> None:
    """64 MiB sent chunked (no Content-Length): the cap answers 413 once it is passed,
    instead of after buffering the whole body."""
    body = _Sent(64 * 1024 * 1024)
    response = await service.client.post(
        TOKEN_PATH, headers={"client_token": service.client_token}, content=body
    )
    assert_error(response, 413, "body_too_large")
    assert body.read <= 2 * body.chunk, f"{body.read} bytes were read for a 16 KiB cap"


async def test_a_content_length_over_the_cap_is_refused_unread(service: Service) -> None:
    body = _Sent(64 * 1024 * 1024)
    response = await service.client.post(
        TOKEN_PATH,
        headers={"client_token": service.client_token, "content-length": str(body.total)},
        content=body,
    )
    assert_error(response, 413, "body_too_large")
    assert body.read == 0


async def test_health_metrics_and_openapi(service: Service) -> None:
    assert (await service.client.get("/healthz")).json() == {"status": "ok"}
    await service.client.post(HANDLE_PATH, headers={"request_token": await service.request_token()})
    metrics = (await service.client.get("/metrics")).text
    assert 'embloy_ats_resolves_total{connector="fake",outcome="upstream"}' in metrics
    schema = (await service.client.get("/openapi.json")).json()
    assert {TOKEN_PATH, HANDLE_PATH, "/healthz", "/metrics", "/sdk/apply"} <= set(schema["paths"])
    body = schema["paths"][TOKEN_PATH]["post"]["requestBody"]["content"]
    assert "application/x-www-form-urlencoded" in body


async def test_apply_page_renders_the_job_and_its_form(service: Service) -> None:
    token = await service.request_token(cancel_url="https://partner.example/back")
    page = await service.client.get("/sdk/apply", params={"request_token": token})
    assert page.status_code == 200
    assert "<h1>Backend Engineer</h1>" in page.text
    assert 'href="https://partner.example/back"' in page.text
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["Referrer-Policy"] == "no-referrer"
    broken = await service.client.get("/sdk/apply", params={"request_token": "x"})
    assert broken.status_code == 401
    assert "could not open this application" in broken.text


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/docs/oauth2-redirect"])
async def test_no_interactive_docs_load_third_party_scripts(service: Service, path: str) -> None:
    """Swagger UI and ReDoc would load scripts from a CDN onto the service's origin; the
    description stays at /openapi.json for any viewer."""
    assert_error(await service.client.get(path), 404, "not_found")
    assert (await service.client.get("/openapi.json")).status_code == 200


async def test_a_stored_jobs_public_view_is_built_once_per_tenant_and_version(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The handle answers a stored job's public view as built the first time, for that
    tenant and that fetch of the job: byte for byte the answer of the models, never another
    tenant's view of the same job id, and a job fetched again is answered anew."""
    built: list[str] = []
    of = PublicJob.of

    def counted(job: Job) -> PublicJob:
        built.append(job.title)
        return of(job)

    monkeypatch.setattr(PublicJob, "of", staticmethod(counted))
    token = await service.request_token()
    answers = [await service.client.post(HANDLE_PATH, headers={"request_token": token})
               for _ in range(3)]  # fmt: skip
    assert [answer.json()["session"]["source"] for answer in answers] == [
        "upstream",
        "store",
        "store",
    ]
    for answer in answers:
        parsed = HandleAnswer.model_validate_json(answer.content)
        assert answer.content == parsed.model_dump_json().encode()
        assert answer.headers["content-type"] == "application/json"
    assert built == ["Backend Engineer"]

    other = await service.resolver.create_tenant("globex")
    await service.resolver.set_connection("globex", "fake", {"account": "globex"}, {"api_key": "k"})
    other_token, _ = await service.tokens.issue_client_token(other.id)
    exchanged = await service.client.post(
        TOKEN_PATH, headers={"client_token": other_token}, data={"mode": "fake", "job_slug": "7"}
    )
    service.ats.answer = httpx.Response(200, json=JOB | {"title": "Globex role"})
    theirs = await service.client.post(
        HANDLE_PATH, headers={"request_token": exchanged.json()["request_token"]}
    )
    assert theirs.json()["job"]["title"] == "Globex role"
    ours = await service.client.post(HANDLE_PATH, headers={"request_token": token})
    assert ours.json()["job"]["title"] == "Backend Engineer"

    monkeypatch.setattr(service.resolver, "policy", FreshnessPolicy(max_age=0.0))
    service.ats.answer = httpx.Response(200, json=JOB | {"title": "Backend Engineer II"})
    fetched_again = await service.client.post(HANDLE_PATH, headers={"request_token": token})
    assert fetched_again.json()["job"]["title"] == "Backend Engineer II"
    assert built == ["Backend Engineer", "Globex role", "Backend Engineer II"]


async def test_exchanges_read_a_connection_once_per_interval(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A connection an exchange has seen is trusted as long as the client token's record
    (REVOCATION_CHECK_SECONDS; it only goes with its tenant, which takes the client token
    along within the same bound); a missing one is looked for at every exchange."""
    reads: list[tuple[str, str]] = []
    get_connection = service.resolver.store.get_connection

    async def counted(tenant_id: str, mode: str) -> Any:
        reads.append((tenant_id, mode))
        return await get_connection(tenant_id, mode)

    monkeypatch.setattr(service.resolver.store, "get_connection", counted)
    for _ in range(3):
        await service.request_token()
    assert reads == [(service.tenant_id, "fake")]

    other = await service.resolver.create_tenant("globex")
    other_token, _ = await service.tokens.issue_client_token(other.id)
    for _ in range(2):
        refused = await service.client.post(
            TOKEN_PATH,
            headers={"client_token": other_token},
            data={"mode": "fake", "job_slug": "7"},
        )
        assert_error(refused, 400, "not_connected")
    await service.resolver.set_connection("globex", "fake", {"account": "globex"}, {"api_key": "k"})
    connected = await service.client.post(
        TOKEN_PATH, headers={"client_token": other_token}, data={"mode": "fake", "job_slug": "7"}
    )
    assert connected.status_code == 200
    assert reads[1:] == [(other.id, "fake")] * 3

    monkeypatch.setattr(service.tokens, "revocation_check_seconds", 0.0)
    await service.request_token()
    assert reads[4:] == [(service.tenant_id, "fake")]


async def test_the_public_views_kept_are_bounded_by_their_size(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A job's description may be megabytes (an ATS answer up to the HTTP client's limit):
    the views kept are bounded by their characters, not only by their count, so a tenant
    with many large jobs cannot fill the service's memory. A view larger than the whole
    budget is built for every answer; a new view pushes the oldest out."""
    from embloy_ats.service import app as app_module

    built: list[str] = []
    of = PublicJob.of

    def counted(job: Job) -> PublicJob:
        built.append(job.external_id)
        return of(job)

    monkeypatch.setattr(PublicJob, "of", staticmethod(counted))
    monkeypatch.setattr(app_module, "_MAX_VIEW_CHARS", 3000)
    large = JOB | {"id": "7", "description": "<p>" + "x" * 4000 + "</p>"}
    service.ats.answer = httpx.Response(200, json=large)
    token = await service.request_token("7")
    for _ in range(2):
        answer = await service.client.post(HANDLE_PATH, headers={"request_token": token})
        assert answer.status_code == 200, answer.text
    assert built == ["7", "7"], "a view larger than the budget is not kept"

    tokens = {}
    for job_id in ("8", "9"):
        service.ats.answer = httpx.Response(
            200, json=JOB | {"id": job_id, "description": "<p>" + "y" * 900 + "</p>"}
        )
        tokens[job_id] = await service.request_token(job_id)
    for job_id in ("8", "9", "9", "8"):
        answer = await service.client.post(HANDLE_PATH, headers={"request_token": tokens[job_id]})
        assert answer.json()["job"]["slug"].endswith(job_id)
    assert built[2:] == ["8", "9", "8"], "the oldest view made room for the newest"
