"""The apply page of a Teamtailor job in a real headless Chromium: every kind of question
Teamtailor asks that it can take (not its resume, file and video questions), answered and
submitted without a script, the candidate sent on to the
partner's page, and the application delivered to (a fake) Teamtailor as a candidate, a job
application and one answer per question."""

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
from tests.applications.fake_teamtailor import TT_JOB, TT_KEY, FakeTeamtailor
from tests.resolver.conftest import make_registry
from tests.service.conftest import SECRET
from tests.service.test_apply_page_browser import BACK, CHROMIUM, CHROMIUM_ARGS, PARTNER

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (.ci/run installs it)"
)


@dataclass
class TeamtailorSite:
    url: str
    success_url: str
    ats: FakeTeamtailor
    worker: Worker


@pytest.fixture
async def teamtailor_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[TeamtailorSite]:
    """An apply page for the fake Teamtailor's job; a worker to deliver to it."""
    monkeypatch.setenv("EMBLOY_ATS_ALLOW_PRIVATE_NETWORK", "1")
    keys = KeyRing([KeyRing.generate()])
    registry = make_registry()
    async with running(FakeTeamtailor()) as ats, serving(PARTNER) as partner_url:
        success_url = f"{partner_url}/thanks"
        resolver = Resolver(
            store_for(f"sqlite:///{tmp_path}/apply.db"), keys=keys, registry=registry,
            http=HttpClient(allow_private_network=True),
        )  # fmt: skip
        tokens = TokenService(SECRET, resolver.store)
        applications = Applications.beside(resolver, keys)
        delivery = delivery_http_client(allow_private_network=True)
        connectors = StoredConnectors(resolver.store, keys=keys, registry=registry, http=delivery)
        async with serving(create_app(resolver, tokens, applications=applications)) as service:
            tenant = await resolver.create_tenant("acme")
            await resolver.set_connection(
                "acme", "teamtailor", {"base_url": ats.url}, {"api_key": TT_KEY}
            )
            client_token, _ = await tokens.issue_client_token(tenant.id)
            token = tokens.issue_request_token(
                await tokens.verify_client_token(client_token), "teamtailor", TT_JOB,
                success_url=success_url, cancel_url=BACK,
            )  # fmt: skip
            try:
                yield TeamtailorSite(
                    f"{service}/sdk/apply?request_token={token}", success_url, ats,
                    Worker(applications.store, connectors),
                )  # fmt: skip
            finally:
                await delivery.aclose()


async def test_a_candidate_applies_to_a_teamtailor_job_and_teamtailor_gets_it(
    teamtailor_site: TeamtailorSite,
) -> None:
    from playwright.async_api import async_playwright

    site = teamtailor_site
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(java_script_enabled=False)
            page = await context.new_page()
            response = await page.goto(site.url)
            assert response is not None
            assert response.status == 200
            assert await page.text_content("h1") == "Delivery Engineer"
            kinds = {
                await node.get_attribute("data-type")
                for node in await page.locator("[data-type]").all()
            }
            assert kinds == {"short_text", "email", "phone", "long_text", "yes_no",
                             "single_choice", "multiple_choice", "number", "date"}  # fmt: skip
            assert await page.locator("input[type=file]").count() == 0, "Teamtailor takes none"
            await page.fill("#q_name", "Ada King Lovelace")
            await page.fill("#q_email", "ada@example.org")
            await page.fill("#q_phone", "+44 20 7946 0958")
            await page.fill("#q_cover_letter", "I would like to build the engines.")
            await page.check("input[name='answer.5101'][value=yes]")
            await page.select_option("#q_5102", "11")
            await page.check("input[name='answer.5103'][value='21']")
            await page.check("input[name='answer.5103'][value='23']")
            await page.fill("#q_5104", "Because of the engines.")
            await page.fill("#q_5105", "ada")
            await page.fill("#q_5106", "12")
            await page.fill("#q_5107", "2027-01-15")
            await page.fill("#q_5108", "4")
            async with page.expect_navigation(url=f"{site.success_url}**"):
                await page.click("button[type=submit]")
            assert page.url.startswith(f"{site.success_url}?application_id=")
            assert await page.text_content("h1") == "Thanks from the partner"
        finally:
            await browser.close()
    assert await site.worker.run_once() == 1
    (kept,) = site.ats.kept
    candidate = site.ats.candidates["ada@example.org"]
    assert site.ats.candidate_attributes[candidate] == {
        "email": "ada@example.org", "first-name": "Ada King", "last-name": "Lovelace",
        "phone": "+44 20 7946 0958", "merge": True, "sourced": False,
    }  # fmt: skip
    assert kept.answers == {"cover-letter": "I would like to build the engines.", "sourced": False}
    assert site.ats.answers_of("ada@example.org") == {
        "5101": {"boolean": True}, "5102": {"choices": [11]}, "5103": {"choices": [21, 23]},
        "5104": {"text": "Because of the engines."}, "5105": {"text": "ada"},
        "5106": {"range": 12}, "5107": {"text": "2027-01-15"}, "5108": {"text": "4"},
    }  # fmt: skip
