"""A Workable job's apply page in a real headless Chromium: its standard fields and custom
questions as a form, the candidate sent on to the partner's page, and the application
delivered to (a fake of) Workable's SPI v3 as Workable takes it."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from embloy_ats.applications import StoredConnectors, Worker, delivery_http_client
from embloy_ats.crypto import KeyRing
from embloy_ats.http import HttpClient
from embloy_ats.resolver import Resolver
from embloy_ats.service.app import create_app
from embloy_ats.service.applications_api import Applications
from embloy_ats.service.runner import serving
from embloy_ats.service.tokens import TokenService
from embloy_ats.store import store_for

from benchmarks.apply_ats import running
from tests.applications.fake_workable import WK_JOB, WK_SAMPLE, WK_TOKEN, FakeWorkable
from tests.resolver.conftest import make_registry
from tests.service.conftest import SECRET
from tests.service.test_apply_page_browser import BACK, CHROMIUM, PARTNER, PDF, _browser

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (.ci/run installs it)"
)


@dataclass
class WorkableSite:
    url: str
    success_url: str
    ats: FakeWorkable
    worker: Worker


@pytest.fixture
async def workable_site(tmp_path: Path) -> AsyncIterator[WorkableSite]:
    """An apply page for the fake Workable's job, read through the SPI v3 with an access
    token; a worker that delivers with the real connector."""
    keys = KeyRing([KeyRing.generate()])
    registry = make_registry()
    async with running(FakeWorkable()) as ats, serving(PARTNER) as partner_url:
        success_url = f"{partner_url}/thanks"
        resolver = Resolver(
            store_for(f"sqlite:///{tmp_path}/apply.db"), keys=keys, registry=registry,
            http=HttpClient(allow_private_network=True),
        )  # fmt: skip
        tokens = TokenService(SECRET, resolver.store)
        applications = Applications.beside(resolver, keys)
        delivery = delivery_http_client(allow_private_network=True)
        connectors = StoredConnectors(resolver.store, keys=keys, registry=registry, http=delivery)
        async with serving(create_app(resolver, tokens, applications=applications)) as url:
            tenant = await resolver.create_tenant("acme")
            await resolver.set_connection(
                "acme", "workable", {"subdomain": "acme", "base_url": ats.url},
                {"access_token": WK_TOKEN},
            )  # fmt: skip
            client_token, _ = await tokens.issue_client_token(tenant.id)
            token = tokens.issue_request_token(
                await tokens.verify_client_token(client_token), "workable", WK_JOB,
                success_url=success_url, cancel_url=BACK,
            )  # fmt: skip
            try:
                yield WorkableSite(
                    f"{url}/sdk/apply?request_token={token}",
                    success_url,
                    ats,
                    Worker(applications.store, connectors),
                )
            finally:
                await delivery.aclose()


async def test_a_candidate_applies_to_a_workable_job_and_workable_gets_it(
    workable_site: WorkableSite,
) -> None:
    from playwright.async_api import FilePayload, async_playwright

    site = workable_site
    async with async_playwright() as playwright:
        browser = await _browser(playwright)
        try:
            context = await browser.new_context(java_script_enabled=False)
            page = await context.new_page()
            response = await page.goto(site.url)
            assert response is not None
            assert response.status == 200
            assert await page.text_content("h1") == "Delivery Engineer"
            assert await page.get_attribute("#q_resume", "accept") == ".pdf,.doc,.docx,.odt,.rtf"
            await page.fill("#q_firstname", "Ada")
            await page.fill("#q_lastname", "Lovelace")
            await page.fill("#q_email", "ada@example.org")
            await page.fill("#q_phone", "+44 20 7946 0958")
            await page.fill("#q_address", "London, United Kingdom")
            await page.fill("#q_summary", "Analyst of engines.")
            await page.fill("#q_cover_letter", "I would like to build the engines.\nThank you.")
            await page.set_input_files(
                "#q_resume",
                files=FilePayload(name="ada-cv.pdf", mimeType="application/pdf", buffer=PDF),
            )
            await page.fill("#q_c4a101", "The engines.")
            await page.check("input[name='answer.c4a102'][value=yes]")
            await page.check("input[name='answer.c4a103'][value=d01]")
            await page.check("input[name='answer.c4a103'][value=d03]")
            await page.select_option("#q_c4a104", "d12")
            await page.select_option("#q_c4a105", "d21")
            await page.fill("#q_c4a106", "12")
            await page.fill("#q_c4a107", "2027-01-15")
            await page.set_input_files(
                "#q_c4a108",
                files=FilePayload(name="sample.txt", mimeType="text/plain", buffer=WK_SAMPLE),
            )
            async with page.expect_navigation(url=f"{site.success_url}**"):
                await page.click("button[type=submit]")
            assert page.url.startswith(f"{site.success_url}?application_id=")
            assert await page.text_content("h1") == "Thanks from the partner"
        finally:
            await browser.close()
    assert await site.worker.run_once() == 1
    (kept,) = site.ats.kept
    assert kept.auth == f"Bearer {WK_TOKEN}"
    candidate = dict(kept.answers["candidate"])
    assert kept.answers["sourced"] is False
    resume = candidate.pop("resume")
    assert (resume["name"], base64.b64decode(resume["data"])) == ("ada-cv.pdf", PDF)
    answers = candidate.pop("answers")
    assert candidate == {
        "firstname": "Ada", "lastname": "Lovelace", "email": "ada@example.org",
        "phone": "+44 20 7946 0958", "address": "London, United Kingdom",
        "summary": "Analyst of engines.",
        "cover_letter": "I would like to build the engines.\nThank you.",
    }  # fmt: skip
    sample = base64.b64encode(WK_SAMPLE).decode()
    assert answers == [
        {"question_key": "c4a101", "body": "The engines."},
        {"question_key": "c4a102", "checked": True},
        {"question_key": "c4a103", "choices": ["d01", "d03"]},
        {"question_key": "c4a104", "choices": ["d12"]},
        {"question_key": "c4a105", "choice": "d21"},
        {"question_key": "c4a106", "number": 12},
        {"question_key": "c4a107", "date": "2027-01-15"},
        {"question_key": "c4a108", "data": sample},
    ]
