"""The apply page of a SmartRecruiters job in a real headless Chromium: its screening
questions and privacy consent as a form, the application delivered to a fake SmartRecruiters,
and a file over SmartRecruiters' 2 MiB refused on the page with the reason."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
from tests.applications.fake_smartrecruiters import (
    SR_COMPANY,
    SR_KEY,
    SR_POSTING,
    SR_UUID,
    FakeSmartRecruiters,
)
from tests.resolver.conftest import make_registry
from tests.service.conftest import SECRET
from tests.service.test_apply_page_browser import (
    BACK,
    CHROMIUM,
    PARTNER,
    PDF,
    _browser,
)

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (.ci/run installs it)"
)
MODE = "smartrecruiters"


@dataclass
class Site:
    url: str
    success_url: str
    ats: FakeSmartRecruiters
    worker: Worker


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[Site]:
    keys = KeyRing([KeyRing.generate()])
    registry = make_registry()
    async with running(FakeSmartRecruiters()) as ats, serving(PARTNER) as partner_url:
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
                "acme", MODE, {"base_url": ats.url, "company_identifier": SR_COMPANY},
                {"api_key": SR_KEY},
            )  # fmt: skip
            client_token, _ = await tokens.issue_client_token(tenant.id)
            token = tokens.issue_request_token(
                await tokens.verify_client_token(client_token), MODE, SR_POSTING,
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


def by_id(question_id: str) -> str:
    return f'[id="q_{question_id}"]'


async def _fill(page: Any, resume: bytes) -> None:
    from playwright.async_api import FilePayload

    await page.fill(by_id("firstName"), "Ada")
    await page.fill(by_id("lastName"), "Lovelace")
    await page.fill(by_id("email"), "ada@example.org")
    await page.set_input_files(
        by_id("resume"),
        files=FilePayload(name="ada-cv.pdf", mimeType="application/pdf", buffer=resume),
    )
    await page.select_option(by_id("q-permit.f1"), "yes")
    await page.check("input[name='answer.q-shifts.f2'][value=night]")
    await page.check("input[name='answer.q-forklift.f4'][value=yes]")
    await page.select_option(by_id("q-forklift.f5"), "lots")
    await page.check("input[name='answer.consentDecisions.SINGLE'][value=yes]")


async def test_a_candidate_applies_to_a_smartrecruiters_job_and_it_arrives(site: Site) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await _browser(playwright)
        try:
            page = await browser.new_page()
            response = await page.goto(site.url)
            assert response is not None
            assert response.status == 200
            assert await page.text_content("h1") == "Warehouse Operative"
            hint = await page.text_content("div[data-question=resume] small")
            assert hint == "PDF, DOC, DOCX, RTF, JPG, JPEG, PNG; up to 2 MiB"
            assert await page.get_attribute(by_id("resume"), "accept") == (
                ".pdf,.doc,.docx,.rtf,.jpg,.jpeg,.png"
            )
            questions = [
                await node.get_attribute("data-question") for node in await page.locator(".q").all()
            ]
            assert questions[-2:] == ["q-diversity.gender", "consentDecisions.SINGLE"]
            consent = await page.text_content('[id="q_consentDecisions.SINGLE"]') or ""
            assert "https://acme-logistics.example/privacy" in consent
            await _fill(page, PDF)
            async with page.expect_navigation(url=f"{site.success_url}**"):
                await page.click("button[type=submit]")
            application_id = page.url.rsplit("=", 1)[1]
        finally:
            await browser.close()
    assert await site.worker.run_once() == 1
    (kept,) = site.ats.kept
    assert kept.email == "ada@example.org"
    assert kept.job_id == SR_UUID
    assert kept.answers == {
        "firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.org",
        "consentDecisions": {"SINGLE": True},
        "answers": [
            {"id": "q-permit", "records": [{"fields": {"f1": ["yes"]}}]},
            {"id": "q-shifts", "records": [{"fields": {"f2": ["night"]}}]},
            {"id": "q-forklift", "records": [{"fields": {"f4": ["true"], "f5": ["lots"]}}]},
        ],
    }  # fmt: skip
    (resume,) = kept.files
    assert (resume["field"], resume["name"], resume["data"]) == ("resume", "ada-cv.pdf", PDF)
    record = await site.worker.store.show(application_id)
    assert record.ats_application_id == kept.ats_id


async def test_a_file_over_2_mib_is_refused_on_the_page_with_the_reason(site: Site) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await _browser(playwright)
        try:
            page = await browser.new_page()
            await page.goto(site.url)
            await _fill(page, PDF + b"0" * (2 * 1024 * 1024))
            async with page.expect_navigation() as navigation:
                await page.click("button[type=submit]")
            response = await navigation.value
            assert response is not None
            assert response.status == 422
            assert await page.text_content("#e_resume") == (
                "The file is larger than 2 MiB (SmartRecruiters takes no larger files); "
                "attach a smaller one."
            )
            assert await page.input_value(by_id("lastName")) == "Lovelace", "answers kept"
        finally:
            await browser.close()
    assert site.ats.post_times == []
    assert await site.worker.run_once() == 0, "nothing was stored"
