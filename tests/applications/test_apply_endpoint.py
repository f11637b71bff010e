"""`POST /api/v0/sdk/apply` and `GET /api/v0/applications/{id}` against the fake ATS that
takes applications: what is accepted, what is refused and how, and what a partner reads."""

from __future__ import annotations

import base64
import json
import logging
import re
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from embloy_ats.applications import ApplicationStatus, Limits
from embloy_ats.service.app import create_app
from embloy_ats.service.applications_api import Applications
from embloy_ats.service.apply_form import FormCaps
from embloy_ats.service.tokens import TokenService

from benchmarks.apply_ats import JOB_ID, MODE
from tests.applications.conftest import PDF, SENTINEL, Pipeline, form

SECRET = "s" * 40
SUCCESS = "https://partner.example/thanks?ref=job-42"
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@dataclass
class Api:
    pipeline: Pipeline
    tokens: TokenService
    client: httpx.AsyncClient
    client_token: str

    async def request_token(
        self, job_id: str = JOB_ID, *, success_url: str | None = SUCCESS, client_token: str = ""
    ) -> str:
        client = await self.tokens.verify_client_token(client_token or self.client_token)
        return self.tokens.issue_request_token(
            client, MODE, job_id, success_url=success_url,
            cancel_url="https://partner.example/back",
        )  # fmt: skip

    async def post(
        self,
        n: int = 0,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        files: Iterable[tuple[str, tuple[str, bytes, str]]] | None = None,
        drop: Iterable[str] = (),
        **answers: list[str],
    ) -> httpx.Response:
        """Post candidate `n`'s valid form, with `answers` changed and `drop` left out."""
        fields, parts = form(n, **answers)
        data: dict[str, Any] = {k: v for k, v in fields.items() if k != "request_token"}
        for name in drop:
            data.pop(name, None)
        data["request_token"] = token if token is not None else await self.request_token()
        if files is None:
            files = [
                (name, (file.name, file.data, file.content_type))
                for name, found in parts.items()
                for file in found
            ]
        return await self.client.post(
            "/api/v0/sdk/apply", data=data, files=list(files), headers=headers or {}
        )


@pytest.fixture
async def api(pipeline: Pipeline) -> AsyncIterator[Api]:
    tokens = TokenService(SECRET, pipeline.resolver.store)
    applications = Applications(pipeline.store, pipeline.service)
    app = create_app(pipeline.resolver, tokens, owns_resolver=False, applications=applications)
    client_token, _ = await tokens.issue_client_token(pipeline.tenant_id)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://embloy.test") as client:
        yield Api(pipeline, tokens, client, client_token)


async def test_an_application_is_accepted_queued_and_delivered_with_its_file(api: Api) -> None:
    answer = await api.post()
    assert answer.status_code == 202, answer.text
    body = answer.json()
    assert body == {
        "application_id": body["application_id"],
        "status": "queued",
        "redirect_url": SUCCESS,
    }
    status = await api.client.get(
        f"/api/v0/applications/{body['application_id']}",
        headers={"client_token": api.client_token},
    )
    assert status.status_code == 200
    assert status.json()["status"] == "queued"
    assert await api.pipeline.worker().run_once() == 1
    (kept,) = api.pipeline.ats.kept
    assert kept.reference == body["application_id"]
    assert kept.answers["languages"] == ["en", "de"]
    assert kept.answers["permit"] is True
    (resume,) = kept.files
    assert base64.b64decode(resume["data"]) == PDF
    delivered = await api.client.get(
        f"/api/v0/applications/{body['application_id']}",
        headers={"client_token": api.client_token},
    )
    shown = delivered.json()
    assert set(shown) == {"application_id", "status", "attempts", "ats_application_id",
                          "last_error", "created_at", "delivered_at"}  # fmt: skip
    assert shown["status"] == "delivered"
    assert shown["attempts"] == 1
    assert shown["ats_application_id"] == kept.ats_id
    assert shown["delivered_at"] is not None


async def test_the_request_token_may_come_as_a_header(api: Api) -> None:
    token = await api.request_token()
    answer = await api.post(token="", headers={"request_token": token})
    assert answer.status_code == 202, answer.text


async def test_another_tenants_client_token_sees_no_application(api: Api) -> None:
    accepted = (await api.post()).json()["application_id"]
    other = await api.pipeline.resolver.create_tenant("other")
    other_token, _ = await api.tokens.issue_client_token(other.id)
    for token, expected in ((other_token, 404), ("forged", 401), (api.client_token, 200)):
        seen = await api.client.get(
            f"/api/v0/applications/{accepted}", headers={"client_token": token}
        )
        assert seen.status_code == expected, seen.text
    unknown = await api.client.get(
        "/api/v0/applications/" + "0" * 32, headers={"client_token": api.client_token}
    )
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "application_not_found"


async def test_a_browser_is_sent_on_to_the_success_url_with_the_application_id(api: Api) -> None:
    answer = await api.post(headers=BROWSER)
    assert answer.status_code == 303
    location = answer.headers["location"]
    (application_id,) = re.findall(r"application_id=([0-9a-f]{32})$", location)
    assert location == f"{SUCCESS}&application_id={application_id}"
    assert await api.pipeline.status(application_id) is ApplicationStatus.QUEUED


async def test_without_a_success_url_a_browser_gets_the_thank_you_page(api: Api) -> None:
    token = await api.request_token(success_url=None)
    answer = await api.post(token=token, headers=BROWSER)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sdk/apply/thanks"
    json_answer = await api.post(1, token=token)
    assert json_answer.json()["redirect_url"] is None
    page = await api.client.get("/sdk/apply/thanks")
    assert page.status_code == 200
    assert "your application is on its way" in page.text
    assert "form-action 'self'" in page.headers["content-security-policy"]


async def test_invalid_answers_are_refused_per_field_and_nothing_is_stored(api: Api) -> None:
    typed = f"{SENTINEL}typed"
    answer = await api.post(
        drop=["answer.name"],
        start=["s9"],
        years=[f"{typed} years"],
        available=[f"{typed}-13-45"],
        email=[f"{typed} at example"],
        files=[("answer.resume", (f"{SENTINEL}.pdf", PNG, "application/pdf"))],
    )
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "invalid_application"
    assert set(error["fields"]) == {
        "answer.name", "answer.start", "answer.years", "answer.available", "answer.email",
        "answer.resume",
    }  # fmt: skip
    assert "needs an answer" in error["fields"]["answer.name"]
    assert "listed options" in error["fields"]["answer.start"]
    assert "not accepted" in error["fields"]["answer.resume"]  # judged by content: a PNG
    assert SENTINEL not in answer.text, "no message repeats what was typed"
    assert await api.pipeline.store.list_applications() == []


async def test_a_file_over_the_cap_is_refused_on_its_field(pipeline: Pipeline) -> None:
    small = Limits(max_file_bytes=1024)
    pipeline.service.limits = small
    tokens = TokenService(SECRET, pipeline.resolver.store)
    app = create_app(
        pipeline.resolver, tokens, owns_resolver=False,
        applications=Applications(pipeline.store, pipeline.service),
    )  # fmt: skip
    client_token, _ = await tokens.issue_client_token(pipeline.tenant_id)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://embloy.test") as client:
        api = Api(pipeline, tokens, client, client_token)
        big = PDF + b"%" * 4096
        answer = await api.post(files=[("answer.resume", ("cv.pdf", big, "application/pdf"))])
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["fields"] == {
        "answer.resume": "The file is larger than 1 KiB; attach a smaller one."
    }
    assert await pipeline.store.list_applications() == []


class Counting:
    """A request body that counts what the app pulled from it."""

    def __init__(self, total: int, chunk: int = 64 * 1024) -> None:
        self.total, self.chunk, self.sent = total, chunk, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        boundary = b"--b0undary\r\n"
        head = boundary + b'Content-Disposition: form-data; name="answer.resume"; '
        head += b'filename="huge.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
        self.sent += len(head)
        yield head
        while self.sent < self.total:
            self.sent += self.chunk
            yield b"%" * self.chunk


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
async def test_a_huge_body_is_refused_without_being_read(api: Api, declared: bool) -> None:
    total = 64 * 1024 * 1024
    body = Counting(total)
    headers = {
        "content-type": "multipart/form-data; boundary=b0undary",
        "request_token": await api.request_token(),
    }
    if declared:
        headers["content-length"] = str(total)
    answer = await api.client.post("/api/v0/sdk/apply", content=body, headers=headers)
    assert answer.status_code == 413, answer.text
    assert answer.json()["error"]["code"] == "body_too_large"
    assert answer.headers["connection"] == "close", "the rest is not read: the connection ends"
    cap = FormCaps.of(api.pipeline.service.limits).max_body
    if declared:
        assert body.sent == 0, "refused on its Content-Length, before reading"
    else:
        assert body.sent <= cap + body.chunk, "refused as soon as the cap was passed"
    assert body.sent < total / 2
    assert await api.pipeline.store.list_applications() == []


async def test_the_same_idempotency_key_answers_the_original_and_queues_nothing(
    api: Api,
) -> None:
    key = {"Idempotency-Key": "0b9c4f7e-3d1a-4c55-9e2f-6a7b8c9d0e1f"}
    first = await api.post(headers=key)
    again = await api.post(headers=key)
    assert first.status_code == again.status_code == 202
    assert again.json() == first.json()
    assert len(await api.pipeline.store.list_applications()) == 1
    other = await api.post(headers=key, name=["Someone Else"])
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    malformed = await api.post(headers={"Idempotency-Key": "no spaces allowed"})
    assert malformed.status_code == 400
    assert malformed.json()["error"]["code"] == "invalid_idempotency_key"
    assert len(await api.pipeline.store.list_applications()) == 1


async def test_the_forms_own_key_makes_a_double_submit_one_application(api: Api) -> None:
    """The page carries a key of its own: two clicks on Send are one application."""
    fields, _ = form(0)
    data = {k: v for k, v in fields.items() if k != "request_token"}
    data |= {"request_token": [await api.request_token()], "idempotency_key": ["page-key-1"]}
    files = [("answer.resume", ("cv.pdf", PDF, "application/pdf"))]
    clicks = [
        await api.client.post("/api/v0/sdk/apply", data=data, files=files, headers=BROWSER)
        for _ in range(2)
    ]
    assert [click.status_code for click in clicks] == [303, 303]
    assert clicks[0].headers["location"] == clicks[1].headers["location"]
    assert len(await api.pipeline.store.list_applications()) == 1


async def test_a_bad_token_is_refused_before_the_body_is_read(api: Api) -> None:
    body = Counting(1024 * 1024)
    answer = await api.client.post(
        "/api/v0/sdk/apply",
        content=body,
        headers={"content-type": "multipart/form-data; boundary=b0undary",
                 "request_token": "forged"},
    )  # fmt: skip
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "invalid_token"
    assert body.sent == 0
    in_the_form = await api.post(token="forged", headers=BROWSER)
    assert in_the_form.status_code == 401
    assert "We could not send your application" in in_the_form.text
    assert "This link does not work" in in_the_form.text
    assert "form-action 'self'" in in_the_form.headers["content-security-policy"]


async def test_not_a_multipart_form_is_refused(api: Api) -> None:
    answer = await api.client.post(
        "/api/v0/sdk/apply",
        json={"answer.name": "Ada"},
        headers={"request_token": await api.request_token()},
    )
    assert answer.status_code == 415
    assert answer.json()["error"]["code"] == "unsupported_media_type"


async def test_a_job_not_loaded_yet_is_resolved_as_the_page_would(api: Api) -> None:
    token = await api.request_token("4242")
    assert await api.pipeline.resolver.store.get_job(api.pipeline.tenant_id, MODE, "4242") is None
    answer = await api.post(token=token)
    assert answer.status_code == 202, answer.text
    assert await api.pipeline.resolver.store.get_job(api.pipeline.tenant_id, MODE, "4242")


async def test_a_connector_that_cannot_submit_gets_a_typed_error_and_no_form(
    api: Api,
) -> None:
    resolver = api.pipeline.resolver
    await resolver.set_connection("acme", "fake", {"account": "acme"})
    client = await api.tokens.verify_client_token(api.client_token)
    token = api.tokens.issue_request_token(
        client, "fake", "7", cancel_url="https://partner.example/back"
    )
    answer = await api.post(token=token)
    assert answer.status_code == 409
    error = answer.json()["error"]
    assert error["code"] == "submission_unsupported"
    assert error["cancel_url"] == "https://partner.example/back"
    assert "apply on the employer's own site" in error["message"]
    assert "fake" not in error["message"], "operator detail stays in the log"
    assert await api.pipeline.store.list_applications() == []


async def test_a_browser_gets_its_form_back_with_each_error_and_its_answers(api: Api) -> None:
    token = await api.request_token()
    answer = await api.post(
        token=token, headers=BROWSER, drop=["answer.name"],
        letter=["I'd like <b>this</b> job"],
    )  # fmt: skip
    assert answer.status_code == 422
    page = answer.text
    assert "form-action 'self'" in answer.headers["content-security-policy"]
    assert '<p class="error" id="e_name">This question needs an answer.</p>' in page
    assert 'value="jane.zq7sentinel.0@example.org"' in page, "the candidate's own answers"
    assert "I&#x27;d like &lt;b&gt;this&lt;/b&gt; job</textarea>" in page
    assert '<input type="checkbox" name="answer.languages" value="de" checked>' in page
    assert "Attach the file again" in page
    assert f'<input type="hidden" name="request_token" value="{token}">' in page
    assert await api.pipeline.store.list_applications() == []


async def test_the_page_lets_its_form_go_to_the_partners_success_page_only(api: Api) -> None:
    """Browsers hold a form post's redirect to `form-action`: the partner's origin is
    allowed on the page that holds the form, and nothing else."""
    token = await api.request_token()
    page = await api.client.get("/sdk/apply", params={"request_token": token})
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "form-action 'self' https://partner.example;" in policy
    assert "default-src 'none'" in policy
    assert '<input type="hidden" name="idempotency_key" value="' in page.text
    second = await api.client.get("/sdk/apply", params={"request_token": token})
    keys = [
        re.findall(r'name="idempotency_key" value="([^"]+)"', text)[0]
        for text in (page.text, second.text)
    ]
    assert keys[0] != keys[1], "each rendering is a new application"
    no_success = await api.request_token(success_url=None)
    plain = await api.client.get("/sdk/apply", params={"request_token": no_success})
    assert "form-action 'self';" in plain.headers["content-security-policy"]


async def test_nothing_a_candidate_sent_reaches_the_log(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    assert (await api.post()).status_code == 202
    assert (await api.post(1, drop=["answer.name"])).status_code == 422
    assert (await api.post(2, headers=BROWSER, years=["many"])).status_code == 422
    assert (await api.post(3, headers={"Idempotency-Key": f"{SENTINEL} key"})).status_code == 400
    logged = [(r.getMessage(), json.dumps(r.__dict__, default=str)) for r in caplog.records]
    assert any("application accepted" in message for message, _ in logged)
    assert any("application refused" in message for message, _ in logged)
    assert not [entry for entry in logged if SENTINEL in entry[0] + entry[1]]
