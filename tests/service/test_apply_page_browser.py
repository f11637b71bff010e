"""The apply page in a real headless Chromium: the job, its questions as a working form that
posts without a script, the candidate sent on to the partner's page, and the application
delivered to the ATS; errors shown next to their fields with the answers kept.

End to end against the fakes of Greenhouse, Lever, Ashby, Recruitee, SmartRecruiters,
Workable, Personio and Teamtailor too: the candidate fills in the page, presses Apply and is
sent on, a worker delivers, and the fake holds exactly one application, its answers and file
bytes encoded as that ATS takes them. Another ATS is one more entry in `APPLYING`: its fake's
`Profile` (tests.applications.ats_fakes), what its page must show and what its ATS must have
received."""

from __future__ import annotations

import base64
import contextlib
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from embloy_ats.applications import (
    ApplicationStatus,
    ApplicationStore,
    StoredConnectors,
    UploadedFile,
    Worker,
    delivery_http_client,
)
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

from benchmarks.apply_ats import (
    JOB_ID,
    MODE,
    ScriptedAts,
    registry_with_apply_ats,
    running,
    running_apply_ats,
)
from tests.applications.ats_fakes import (
    PROFILES,
    email_of,
)
from tests.applications.conftest import PDF as APPLICATION_PDF
from tests.applications.conftest import SENTINEL, Form
from tests.applications.expected import (
    ashby_received,
    greenhouse_received,
    lever_postings_received,
    lever_received,
)
from tests.applications.fake_personio import LETTER as PERSONIO_LETTER
from tests.applications.fake_personio import PERSONIO_JOB, PERSONIO_TOKEN, FakePersonio
from tests.applications.fake_recruitee import RC_SAMPLE, RC_SLUG
from tests.applications.fake_smartrecruiters import LETTER as SR_LETTER
from tests.applications.fake_smartrecruiters import SR_KEY, SR_UUID
from tests.applications.fake_teamtailor import FakeTeamtailor
from tests.applications.fake_workable import WK_JOB, WK_SAMPLE, WK_TOKEN
from tests.conftest import CASSETTES
from tests.resolver.conftest import make_registry
from tests.service.conftest import SECRET

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="Debian's chromium is not installed (.ci/run installs it)",
    ),
    # the tests share one browser, which lives in the module's event loop
    pytest.mark.asyncio(loop_scope="module"),
]
# As root and on a closed network: no sandbox, no background connections.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
BACK = "https://partner.example/back"
PDF = b"%PDF-1.7\n% the candidate's CV\n%%EOF\n"


@pytest_asyncio.fixture(loop_scope="module")
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
    #: the generic fake (ApplyAts) or the fake of one ATS
    ats: ScriptedAts
    worker: Worker
    store: ApplicationStore


async def _thanks(request: Request) -> Response:
    return HTMLResponse("<h1>Thanks from the partner</h1>")


PARTNER = Starlette(routes=[Route("/thanks", _thanks)])


@contextlib.asynccontextmanager
async def opened_site(
    tmp_path: Path,
    ats: ScriptedAts,
    mode: str,
    job_id: str,
    settings: Mapping[str, str] | None = None,
    credentials: Mapping[str, str] | None = None,
) -> AsyncIterator[Site]:
    """An apply page for job `job_id` of the running fake `ats`, reached through tenant
    acme's `mode` connection (`settings`, `credentials`); a worker to deliver."""
    keys = KeyRing([KeyRing.generate()])
    registry = registry_with_apply_ats(make_registry())
    async with serving(PARTNER) as partner_url:
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
                "acme", mode, {"base_url": ats.url, **(settings or {})}, credentials
            )
            client_token, _ = await tokens.issue_client_token(tenant.id)
            token = tokens.issue_request_token(
                await tokens.verify_client_token(client_token), mode, job_id,
                success_url=success_url, cancel_url=BACK,
            )  # fmt: skip
            try:
                yield Site(
                    f"{service_url}/sdk/apply?request_token={token}",
                    success_url,
                    ats,
                    Worker(applications.store, connectors),
                    applications.store,
                )
            finally:
                await delivery.aclose()


@pytest_asyncio.fixture(loop_scope="module")
async def site(tmp_path: Path) -> AsyncIterator[Site]:
    """An apply page for the fake ATS's job, whose connector submits; a worker to deliver."""
    async with running_apply_ats() as ats, opened_site(tmp_path, ats, MODE, JOB_ID) as opened:
        yield opened


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser() -> AsyncIterator[Any]:
    """One Chromium for the module (a launch takes seconds); each test has a context of
    its own, as fresh as a new browser: no cookies, cache or storage of another test."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


@contextlib.asynccontextmanager
async def opened_page(browser: Any, **options: Any) -> AsyncIterator[Any]:
    """A page in a new context of `browser` (`options`: the context's, e.g. no scripts)."""
    context = await browser.new_context(**options)
    try:
        yield await context.new_page()
    finally:
        await context.close()


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


async def test_a_candidate_applies_without_javascript_and_the_ats_gets_it(
    site: Site, browser: Any
) -> None:
    async with opened_page(browser, java_script_enabled=False) as page:
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


async def test_a_required_answer_left_empty_is_shown_next_to_its_field(
    site: Site, browser: Any
) -> None:
    async with opened_page(browser) as page:
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
    assert site.ats.kept == []
    assert await site.worker.run_once() == 0, "nothing was stored"


async def test_a_greenhouse_job_shows_its_standard_and_consent_questions(
    greenhouse_url: str, browser: Any
) -> None:
    async with opened_page(browser) as page:
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


async def test_a_bad_token_shows_an_error_page(greenhouse_url: str, browser: Any) -> None:
    async with opened_page(browser) as page:
        response = await page.goto(greenhouse_url.split("?", 1)[0] + "?request_token=forged")
        assert response is not None
        assert response.status == 401
        assert "could not open this application" in (await page.text_content("h1") or "")
        assert await page.text_content("h2") == "This link does not work"
        assert "back button" in (await page.text_content("main") or "")
        assert await page.locator("main a").count() == 0  # no way back it cannot vouch for
        reference = await page.text_content("p.ref code")
        assert reference == await response.header_value("x-request-id")


# -- end to end against the fakes of each ATS that takes applications ------------------------


async def fill_in(page: Any, form: Form) -> None:
    """Enter `form` (the answers as the apply page posts them) the way a candidate does:
    type into text boxes, choose radios, options and checkboxes, attach the files."""
    from playwright.async_api import FilePayload

    fields, files = form
    for name, values in fields.items():
        if not name.startswith("answer."):
            continue
        controls = page.locator(f'[name="{name}"]')
        assert await controls.count(), f"the page asks no {name}"
        kind = await controls.first.evaluate("control => control.type")
        if kind in ("radio", "checkbox"):
            for value in values:
                await page.check(f'[name="{name}"][value="{value}"]')
        elif kind.startswith("select"):
            await controls.select_option(values)
        else:
            (value,) = values
            await controls.fill(value)
    for name, uploads in files.items():
        payloads = [
            FilePayload(name=f.name, mimeType=f.content_type, buffer=f.data) for f in uploads
        ]
        await page.locator(f'[name="{name}"]').set_input_files(payloads)


def recruitee_received(ats: ScriptedAts) -> None:
    """The careers-site API: a multipart candidate, no credentials, open questions by kind."""
    (kept,) = ats.kept
    assert kept.auth is None, "the careers-site API takes no credentials"
    assert kept.job_id == RC_SLUG
    candidate = dict(kept.answers["candidate"])
    cv = candidate.pop("cv")
    assert (cv["name"], cv["data"]) == (f"{SENTINEL}-cv.pdf", APPLICATION_PDF)
    answers = candidate.pop("open_question_answers_attributes")
    assert candidate == {
        "name": f"Jane {SENTINEL}name Doe", "email": email_of(0), "phone": "+49 30 1234 5678",
        "cover_letter": f"Dear team, {SENTINEL}letter",
    }  # fmt: skip
    sample = answers.pop(6)
    assert (sample["open_question_id"], sample["file"]["data"]) == ("7107", RC_SAMPLE)
    assert answers == [
        {"open_question_id": "7101", "content": "In a month"},
        {"open_question_id": "7102", "content": f"Because. {SENTINEL}why"},
        {"open_question_id": "7103", "flag": "true"},
        {"open_question_id": "7104", "content": "Referral"},  # the option's text
        {"open_question_id": "7105", "multi_content": ["English", "French"]},
        {"open_question_id": "7106", "content": "2027-01-15"},
        {"open_question_id": "7108", "flag": "true"},
    ]


def q(question_id: str) -> str:
    """The control of `question_id`, whose id may hold dots (no `#` selector then)."""
    return f'[id="q_{question_id}"]'


async def smartrecruiters_shown(page: Any) -> None:
    """SmartRecruiters' file types and 2 MiB, the diversity question and the privacy
    consent (with its policy) last."""
    hint = await page.text_content("div[data-question=resume] small")
    assert hint == "PDF, DOC, DOCX, RTF, JPG, JPEG, PNG; up to 2 MiB"
    assert await page.get_attribute(q("resume"), "accept") == (
        ".pdf,.doc,.docx,.rtf,.jpg,.jpeg,.png"
    )
    questions = [
        await node.get_attribute("data-question") for node in await page.locator(".q").all()
    ]
    assert questions[-2:] == ["q-diversity.gender", "consentDecisions.SINGLE"]
    consent = await page.text_content(q("consentDecisions.SINGLE")) or ""
    assert "https://acme-logistics.example/privacy" in consent


def smartrecruiters_received(ats: ScriptedAts) -> None:
    """The Application API: JSON to the posting's uuid, answers as records, files base64."""
    (kept,) = ats.kept
    assert kept.auth == SR_KEY, "the key goes in X-SmartToken"
    assert kept.email == email_of(0)
    assert kept.job_id == SR_UUID, "posted to the posting's uuid, not its id"
    assert kept.answers == {
        "firstName": f"Jane{SENTINEL}first", "lastName": f"Doe{SENTINEL}last",
        "email": email_of(0), "phoneNumber": "+49 30 1234 5678",
        "messageToHiringManager": f"Hello. {SENTINEL}hello",
        "consentDecisions": {"SINGLE": True},
        "answers": [
            {"id": "q-permit", "records": [{"fields": {"f1": ["yes"]}}]},
            {"id": "q-shifts", "records": [{"fields": {"f2": ["early", "night"],
                                                       "f3": ["next month"]}}]},
            {"id": "q-forklift", "records": [{"fields": {"f4": ["true"], "f5": ["some"],
                                                         "f6": [f"Because. {SENTINEL}why"]}}]},
            {"id": "q-diversity", "records": [{"fields": {"gender": ["x"]}}]},
        ],
    }  # fmt: skip
    resume, letter = kept.files
    assert (resume["field"], resume["name"], resume["data"]) == (
        "resume", f"{SENTINEL}-cv.pdf", APPLICATION_PDF,
    )  # fmt: skip
    assert (letter["field"], letter["name"]) == ("attachments", f"{SENTINEL}-letter.pdf")
    assert SR_LETTER in letter["data"]


async def workable_shown(page: Any) -> None:
    """The resume takes the file types of Workable's form."""
    assert await page.get_attribute("#q_resume", "accept") == ".pdf,.doc,.docx,.odt,.rtf"


def workable_received(ats: ScriptedAts) -> None:
    """SPI v3: the candidate as JSON with the access token, answers by question type,
    files base64."""
    (kept,) = ats.kept
    assert kept.auth == f"Bearer {WK_TOKEN}"
    assert kept.job_id == WK_JOB
    assert kept.answers["sourced"] is False
    candidate = dict(kept.answers["candidate"])
    resume = candidate.pop("resume")
    assert (resume["name"], base64.b64decode(resume["data"])) == (
        f"{SENTINEL}-cv.pdf", APPLICATION_PDF,
    )  # fmt: skip
    answers = candidate.pop("answers")
    assert candidate == {
        "firstname": f"Jane{SENTINEL}first", "lastname": f"Doe{SENTINEL}last",
        "email": email_of(0), "phone": "+49 30 1234 5678", "address": "Berlin, Germany",
        "summary": f"Engineer. {SENTINEL}summary", "cover_letter": f"Dear team, {SENTINEL}letter",
    }  # fmt: skip
    assert answers == [
        {"question_key": "c4a101", "body": f"Because. {SENTINEL}why"},
        {"question_key": "c4a102", "checked": True},
        {"question_key": "c4a103", "choices": ["d01", "d03"]},
        {"question_key": "c4a104", "choices": ["d12"]},
        {"question_key": "c4a105", "choice": "d22"},
        {"question_key": "c4a106", "number": 7},
        {"question_key": "c4a107", "date": "2027-01-15"},
        {"question_key": "c4a108", "data": base64.b64encode(WK_SAMPLE).decode()},
    ]


async def personio_shown(page: Any) -> None:
    """Personio's standard fields, in its order, and the file types its documents take."""
    kinds = [
        await node.get_attribute("data-type") for node in await page.locator(".q[data-type]").all()
    ]
    assert kinds == [
        "short_text", "short_text", "email", "phone", "file", "file", "long_text", "date",
        "short_text",
    ]  # fmt: skip
    assert await page.get_attribute("#q_cv", "accept") == (
        ".pdf,.doc,.docx,.odt,.jpg,.jpeg,.png,.gif"
    )


def personio_received(ats: ScriptedAts) -> None:
    """The Recruiting API: each document uploaded first, then the application naming them."""
    (kept,) = ats.kept
    assert isinstance(ats, FakePersonio)
    assert kept.auth == f"Bearer {PERSONIO_TOKEN}"
    assert ats.uploads == 2
    answers = dict(kept.answers)
    files = answers.pop("files")
    assert answers == {
        "job_position_id": int(PERSONIO_JOB), "first_name": f"Jane {SENTINEL}first",
        "last_name": f"Doe {SENTINEL}last", "email": email_of(0),
        "message": f"I would like to work here. {SENTINEL}message",
        "attributes": [{"id": "phone", "value": "+49 30 1234 5678"},
                       {"id": "available_from", "value": "2027-01-15"},
                       {"id": "salary_expectations", "value": "65000 EUR"}],
    }  # fmt: skip
    assert [(f["category"], f["original_filename"]) for f in files] == [
        ("cv", f"{SENTINEL}-cv.pdf"), ("cover-letter", f"{SENTINEL}-letter.pdf"),
    ]  # fmt: skip
    assert [(f["field"], f["data"]) for f in kept.files] == [
        ("cv", APPLICATION_PDF), ("cover-letter", PERSONIO_LETTER),
    ]  # fmt: skip


async def teamtailor_shown(page: Any) -> None:
    """Every kind of question Teamtailor asks that it can take; no file input: Teamtailor
    takes no files, so its resume and file questions are left out (and its video too)."""
    kinds = {
        await node.get_attribute("data-type") for node in await page.locator("[data-type]").all()
    }
    assert kinds == {"short_text", "email", "phone", "long_text", "yes_no", "single_choice",
                     "multiple_choice", "number", "date"}  # fmt: skip
    assert await page.locator("input[type=file]").count() == 0, "Teamtailor takes none"


def teamtailor_received(ats: ScriptedAts) -> None:
    """API v1: a candidate (merged by email, name split at the last space), a job
    application, and one answer per question by its type."""
    (kept,) = ats.kept
    assert isinstance(ats, FakeTeamtailor)
    candidate = ats.candidates[email_of(0)]
    assert ats.candidate_attributes[candidate] == {
        "email": email_of(0), "first-name": f"Jane Maria {SENTINEL}name", "last-name": "Doe",
        "phone": "+46 8 1234 5678", "merge": True, "sourced": False,
    }  # fmt: skip
    assert kept.answers == {"cover-letter": f"Dear team, {SENTINEL}letter", "sourced": False}
    assert ats.answers_of(email_of(0)) == {
        "5101": {"boolean": True}, "5102": {"choices": [12]}, "5103": {"choices": [21, 23]},
        "5104": {"text": f"Because. {SENTINEL}why"}, "5105": {"text": "jane-doe"},
        "5106": {"range": 7}, "5107": {"text": "2027-01-15"}, "5108": {"text": "4"},
    }  # fmt: skip


@dataclass(frozen=True)
class Applying:
    """One ATS a candidate applies to in Chromium: the tenant's connection to its fake
    and the candidate's answers (`profile`, a name in `PROFILES`), the job's title as the
    page shows it, what the fake must have received, whether the ATS answers an id, what
    else its page must show before it is filled in, and whether the browser runs scripts."""

    profile: str
    title: str
    received: Callable[[ScriptedAts], None]
    answers_id: bool = True
    shown: Callable[[Any], Awaitable[None]] | None = None
    scripts: bool = True


SMARTRECRUITERS = Applying(
    "smartrecruiters", "Warehouse Operative", smartrecruiters_received,
    shown=smartrecruiters_shown,
)  # fmt: skip


APPLYING = [
    pytest.param(entry, id=entry.profile)
    for entry in (
        Applying("greenhouse-job-board", "Delivery Engineer", greenhouse_received,
                 answers_id=False),
        Applying("lever", "Delivery Engineer", lever_received),
        Applying("lever-postings", "Delivery Engineer", lever_postings_received),
        Applying("ashby", "Delivery Engineer", ashby_received),
        Applying("recruitee", "Delivery Engineer", recruitee_received, scripts=False),
        SMARTRECRUITERS,
        Applying("workable", "Delivery Engineer", workable_received, shown=workable_shown,
                 scripts=False),
        Applying("personio", "Delivery Engineer (m/w/d)", personio_received, answers_id=False,
                 shown=personio_shown, scripts=False),
        Applying("teamtailor", "Delivery Engineer", teamtailor_received,
                 shown=teamtailor_shown, scripts=False),
    )
]  # fmt: skip


@pytest_asyncio.fixture(loop_scope="module")
async def ats_site(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Site]:
    """The apply page for the job of the fake named by the test's `Applying`."""
    monkeypatch.setenv("EMBLOY_ATS_ALLOW_PRIVATE_NETWORK", "1")  # the fakes are on loopback
    profile = PROFILES[request.param.profile]
    async with (
        running(profile.fake()) as ats,
        opened_site(
            tmp_path, ats, profile.mode, profile.job_id, profile.settings, profile.credentials
        ) as opened,
    ):
        yield opened


@pytest.mark.parametrize("ats_site", APPLYING, indirect=True)
async def test_a_candidate_applies_in_chromium_and_the_ats_holds_it_once(
    ats_site: Site, browser: Any, request: pytest.FixtureRequest
) -> None:
    applying: Applying = request.node.callspec.params["ats_site"]
    form = PROFILES[applying.profile].form_for(0)
    async with opened_page(browser, java_script_enabled=applying.scripts) as page:
        response = await page.goto(ats_site.url)
        assert response is not None
        assert response.status == 200
        assert await page.text_content("h1") == applying.title
        if applying.shown is not None:
            await applying.shown(page)
        await fill_in(page, form)
        async with page.expect_navigation(url=f"{ats_site.success_url}**"):
            await page.click("button[type=submit]")
        assert page.url.startswith(f"{ats_site.success_url}?application_id=")
        assert await page.text_content("h1") == "Thanks from the partner"
        application_id = page.url.rsplit("=", 1)[1]
    assert ats_site.ats.kept == [], "delivered by the worker, not while the candidate waits"
    assert await ats_site.worker.run_once() == 1
    assert await ats_site.worker.run_once() == 0, "nothing left to send"
    record = await ats_site.store.show(application_id)
    assert (record.status, record.attempts) == (ApplicationStatus.DELIVERED, 1)
    assert ats_site.ats.times_kept() == {email_of(0): 1}, "exactly one application"
    assert len(ats_site.ats.post_times) == 1
    applying.received(ats_site.ats)
    (kept,) = ats_site.ats.kept
    expected_id = kept.ats_id if applying.answers_id else None
    assert record.ats_application_id == expected_id


@pytest.mark.parametrize("ats_site", [SMARTRECRUITERS], indirect=True, ids=["smartrecruiters"])
async def test_a_file_over_smartrecruiters_2_mib_is_refused_on_the_page_with_the_reason(
    ats_site: Site, browser: Any
) -> None:
    fields, files = PROFILES[SMARTRECRUITERS.profile].form_for(0)
    big = UploadedFile("ada-cv.pdf", "application/pdf", PDF + b"0" * (2 * 1024 * 1024))
    async with opened_page(browser) as page:
        await page.goto(ats_site.url)
        await fill_in(page, (fields, {**files, "answer.resume": [big]}))
        async with page.expect_navigation() as navigation:
            await page.click("button[type=submit]")
        response = await navigation.value
        assert response is not None
        assert response.status == 422
        assert await page.text_content("#e_resume") == (
            "The file is larger than 2 MiB (SmartRecruiters takes no larger files); "
            "attach a smaller one."
        )
        assert await page.input_value(q("lastName")) == f"Doe{SENTINEL}last", "answers kept"
    assert ats_site.ats.post_times == []
    assert await ats_site.worker.run_once() == 0, "nothing was stored"
