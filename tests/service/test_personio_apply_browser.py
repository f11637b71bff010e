"""The apply page of a Personio job in a real headless Chromium: the job read from the
career-site feed, its standard fields as a form, and the application delivered to a fake
Personio (documents uploaded, then the application naming them)."""

from __future__ import annotations

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
from tests.applications.fake_personio import (
    PERSONIO_CLIENT,
    PERSONIO_COMPANY,
    PERSONIO_COMPANY_ID,
    PERSONIO_JOB,
    FakePersonio,
)
from tests.resolver.conftest import make_registry
from tests.service.conftest import SECRET
from tests.service.test_apply_page_browser import BACK, CHROMIUM, PARTNER, _browser

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (.ci/run installs it)"
)
CV = b"%PDF-1.7\n% the candidate's CV\n%%EOF\n"
LETTER = b"%PDF-1.7\n% the candidate's cover letter\n%%EOF\n"


@dataclass
class PersonioSite:
    url: str
    success_url: str
    ats: FakePersonio
    worker: Worker


@pytest.fixture
async def personio_site(tmp_path: Path) -> AsyncIterator[PersonioSite]:
    keys = KeyRing([KeyRing.generate()])
    registry = make_registry()
    async with running(FakePersonio()) as ats, serving(PARTNER) as partner_url:
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
            await resolver.set_connection(
                "acme", "personio",
                {"company": PERSONIO_COMPANY, "company_id": PERSONIO_COMPANY_ID,
                 "base_url": ats.url},
                PERSONIO_CLIENT,
            )  # fmt: skip
            client_token, _ = await tokens.issue_client_token(tenant.id)
            token = tokens.issue_request_token(
                await tokens.verify_client_token(client_token), "personio", PERSONIO_JOB,
                success_url=success_url, cancel_url=BACK,
            )  # fmt: skip
            try:
                yield PersonioSite(
                    f"{service_url}/sdk/apply?request_token={token}",
                    success_url,
                    ats,
                    Worker(applications.store, connectors),
                )
            finally:
                await delivery.aclose()


async def test_a_candidate_applies_to_a_personio_job_and_personio_gets_it(
    personio_site: PersonioSite,
) -> None:
    from playwright.async_api import FilePayload, async_playwright

    async with async_playwright() as playwright:
        browser = await _browser(playwright)
        try:
            context = await browser.new_context(java_script_enabled=False)
            page = await context.new_page()
            response = await page.goto(personio_site.url)
            assert response is not None
            assert response.status == 200
            assert await page.text_content("h1") == "Delivery Engineer (m/w/d)"
            kinds = [
                await node.get_attribute("data-type")
                for node in await page.locator(".q[data-type]").all()
            ]
            assert kinds == [
                "short_text", "short_text", "email", "phone", "file", "file", "long_text",
                "date", "short_text",
            ]  # fmt: skip
            assert await page.get_attribute("#q_cv", "accept") == (
                ".pdf,.doc,.docx,.odt,.jpg,.jpeg,.png,.gif"
            )
            await page.fill("#q_first_name", "Ada")
            await page.fill("#q_last_name", "Lovelace")
            await page.fill("#q_email", "ada@example.org")
            await page.fill("#q_phone", "+44 20 7946 0958")
            await page.set_input_files(
                "#q_cv", files=FilePayload(name="ada-cv.pdf", mimeType="application/pdf",
                                           buffer=CV),
            )  # fmt: skip
            await page.set_input_files(
                "[id='q_cover-letter']",
                files=FilePayload(name="ada-letter.pdf", mimeType="application/pdf",
                                  buffer=LETTER),
            )  # fmt: skip
            await page.fill("#q_message", "I would like to build the engines.")
            await page.fill("#q_available_from", "2027-01-15")
            async with page.expect_navigation(url=f"{personio_site.success_url}**"):
                await page.click("button[type=submit]")
            assert await page.text_content("h1") == "Thanks from the partner"
        finally:
            await browser.close()
    assert await personio_site.worker.run_once() == 1
    (kept,) = personio_site.ats.kept
    files = kept.answers.pop("files")
    assert kept.answers == {
        "job_position_id": int(PERSONIO_JOB), "first_name": "Ada", "last_name": "Lovelace",
        "email": "ada@example.org", "message": "I would like to build the engines.",
        "attributes": [{"id": "phone", "value": "+44 20 7946 0958"},
                       {"id": "available_from", "value": "2027-01-15"}],
    }  # fmt: skip
    assert [(f["category"], f["original_filename"]) for f in files] == [
        ("cv", "ada-cv.pdf"), ("cover-letter", "ada-letter.pdf"),
    ]  # fmt: skip
    assert [(f["field"], f["data"]) for f in kept.files] == [("cv", CV), ("cover-letter", LETTER)]
    assert personio_site.ats.uploads == 2
