"""A Recruitee offer's apply page in a real headless Chromium: its standard fields and open
questions as a form, the candidate sent on to the partner's page, and the application
delivered to (a fake of) Recruitee's careers-site API as Recruitee takes it."""

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
from tests.applications.fake_recruitee import RC_SAMPLE, RC_SLUG, FakeRecruitee
from tests.resolver.conftest import make_registry
from tests.service.conftest import SECRET
from tests.service.test_apply_page_browser import BACK, CHROMIUM, PARTNER, PDF, _browser

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (.ci/run installs it)"
)


@dataclass
class RecruiteeSite:
    url: str
    success_url: str
    ats: FakeRecruitee
    worker: Worker


@pytest.fixture
async def recruitee_site(tmp_path: Path) -> AsyncIterator[RecruiteeSite]:
    """An apply page for the fake careers site's offer (no credentials); a worker that
    delivers with the real connector."""
    keys = KeyRing([KeyRing.generate()])
    registry = make_registry()
    async with running(FakeRecruitee()) as ats, serving(PARTNER) as partner_url:
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
                "acme", "recruitee", {"company": "acme", "base_url": ats.url}
            )
            client_token, _ = await tokens.issue_client_token(tenant.id)
            token = tokens.issue_request_token(
                await tokens.verify_client_token(client_token), "recruitee", RC_SLUG,
                success_url=success_url, cancel_url=BACK,
            )  # fmt: skip
            try:
                yield RecruiteeSite(
                    f"{url}/sdk/apply?request_token={token}",
                    success_url,
                    ats,
                    Worker(applications.store, connectors),
                )
            finally:
                await delivery.aclose()


async def test_a_candidate_applies_to_a_recruitee_offer_and_recruitee_gets_it(
    recruitee_site: RecruiteeSite,
) -> None:
    from playwright.async_api import FilePayload, async_playwright

    site = recruitee_site
    async with async_playwright() as playwright:
        browser = await _browser(playwright)
        try:
            context = await browser.new_context(java_script_enabled=False)
            page = await context.new_page()
            response = await page.goto(site.url)
            assert response is not None
            assert response.status == 200
            assert await page.text_content("h1") == "Delivery Engineer"
            await page.fill("#q_name", "Ada Lovelace")
            await page.fill("#q_email", "ada@example.org")
            await page.fill("#q_phone", "+44 20 7946 0958")
            await page.fill("#q_cover_letter", "I would like to build the engines.")
            await page.set_input_files(
                "#q_cv",
                files=FilePayload(name="ada-cv.pdf", mimeType="application/pdf", buffer=PDF),
            )
            await page.fill("#q_7101", "In a month")
            await page.fill("#q_7102", "The engines.")
            await page.check("input[name='answer.7103'][value=yes]")
            await page.select_option("#q_7104", "8101")
            await page.check("input[name='answer.7105'][value='8201']")
            await page.check("input[name='answer.7105'][value='8202']")
            await page.fill("#q_7106", "2027-01-15")
            await page.set_input_files(
                "#q_7107",
                files=FilePayload(name="sample.txt", mimeType="text/plain", buffer=RC_SAMPLE),
            )
            await page.check("input[name='answer.7108'][value=yes]")
            async with page.expect_navigation(url=f"{site.success_url}**"):
                await page.click("button[type=submit]")
            assert page.url.startswith(f"{site.success_url}?application_id=")
            assert await page.text_content("h1") == "Thanks from the partner"
        finally:
            await browser.close()
    assert await site.worker.run_once() == 1
    (kept,) = site.ats.kept
    assert kept.auth is None
    candidate = dict(kept.answers["candidate"])
    cv = candidate.pop("cv")
    assert (cv["name"], cv["data"]) == ("ada-cv.pdf", PDF)
    answers = candidate.pop("open_question_answers_attributes")
    assert candidate == {
        "name": "Ada Lovelace", "email": "ada@example.org", "phone": "+44 20 7946 0958",
        "cover_letter": "I would like to build the engines.",
    }  # fmt: skip
    sample = answers.pop(6)
    assert (sample["open_question_id"], sample["file"]["data"]) == ("7107", RC_SAMPLE)
    assert answers == [
        {"open_question_id": "7101", "content": "In a month"},
        {"open_question_id": "7102", "content": "The engines."},
        {"open_question_id": "7103", "flag": "true"},
        {"open_question_id": "7104", "content": "LinkedIn"},
        {"open_question_id": "7105", "multi_content": ["English", "German"]},
        {"open_question_id": "7106", "content": "2027-01-15"},
        {"open_question_id": "7108", "flag": "true"},
    ]
