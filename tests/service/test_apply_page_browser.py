"""The apply page in a real headless Chromium: the job, its questions as a working form."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from embloy_ats.http import HttpClient
from embloy_ats.resolver import Resolver
from embloy_ats.sandbox import Sandbox
from embloy_ats.service.app import create_app
from embloy_ats.service.runner import serving
from embloy_ats.service.tokens import TokenService
from embloy_ats.store import store_for

from tests.conftest import CASSETTES
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


@pytest.fixture
async def apply_url(tmp_path: Path) -> AsyncIterator[str]:
    """An apply page for Greenhouse's documented job 44444, served from its recorded answer."""
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
                await tokens.verify_client_token(client_token),
                "greenhouse",
                "44444",
                cancel_url="https://partner.example/back",
            )
            yield f"{service_url}/sdk/apply?request_token={token}"


async def test_the_apply_form_works_in_chromium(apply_url: str, tmp_path: Path) -> None:
    from playwright.async_api import FilePayload, async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page()
            errors: list[str] = []
            page.on("console", lambda message: errors.append(message.text))
            response = await page.goto(apply_url)
            assert response is not None
            assert response.status == 200
            assert await page.text_content("h1") == "Product Engineer"
            header = await page.text_content("header") or ""
            assert "San Francisco, CA, US" in header
            assert "salary USD 50,000-75,000" in header
            questions = page.locator("div.q")
            # the standard fields of every Greenhouse application, the job's questions, and
            # the three GDPR consents its data_compliance requires
            assert await questions.count() == 11
            kinds = [await questions.nth(i).get_attribute("data-type") for i in range(11)]
            assert kinds == [
                "short_text", "short_text", "email", "phone", "file", "file", "location",
                "yes_no", "yes_no", "yes_no", "yes_no",
            ]  # fmt: skip
            assert await page.get_attribute("#q_resume", "accept") == ".pdf,.doc,.docx,.txt,.rtf"
            assert await page.locator("input[name=q_question_2222]").count() == 2

            form = page.locator("form#apply")
            assert await form.evaluate("f => f.checkValidity()") is False
            await page.fill("#q_location", "Berlin")
            await page.fill("#q_first_name", "Ada")
            await page.fill("#q_last_name", "Lovelace")
            await page.fill("#q_email", "ada@example.org")
            consents = page.locator("div.q[data-question^='data_compliance.'] input[value=yes]")
            for consent in await consents.all():
                await consent.check()
            await page.set_input_files(
                "#q_resume",
                files=FilePayload(name="cv.pdf", mimeType="application/pdf", buffer=b"%PDF-1.4"),
            )
            assert await form.evaluate("f => f.checkValidity()") is True
            assert await page.get_attribute("a[href='https://partner.example/back']", "href")
            await page.screenshot(path=str(tmp_path / "apply.png"), full_page=True)
            assert (tmp_path / "apply.png").stat().st_size > 1000
            assert not [e for e in errors if "Content Security Policy" in e]
        finally:
            await browser.close()


async def test_a_bad_token_shows_an_error_page(apply_url: str) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page()
            response = await page.goto(apply_url.split("?", 1)[0] + "?request_token=forged")
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
