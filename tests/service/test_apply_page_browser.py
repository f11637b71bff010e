"""The apply page in a real headless Chromium: the job, its questions as a working form that
posts without a script, the candidate sent on to the partner's page, and the application
delivered to the ATS; errors shown next to their fields with the answers kept."""

from __future__ import annotations

import base64
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from embloy_ats.applications import StoredConnectors, Worker, delivery_http_client
from embloy_ats.crypto import KeyRing
from embloy_ats.http import HttpClient
from embloy_ats.resolver import Resolver
from embloy_ats.sandbox import Sandbox
from embloy_ats.service.app import create_app
from embloy_ats.service.applications_api import Applications
from embloy_ats.service.runner import serving
from embloy_ats.service.tokens import TokenService
from embloy_ats.store import store_for
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from benchmarks.apply_ats import JOB_ID, MODE, ApplyAts, registry_with_apply_ats, running_apply_ats
from tests.conftest import CASSETTES
from tests.resolver.conftest import make_registry
from tests.service.conftest import SECRET

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (.ci/run installs it)"
)
# As root and on a closed network: no sandbox, no background connections.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
BACK = "https://partner.example/back"
PDF = b"%PDF-1.7\n% the candidate's CV\n%%EOF\n"


@pytest.fixture
async def greenhouse_url(tmp_path: Path) -> AsyncIterator[str]:
    """An apply page for Greenhouse's documented job 44444, served from its recorded answer,
    by a service without encryption keys: it takes no applications."""
    sandbox = Sandbox(sorted((CASSETTES / "greenhouse").glob("found_docs_example_44444.yaml")))
    async with serving(sandbox.app) as ats_url:
        resolver = Resolver(
            store_for(f"sqlite:///{tmp_path}/browser.db"),
            http=HttpClient(allow_private_network=True),
        )
        tokens = TokenService(SECRET, resolver.store)
        async with serving(create_app(resolver, tokens)) as service_url:
            tenant = await resolver.create_tenant("acme")
            await resolver.set_connection(
                "acme", "greenhouse", {"board_token": "acme", "base_url": ats_url}
            )
            client_token, _ = await tokens.issue_client_token(tenant.id)
            token = tokens.issue_request_token(
                await tokens.verify_client_token(client_token), "greenhouse", "44444",
                cancel_url=BACK,
            )  # fmt: skip
            yield f"{service_url}/sdk/apply?request_token={token}"


@dataclass
class Site:
    url: str
    #: the partner's page the candidate is sent to after applying.
    success_url: str
    ats: ApplyAts
    worker: Worker


async def _thanks(request: Request) -> Response:
    return HTMLResponse("<h1>Thanks from the partner</h1>")


PARTNER = Starlette(routes=[Route("/thanks", _thanks)])


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[Site]:
    """An apply page for the fake ATS's job, whose connector submits; a worker to deliver."""
    keys = KeyRing([KeyRing.generate()])
    registry = registry_with_apply_ats(make_registry())
    async with running_apply_ats() as ats, serving(PARTNER) as partner_url:
        success_url = f"{partner_url}/thanks"
        resolver = Resolver(
            store_for(f"sqlite:///{tmp_path}/apply.db"), keys=keys, registry=registry,
            http=HttpClient(allow_private_network=True),
        )  # fmt: skip
        tokens = TokenService(SECRET, resolver.store)
        applications = Applications.beside(resolver, keys)
        delivery = delivery_http_client(allow_private_network=True)
        connectors = StoredConnectors(resolver.store, keys=keys, registry=registry, http=delivery)
        app = create_app(resolver, tokens, applications=applications)
        async with serving(app) as service_url:
            tenant = await resolver.create_tenant("acme")
            await resolver.set_connection("acme", MODE, {"base_url": ats.url})
            client_token, _ = await tokens.issue_client_token(tenant.id)
            token = tokens.issue_request_token(
                await tokens.verify_client_token(client_token), MODE, JOB_ID,
                success_url=success_url, cancel_url=BACK,
            )  # fmt: skip
            try:
                yield Site(
                    f"{service_url}/sdk/apply?request_token={token}",
                    success_url,
                    ats,
                    Worker(applications.store, connectors),
                )
            finally:
                await delivery.aclose()


async def _browser(playwright: Any) -> Any:
    return await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


async def _fill_every_question(page: Any) -> None:
    from playwright.async_api import FilePayload

    await page.fill("#q_name", "Ada Lovelace")
    await page.fill("#q_email", "ada@example.org")
    await page.fill("#q_phone", "+44 20 7946 0958")
    await page.set_input_files(
        "#q_resume", files=FilePayload(name="ada-cv.pdf", mimeType="application/pdf", buffer=PDF)
    )
    await page.fill("#q_letter", "I would like to build the engines.\nThank you.")
    await page.check("input[name='answer.permit'][value=yes]")
    await page.select_option("#q_start", "s2")
    await page.check("input[name='answer.languages'][value=en]")
    await page.check("input[name='answer.languages'][value=fr]")
    await page.fill("#q_years", "7.5")
    await page.fill("#q_available", "2027-01-15")
    await page.fill("#q_profile", "linkedin.com/in/ada")
    await page.fill("#q_city", "London")


async def test_a_candidate_applies_without_javascript_and_the_ats_gets_it(site: Site) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await _browser(playwright)
        try:
            context = await browser.new_context(java_script_enabled=False)
            page = await context.new_page()
            errors: list[str] = []
            page.on("console", lambda message: errors.append(message.text))
            response = await page.goto(site.url)
            assert response is not None
            assert response.status == 200
            assert await page.text_content("h1") == "Delivery Engineer"
            kinds = [
                await node.get_attribute("data-type")
                for node in await page.locator("[data-type]").all()
            ]
            assert sorted(set(kinds)) == sorted(
                {"short_text", "email", "phone", "file", "long_text", "yes_no", "single_choice",
                 "multiple_choice", "number", "date", "link", "location"}
            )  # fmt: skip
            assert await page.get_attribute("#q_resume", "accept") == ".pdf,.docx,.txt"
            assert await page.locator("fieldset#q_permit legend").text_content() == (
                "Allowed to work here? *"
            )
            assert await page.get_attribute(f"a[href='{BACK}']", "href") == BACK
            await _fill_every_question(page)
            async with page.expect_navigation(url=f"{site.success_url}**"):
                await page.click("button[type=submit]")
            assert page.url.startswith(f"{site.success_url}?application_id=")
            assert await page.text_content("h1") == "Thanks from the partner"
            application_id = page.url.rsplit("=", 1)[1]
            assert not [e for e in errors if "Content Security Policy" in e]
        finally:
            await browser.close()
    assert await site.worker.run_once() == 1
    (kept,) = site.ats.kept
    assert kept.reference == application_id
    assert kept.answers == {
        "name": "Ada Lovelace", "email": "ada@example.org", "phone": "+44 20 7946 0958",
        "letter": "I would like to build the engines.\nThank you.", "permit": True,
        "start": "s2", "languages": ["en", "fr"], "years": "7.5", "available": "2027-01-15",
        "profile": "https://linkedin.com/in/ada", "city": "London",
    }  # fmt: skip
    (resume,) = kept.files
    assert (resume["question"], resume["name"]) == ("resume", "ada-cv.pdf")
    assert base64.b64decode(resume["data"]) == PDF


async def test_a_required_answer_left_empty_is_shown_next_to_its_field(site: Site) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await _browser(playwright)
        try:
            page = await browser.new_page()
            await page.goto(site.url)
            await _fill_every_question(page)
            await page.fill("#q_name", "")
            # The browser would stop an empty required field itself; the server's check is
            # what every other client meets, so let this one through.
            await page.locator("form#apply").evaluate("form => { form.noValidate = true; }")
            async with page.expect_navigation() as navigation:
                await page.click("button[type=submit]")
            response = await navigation.value
            assert response is not None
            assert response.status == 422
            assert await page.text_content("#e_name") == "This question needs an answer."
            described = await page.get_attribute("#q_name", "aria-describedby")
            assert described == "e_name"
            assert await page.input_value("#q_email") == "ada@example.org"
            assert await page.input_value("#q_years") == "7.5"
            assert await page.input_value("#q_start") == "s2"
            assert await page.is_checked("input[name='answer.permit'][value=yes]")
            assert await page.is_checked("input[name='answer.languages'][value=fr]")
            assert not await page.is_checked("input[name='answer.languages'][value=de]")
            assert await page.input_value("#q_letter") == (
                "I would like to build the engines.\nThank you."
            )
            assert "Attach the file again" in (
                await page.text_content("div[data-question=resume]") or ""
            )
            assert "need attention" in (await page.text_content("div.summary") or "")
        finally:
            await browser.close()
    assert site.ats.kept == []
    assert await site.worker.run_once() == 0, "nothing was stored"


async def test_a_greenhouse_job_shows_its_standard_and_consent_questions(
    greenhouse_url: str,
) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await _browser(playwright)
        try:
            page = await browser.new_page()
            response = await page.goto(greenhouse_url)
            assert response is not None
            assert response.status == 200
            assert await page.text_content("h1") == "Product Engineer"
            header = await page.text_content("header") or ""
            assert "San Francisco, CA, US" in header
            assert "salary USD 50,000-75,000" in header
            questions = page.locator(".q")
            # the standard fields of every Greenhouse application, the job's questions, and
            # the three GDPR consents its data_compliance requires
            assert await questions.count() == 11
            kinds = [await questions.nth(i).get_attribute("data-type") for i in range(11)]
            assert kinds == [
                "short_text", "short_text", "email", "phone", "file", "file", "location",
                "yes_no", "yes_no", "yes_no", "yes_no",
            ]  # fmt: skip
            assert await page.get_attribute("#q_resume", "accept") == ".pdf,.doc,.docx,.txt,.rtf"
            # Greenhouse submits, but this service has no keys to store applications: the
            # page shows the questions, no form, and says so with the way back
            assert await page.locator("form").count() == 0
            closed = await page.text_content("section.closed") or ""
            assert "through Embloy" in closed
            assert await page.get_attribute(f"a[href='{BACK}']", "href") == BACK
        finally:
            await browser.close()


async def test_a_bad_token_shows_an_error_page(greenhouse_url: str) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await _browser(playwright)
        try:
            page = await browser.new_page()
            response = await page.goto(greenhouse_url.split("?", 1)[0] + "?request_token=forged")
            assert response is not None
            assert response.status == 401
            assert "could not open this application" in (await page.text_content("h1") or "")
            assert await page.text_content("h2") == "This link does not work"
            assert "back button" in (await page.text_content("main") or "")
            assert await page.locator("main a").count() == 0  # no way back it cannot vouch for
            reference = await page.text_content("p.ref code")
            assert reference == await response.header_value("x-request-id")
        finally:
            await browser.close()
