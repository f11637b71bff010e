"""Lever connector: both ways in (public Postings API, authenticated API), mapped field by field."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import yaml
from embloy_ats import (
    AuthenticationFailed,
    ConfigurationError,
    EmploymentType,
    HttpClient,
    InvalidJobId,
    JobNotFound,
    JobStatus,
    PayInterval,
    PayloadError,
    PermissionDenied,
    QuestionCategory,
    QuestionType,
    Visibility,
    WorkplaceType,
    vocab,
)
from embloy_ats.auth import AuthKind
from embloy_ats.testing.conformance import ConnectorConformance
from embloy_ats_lever import LeverConnector, apply_form, data_api, posting
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import CASSETTES, FakeAts

LEVER = CASSETTES / "lever"
GERMAN = "3f6c2a9e-8d41-4b7a-9c25-71e0d4b8a6f3"
CLOSED = "c81d4e2a-57b9-4f06-a3e8-2b9f0d6c1e47"
UNKNOWN = "0b7e5d1c-93a4-4f2e-8c61-5a9d2e4f7b30"
API_KEY = {"api_key": "test-key"}


@pytest.fixture
def vcr_cassette_dir() -> str:
    return str(LEVER)


def public(site: str, **extra: str) -> LeverConnector:
    return LeverConnector({"site": site, **extra}, http=HttpClient())


def authenticated(credentials: dict[str, str] | None = None) -> LeverConnector:
    return LeverConnector({}, credentials or API_KEY, http=HttpClient())


def recorded_body(cassette: str, index: int = 0) -> bytes:
    document = yaml.safe_load((LEVER / cassette).read_text(encoding="utf-8"))
    body: str = document["interactions"][index]["response"]["body"]["string"]
    return body.encode()


def by_id(job: Any) -> dict[str, Any]:
    return {question.id: question for question in job.questions}


# -- public Postings API (no credentials) ---------------------------------------------------------


@pytest.mark.vcr("v0_found_leverdemo_6d5cbe7f.yaml")
async def test_2015_public_posting_maps_every_field() -> None:
    job = await public("leverdemo").fetch_job("6d5cbe7f-e551-4ae1-b052-08a48f651993")
    assert job.slug == "lever__6d5cbe7f-e551-4ae1-b052-08a48f651993"
    assert job.title == "Operations Manager"
    assert (job.company, job.requisition_code) == (None, None)
    assert (job.status, job.visibility) == (JobStatus.OPEN, Visibility.PUBLIC)
    assert job.employment_type is EmploymentType.FULL_TIME
    assert job.workplace_type is None  # no workplaceType in 2015, nothing to infer it from
    assert [loc.model_dump() for loc in job.locations] == [
        {"raw": "San francisco", "street": None, "city": "San francisco", "region": None,
         "postal_code": None, "country_code": None},
    ]  # fmt: skip
    assert (job.department, job.team) == (None, "Operations")
    assert job.compensation == ()
    assert job.posted_at == datetime(2014, 7, 2, 23, 36, 42, 506000, tzinfo=UTC)
    assert job.updated_at is None
    assert job.posting_url == (
        "https://jobs.lever.co/leverdemo/6d5cbe7f-e551-4ae1-b052-08a48f651993"
    )
    assert job.apply_url == job.posting_url + "/apply"
    # the 2015 description is plain text: it becomes three escaped paragraphs
    assert job.description_html.count("<p>") == 3
    assert job.description_html.startswith("<p>Lever is a modern webapp for hiring.")
    assert "\n\nWe are a B2B company" in job.description_text
    # the Postings API publishes no form: the job carries what its apply endpoint takes
    assert [(q.id, q.type, q.required) for q in job.questions] == [
        ("fullName", QuestionType.SHORT_TEXT, True),
        ("email", QuestionType.EMAIL, True),
        ("phone", QuestionType.PHONE, False),
        ("currentCompany", QuestionType.SHORT_TEXT, False),
        ("resume", QuestionType.FILE, False),
        ("urls.LinkedIn", QuestionType.LINK, False),
        ("urls.Other", QuestionType.LINK, False),
        ("additionalInformation", QuestionType.LONG_TEXT, False),
    ]
    assert job.custom_fields == {}
    assert list(job.raw) == [
        "/v0/postings/leverdemo/6d5cbe7f-e551-4ae1-b052-08a48f651993?mode=json"
    ]


@pytest.mark.vcr("v0_found_leverdemo_f6cbe376.yaml")
async def test_french_posting_keeps_its_text_and_lists() -> None:
    job = await public("leverdemo").fetch_job("f6cbe376-87ec-4fcb-abdf-ef8c336e17c6")
    title = "Chef, livraison de services – Services de soutien technique"  # noqa: RUF001
    assert job.title == title
    assert (job.locations[0].city, job.locations[0].country_code) == ("Montreal", None)
    assert (job.team, job.employment_type) == ("Technical", EmploymentType.FULL_TIME)
    # single newlines inside a paragraph are kept as line breaks
    assert "Peu importe<br>l’appareil" in job.description_html  # noqa: RUF001
    assert "<h3>Description du poste</h3><ul><li>Nous sommes à la recherche" in (
        job.description_html
    )
    star = "\n- Nous sommes à la recherche d’une étoile montante"  # noqa: RUF001
    assert star in job.description_text
    assert job.custom_fields == {}  # categories.level is null
    assert job.posted_at == datetime(2015, 6, 12, 18, 24, 43, 998000, tzinfo=UTC)


@pytest.mark.vcr("v0_found_outreach_a60fb104.yaml")
async def test_remote_posting_with_salary_range() -> None:
    job = await public("outreach").fetch_job("a60fb104-ce93-4ba0-8763-ffb075b3eed1")
    assert job.title == "Account Executive, Commercial"
    assert job.workplace_type is WorkplaceType.REMOTE
    (place,) = job.locations
    assert (place.raw, place.city, place.country_code) == ("United States", None, "US")
    assert (job.department, job.team) == ("Sales", "Account Executives")
    assert job.employment_type is EmploymentType.FULL_TIME
    (pay,) = job.compensation
    assert (pay.min_amount, pay.max_amount, pay.currency, pay.interval) == (
        Decimal(140000), Decimal(160000), "USD", PayInterval.YEAR,
    )  # fmt: skip
    # this answer carries only the plain-text fields; they become paragraphs
    assert job.description_html.startswith("<p>About Outreach</p>")
    assert "<p>Why You’ll Love It Here</p>" in job.description_html  # noqa: RUF001
    assert "• Flexible time off" in job.description_text
    assert job.posted_at == datetime(2026, 6, 29, 17, 15, 6, 506000, tzinfo=UTC)


@pytest.mark.vcr("v0_found_outreach_f9e62dad.yaml")
async def test_hybrid_posting_takes_its_country_from_the_posting() -> None:
    job = await public("outreach").fetch_job("f9e62dad-44bf-4e52-88ca-854a2b26fa58")
    assert job.workplace_type is WorkplaceType.HYBRID
    (place,) = job.locations
    assert (place.raw, place.city, place.country_code) == ("London", "London", "GB")
    assert job.compensation == ()
    assert job.title == "Account Manager, Commercial, EMEA"


@pytest.mark.vcr("v0_found_idealistconsulting_a24ec4e5.yaml")
async def test_lists_and_closing_html_join_the_description() -> None:
    job = await public("idealistconsulting").fetch_job("a24ec4e5-5caa-473d-abd4-b71f09a8167b")
    assert job.employment_type is EmploymentType.CONTRACT
    assert job.workplace_type is WorkplaceType.REMOTE
    (place,) = job.locations
    assert (place.city, place.region, place.country_code) == ("Chicago", "IL", "US")
    html = job.description_html
    assert html.index("You just might be an Idealist.") < html.index("<h3>How You'll Contribute")
    assert html.index("<h3>How You'll Contribute") < html.index("<h3>Your Background Includes:")
    assert html.index("<h3>Your Background Includes:") < html.index("A Little More About Us")
    assert "style=" not in html
    assert 'href="https://idealistconsulting.com/ethics"' in html
    assert "\n- Guide full project life cycle" in job.description_text
    assert job.team == "Services Team"
    assert job.department is None


@pytest.mark.vcr("v0_not_found.yaml")
async def test_unknown_public_posting_is_job_not_found() -> None:
    with pytest.raises(JobNotFound) as caught:
        await public("leverdemo").fetch_job(UNKNOWN)
    assert (caught.value.connector, caught.value.job_id, caught.value.status_code) == (
        "lever", UNKNOWN, 404,
    )  # fmt: skip


# -- authenticated API ---------------------------------------------------------------------------


@pytest.mark.vcr(f"v1_found_{GERMAN[:8]}.yaml")
async def test_authenticated_posting_with_questions_maps_every_field() -> None:
    job = await authenticated().fetch_job(GERMAN)
    assert job.title == "Softwareentwickler:in Backend (Python)"
    assert job.requisition_code == "ENG-142"
    assert (job.status, job.visibility) == (JobStatus.OPEN, Visibility.PUBLIC)
    assert job.employment_type is EmploymentType.FULL_TIME  # "Vollzeit"
    assert job.workplace_type is WorkplaceType.HYBRID
    assert [(loc.raw, loc.city, loc.country_code) for loc in job.locations] == [
        ("Berlin, Germany", "Berlin", "DE"),
        ("München", "München", None),  # not the primary location: the posting country stays off
        ("Wien, Österreich", "Wien", "AT"),
    ]
    assert (job.department, job.team) == ("Technik", "Plattform")
    (pay,) = job.compensation
    assert (pay.min_amount, pay.max_amount, pay.currency, pay.interval) == (
        Decimal(70000), Decimal(90000), "EUR", PayInterval.YEAR,
    )  # fmt: skip
    assert job.posting_url == f"https://jobs.lever.co/example/{GERMAN}"
    assert job.apply_url == f"https://jobs.lever.co/example/{GERMAN}/apply"
    assert job.posted_at == datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    assert job.updated_at == datetime(2026, 6, 15, 8, 0, tzinfo=UTC)
    assert job.description_html.startswith("<div>Wir bauen die Plattform")
    assert "<h3>Deine Aufgaben</h3><ul><li>Schnittstellen" in job.description_html
    assert job.description_html.endswith(
        "<div>Wir freuen uns auf deine Bewerbung – auch ohne Anschreiben.</div>"  # noqa: RUF001
    )
    assert "style=" not in job.description_html
    assert job.custom_fields == {
        "level": "Senior", "tags": ["Python", "Backend"], "requisition_codes": ["ENG-142"],
    }  # fmt: skip
    assert list(job.raw) == [f"/v1/postings/{GERMAN}", f"/v1/postings/{GERMAN}/apply"]

    questions = by_id(job)
    assert list(questions)[:10] == [
        "fullName", "email", "currentCompany", "currentLocation", "phone", "resume",
        "additionalInformation", "urls.LinkedIn", "urls.GitHub", "urls.Other",
    ]  # fmt: skip
    standard = {
        qid: (q.type, q.required, q.category)
        for qid, q in questions.items()
        if q.category is QuestionCategory.STANDARD
    }
    assert standard == {
        "fullName": (QuestionType.SHORT_TEXT, True, QuestionCategory.STANDARD),
        "email": (QuestionType.EMAIL, True, QuestionCategory.STANDARD),
        "currentCompany": (QuestionType.SHORT_TEXT, False, QuestionCategory.STANDARD),
        "currentLocation": (QuestionType.LOCATION, False, QuestionCategory.STANDARD),
        "phone": (QuestionType.PHONE, False, QuestionCategory.STANDARD),
        "resume": (QuestionType.FILE, True, QuestionCategory.STANDARD),
        "additionalInformation": (QuestionType.LONG_TEXT, False, QuestionCategory.STANDARD),
        "urls.LinkedIn": (QuestionType.LINK, False, QuestionCategory.STANDARD),
        "urls.GitHub": (QuestionType.LINK, False, QuestionCategory.STANDARD),
        "urls.Other": (QuestionType.LINK, False, QuestionCategory.STANDARD),
    }
    group = "e4b7a2d9-6c13-4f85-9e20-7d3b1a8c5f64"
    source = questions[f"{group}.1d9c6e3b-8a52-4f07-b4e1-3c7a9d2e6f58"]
    assert (source.label, source.type, source.required, source.category) == (
        "Wie hast du von uns erfahren?", QuestionType.SINGLE_CHOICE, True, QuestionCategory.CUSTOM,
    )  # fmt: skip
    assert [(o.id, o.label) for o in source.options] == [
        ("LinkedIn", "LinkedIn"), ("Empfehlung", "Empfehlung"), ("Konferenz", "Konferenz"),
    ]  # fmt: skip
    assert source.source_type == "dropdown"
    languages = questions[f"{group}.7b2e5f8a-1c94-4d36-a0b7-9e4d2c6a8f13"]
    assert (languages.type, languages.required) == (QuestionType.MULTIPLE_CHOICE, False)
    assert [o.label for o in languages.options] == ["Deutsch", "Englisch", "Französisch"]
    motivation = questions[f"{group}.c3a8d1f6-4e27-4b90-8d5c-2f6b9e1a7d34"]
    assert (motivation.type, motivation.description) == (
        QuestionType.LONG_TEXT, "Höchstens 300 Wörter.",
    )  # fmt: skip
    sample = questions["a6f1c9e4-3b28-4d7a-95e6-8c2d4b7f1a09.f8d2b6a1-9e43-4c75-b1d8-6a3e9c2f5b71"]
    assert (sample.type, sample.required, sample.category) == (
        QuestionType.FILE, False, QuestionCategory.CUSTOM,
    )  # fmt: skip
    assert len(questions) == 14
    assert not any(q.category is QuestionCategory.EEO for q in job.questions)


@pytest.mark.vcr(f"v1_found_{CLOSED[:8]}.yaml")
async def test_closed_remote_posting_with_eeo_questions() -> None:
    job = await authenticated().fetch_job(CLOSED)
    assert job.title == "Customer Support Specialist"
    assert (job.status, job.visibility) == (JobStatus.CLOSED, Visibility.UNKNOWN)
    assert job.requisition_code == "REQ-0093"  # reqCode is empty, requisitionCodes has it
    assert job.employment_type is EmploymentType.PART_TIME
    assert job.workplace_type is WorkplaceType.REMOTE
    (place,) = job.locations
    assert (place.raw, place.city, place.country_code) == ("Remote - United States", None, "US")
    assert (job.posting_url, job.apply_url) == (None, None)  # `urls` is null once closed
    assert job.compensation == ()
    # descriptionHtml is empty: the plain description is used
    assert job.description_html == (
        "<p>Help our customers get the most out of their hiring tools.</p>"
    )
    assert job.posted_at == datetime(2024, 12, 1, tzinfo=UTC)
    assert job.updated_at == datetime(2025, 1, 1, tzinfo=UTC)
    assert job.custom_fields == {"requisition_codes": ["REQ-0093"]}
    questions = by_id(job)
    assert questions["resume"].required is False
    assert list(questions) == [
        "fullName", "email", "currentCompany", "currentLocation", "phone", "resume",
        "additionalInformation", "urls.LinkedIn", "urls.Other", "eeo.gender", "eeo.veteran",
    ]  # fmt: skip
    gender = questions["eeo.gender"]
    assert (gender.label, gender.type, gender.required, gender.category) == (
        "Gender", QuestionType.SINGLE_CHOICE, False, QuestionCategory.EEO,
    )  # fmt: skip
    assert [o.id for o in gender.options] == ["Female", "Male", "Decline to self-identify"]
    veteran = questions["eeo.veteran"]
    assert veteran.category is QuestionCategory.EEO
    assert [o.label for o in veteran.options][:2] == ["I am a veteran", "I am not a veteran"]


@pytest.mark.vcr("v1_not_found.yaml")
async def test_unknown_posting_is_job_not_found_on_the_authenticated_api() -> None:
    with pytest.raises(JobNotFound) as caught:
        await authenticated().fetch_job(UNKNOWN)
    assert caught.value.status_code == 404


@pytest.mark.vcr("v1_bad_credentials.yaml")
async def test_rejected_api_key_is_authentication_failed() -> None:
    with pytest.raises(AuthenticationFailed) as caught:
        await authenticated().fetch_job(GERMAN)
    assert caught.value.status_code == 401
    assert "test-key" not in str(caught.value) + repr(caught.value)


# -- how each credential set authenticates ---------------------------------------------------------


def lever_api(
    token_answers: list[httpx.Response] | None = None,
    accept: Callable[[str], bool] = lambda auth: True,
) -> FakeAts:
    """The authenticated API serving the German posting; 401 unless `accept(Authorization)`."""
    tokens = list(token_answers or [])
    posting_body = recorded_body(f"v1_found_{GERMAN[:8]}.yaml", 0)
    apply_body = recorded_body(f"v1_found_{GERMAN[:8]}.yaml", 1)

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth/token"):
            return tokens.pop(0)
        if not accept(request.headers.get("authorization", "")):
            return httpx.Response(401)
        if request.url.path.endswith("/apply"):
            return httpx.Response(200, content=apply_body)
        return httpx.Response(200, content=posting_body)

    return FakeAts(handle)


async def test_api_key_is_sent_as_basic_auth_user_with_empty_password() -> None:
    ats = lever_api()
    job = await LeverConnector({}, API_KEY, http=ats.client()).fetch_job(GERMAN)
    assert job.title.startswith("Softwareentwickler")
    expected = "Basic " + base64.b64encode(b"test-key:").decode()
    assert [r.headers["authorization"] for r in ats.requests] == [expected, expected]
    assert [r.url.path for r in ats.requests] == [
        f"/v1/postings/{GERMAN}", f"/v1/postings/{GERMAN}/apply",
    ]  # fmt: skip


async def test_access_token_alone_is_a_bearer_and_a_401_is_final() -> None:
    ats = lever_api(accept=lambda auth: False)
    lever = LeverConnector({}, {"access_token": "test-access"}, http=ats.client())
    assert lever.auth.kind is AuthKind.BEARER
    with pytest.raises(AuthenticationFailed):
        await lever.fetch_job(GERMAN)
    assert [r.headers["authorization"] for r in ats.requests] == ["Bearer test-access"]


async def test_expired_access_token_is_refreshed_once_with_the_refresh_token() -> None:
    token = httpx.Response(
        200, json={"access_token": "test-fresh", "refresh_token": "test-next", "expires_in": 3600}
    )
    ats = lever_api([token], accept=lambda auth: auth == "Bearer test-fresh")
    credentials = {
        "access_token": "test-stale", "refresh_token": "test-refresh",
        "client_id": "test-client", "client_secret": "test-secret",
    }  # fmt: skip
    lever = LeverConnector({}, credentials, http=ats.client())
    assert lever.auth.kind is AuthKind.OAUTH2_REFRESH_TOKEN
    job = await lever.fetch_job(GERMAN)
    assert job.external_id == GERMAN
    seen = [(r.method, str(r.url), r.headers.get("authorization")) for r in ats.requests]
    assert seen == [
        ("GET", f"https://api.lever.co/v1/postings/{GERMAN}", "Bearer test-stale"),
        ("POST", "https://auth.lever.co/oauth/token", None),
        ("GET", f"https://api.lever.co/v1/postings/{GERMAN}", "Bearer test-fresh"),
        ("GET", f"https://api.lever.co/v1/postings/{GERMAN}/apply", "Bearer test-fresh"),
    ]
    form = parse_qs(ats.requests[1].content.decode())
    assert form == {
        "grant_type": ["refresh_token"], "refresh_token": ["test-refresh"],
        "client_id": ["test-client"], "client_secret": ["test-secret"],
    }  # fmt: skip


async def test_refresh_set_without_access_token_fetches_one_first_from_the_sandbox() -> None:
    token = httpx.Response(200, json={"access_token": "test-fresh", "expires_in": 3600})
    ats = lever_api([token], accept=lambda auth: auth == "Bearer test-fresh")
    lever = LeverConnector(
        {
            "base_url": "https://api.sandbox.lever.co",
            "oauth_token_url": "https://sandbox-lever.auth0.com/oauth/token",
        },
        {"refresh_token": "test-refresh", "client_id": "test-client", "client_secret": "test-s"},
        http=ats.client(),
    )
    await lever.fetch_job(GERMAN)
    assert [str(r.url) for r in ats.requests] == [
        "https://sandbox-lever.auth0.com/oauth/token",
        f"https://api.sandbox.lever.co/v1/postings/{GERMAN}",
        f"https://api.sandbox.lever.co/v1/postings/{GERMAN}/apply",
    ]


async def test_a_refused_refresh_token_is_authentication_failed() -> None:
    refused = httpx.Response(403, json={"error": "invalid_grant"})  # Auth0 answers so
    ats = lever_api([refused], accept=lambda auth: False)
    credentials = {
        "access_token": "test-stale", "refresh_token": "test-refresh",
        "client_id": "test-client", "client_secret": "test-secret",
    }  # fmt: skip
    with pytest.raises(AuthenticationFailed) as caught:
        await LeverConnector({}, credentials, http=ats.client()).fetch_job(GERMAN)
    for secret in credentials.values():
        assert secret not in str(caught.value)


# -- hosts ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "credentials", "url"),
    [
        ("global", {}, f"https://api.lever.co/v0/postings/acme/{UNKNOWN}?mode=json"),
        ("eu", {}, f"https://api.eu.lever.co/v0/postings/acme/{UNKNOWN}?mode=json"),
        ("eu", API_KEY, f"https://api.eu.lever.co/v1/postings/{UNKNOWN}"),
    ],
)
async def test_region_chooses_the_host(region: str, credentials: dict[str, str], url: str) -> None:
    ats = FakeAts(lambda request: httpx.Response(404))
    lever = LeverConnector({"site": "acme", "region": region}, credentials, http=ats.client())
    with pytest.raises(JobNotFound):
        await lever.fetch_job(UNKNOWN)
    assert [str(r.url) for r in ats.requests] == [url]


async def test_base_url_override_builds_every_path_on_it() -> None:
    ats = FakeAts(lambda request: httpx.Response(404))
    lever = LeverConnector(
        {"site": "acme", "region": "eu", "base_url": "https://sandbox.example.com/lever/"},
        http=ats.client(),
    )
    with pytest.raises(JobNotFound):
        await lever.fetch_job(UNKNOWN)
    assert str(ats.requests[0].url) == (
        f"https://sandbox.example.com/lever/v0/postings/acme/{UNKNOWN}?mode=json"
    )


def test_connector_declares_its_ways_in_and_its_rate_limit() -> None:
    assert (LeverConnector.rate_limit.requests, LeverConnector.rate_limit.per_seconds) == (10, 1.0)
    assert set(LeverConnector.auth_kinds) == {
        AuthKind.NONE, AuthKind.BASIC, AuthKind.BEARER, AuthKind.OAUTH2_REFRESH_TOKEN,
    }  # fmt: skip
    assert public("acme").auth.kind is AuthKind.NONE
    assert authenticated().auth.kind is AuthKind.BASIC
    described = LeverConnector.describe()
    assert [s["name"] for s in described["settings"]] == [
        "base_url", "site", "region", "oauth_token_url",
    ]  # fmt: skip
    assert [c["name"] for c in described["credentials"] if c["secret"]] == [
        "api_key", "access_token", "refresh_token", "client_id", "client_secret",
        "postings_api_key",
    ]  # fmt: skip
    assert described["submit_credentials"] == ["postings_api_key"]
    assert described["submits"] is True


# -- settings and credentials --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings_", "credentials", "complaint"),
    [
        ({}, {}, "site"),
        ({"site": "../admin"}, {}, "site"),
        ({"site": "acme/jobs"}, {}, "site"),
        ({"site": "acme", "region": "us"}, {}, "region"),
        ({"site": "acme", "nope": "1"}, {}, "nope"),
        ({"site": "acme"}, {"api_key": "test-key", "access_token": "test-access"}, "not both"),
        ({}, {"refresh_token": "test-refresh"}, "together"),
        ({}, {"access_token": "test-access", "client_id": "test-client"}, "together"),
        ({}, {"api_key": "   "}, "api_key is empty"),  # refused, never read as "no key"
        ({}, {"password": "test-pass"}, "password"),
        ({"site": "a", "oauth_token_url": "http://auth.example.com/t"}, {}, "https"),
        ({"site": "a", "base_url": "http://127.0.0.1:8080"}, {}, "private"),
    ],
)
def test_settings_and_credentials_are_checked(
    settings_: dict[str, str], credentials: dict[str, str], complaint: str
) -> None:
    with pytest.raises(ConfigurationError, match=complaint) as caught:
        LeverConnector(settings_, credentials)
    for secret in credentials.values():
        if secret.strip():
            assert secret not in str(caught.value)


def test_secrets_never_show() -> None:
    lever = LeverConnector({}, {"api_key": "test-key-value"})
    shown = repr(lever) + repr(lever.credentials) + str(lever.credentials) + repr(lever.auth)
    assert "test-key-value" not in shown


@pytest.mark.parametrize(
    "job_id",
    [
        "6D5CBE7F-E551-4AE1-B052-08A48F651993",  # Lever writes its ids in lower case
        "6d5cbe7fe5514ae1b05208a48f651993",
        "6d5cbe7f-e551-4ae1-b052-08a48f65199",
        "12345",
        "leverdemo/6d5cbe7f-e551-4ae1-b052-08a48f651993",
        "6d5cbe7f-e551-4ae1-b052-08a48f651993?mode=html",
    ],
)
async def test_malformed_ids_never_reach_the_network(job_id: str) -> None:
    ats = FakeAts(lambda request: httpx.Response(200, json={}))
    with pytest.raises(InvalidJobId):
        await LeverConnector({"site": "acme"}, http=ats.client()).fetch_job(job_id)
    assert ats.requests == []


# -- Lever-specific answers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"ok": False, "error": "Document not found"}, JobNotFound),
        ({"ok": False, "error": "Something else went wrong"}, PayloadError),
        ({"id": "7465bdb3-4f75-43bc-b5d9-c23c77fd3a29", "text": "Other"}, PayloadError),
        ({"id": UNKNOWN}, PayloadError),  # no title
        ([{"id": UNKNOWN, "text": "A list"}], PayloadError),
    ],
)
async def test_public_api_error_shapes(body: Any, error: type[Exception]) -> None:
    ats = FakeAts(lambda request: httpx.Response(200, json=body))
    with pytest.raises(error) as caught:
        await public_with(ats).fetch_job(UNKNOWN)
    assert "Document not found" not in str(caught.value)  # never echo upstream text


def public_with(ats: FakeAts) -> LeverConnector:
    return LeverConnector({"site": "acme"}, http=ats.client())


@pytest.mark.parametrize(
    ("posting_body", "apply_body", "complaint"),
    [
        ({"id": UNKNOWN, "text": "No envelope"}, {"data": {}}, "`data` object"),
        ({"data": {"id": GERMAN, "text": "Other"}}, {"data": {}}, "another posting"),
        ({"data": {"id": UNKNOWN, "text": "Mine"}}, {"questions": []}, "`data` object"),
        ({"data": {"id": UNKNOWN, "text": "Mine"}}, {"data": {"id": GERMAN}}, "another posting"),
    ],
)
async def test_authenticated_api_answers_that_do_not_fit(
    posting_body: Any, apply_body: Any, complaint: str
) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        body = apply_body if request.url.path.endswith("/apply") else posting_body
        return httpx.Response(200, json=body)

    ats = FakeAts(handle)
    with pytest.raises(PayloadError, match=complaint):
        await LeverConnector({}, API_KEY, http=ats.client()).fetch_job(UNKNOWN)


async def test_a_key_without_posting_access_is_permission_denied() -> None:
    ats = FakeAts(lambda request: httpx.Response(403))
    with pytest.raises(PermissionDenied):
        await LeverConnector({}, API_KEY, http=ats.client()).fetch_job(UNKNOWN)


# -- the mapping rules, one by one -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "channels", "confidentiality", "status", "visibility"),
    [
        ("published", None, "non-confidential", JobStatus.OPEN, Visibility.PUBLIC),
        ("published", ["public", "internal"], None, JobStatus.OPEN, Visibility.PUBLIC),
        ("published", ["internal"], None, JobStatus.OPEN, Visibility.INTERNAL),
        ("internal", None, "non-confidential", JobStatus.OPEN, Visibility.UNLISTED),
        ("closed", None, None, JobStatus.CLOSED, Visibility.UNKNOWN),
        ("draft", None, None, JobStatus.DRAFT, Visibility.UNKNOWN),
        ("pending", None, None, JobStatus.DRAFT, Visibility.UNKNOWN),
        ("rejected", None, None, JobStatus.DRAFT, Visibility.UNKNOWN),
        ("published", None, "confidential", JobStatus.OPEN, Visibility.CONFIDENTIAL),
        ("archived-ish", None, None, JobStatus.UNKNOWN, Visibility.UNKNOWN),
        (None, None, None, JobStatus.UNKNOWN, Visibility.UNKNOWN),
    ],
)
def test_posting_states(
    state: Any, channels: Any, confidentiality: Any, status: JobStatus, visibility: Visibility
) -> None:
    assert data_api.status(state) is status
    assert data_api.visibility(state, channels, confidentiality) is visibility


@pytest.mark.parametrize(
    ("interval", "expected"),
    [
        ("per-year-salary", PayInterval.YEAR),
        ("per-month-salary", PayInterval.MONTH),
        ("per-week-salary", PayInterval.WEEK),
        ("per-day-wage", PayInterval.DAY),
        ("per-hour-wage", PayInterval.HOUR),
        ("one-time", PayInterval.ONE_TIME),
        ("fortnightly", None),
        (None, None),
    ],
)
def test_lever_pay_intervals_are_read_by_the_shared_vocabulary(
    interval: Any, expected: PayInterval | None
) -> None:
    assert vocab.pay_interval(interval) is expected


def test_salary_range_bounds_are_ordered_and_currency_checked() -> None:
    (pay,) = posting.compensation(
        {"min": "90,000", "max": 60000, "currency": "eur", "interval": "per-year-salary"},
        "Plus equity",
    )
    assert (pay.min_amount, pay.max_amount, pay.currency, pay.raw) == (
        Decimal(60000), Decimal(90000), "EUR", "Plus equity",
    )  # fmt: skip
    (open_ended,) = posting.compensation({"min": 50, "currency": "XYZ"}, None)
    assert (open_ended.min_amount, open_ended.max_amount, open_ended.currency) == (
        Decimal(50), None, None,
    )  # fmt: skip
    assert posting.compensation({"currency": "USD"}, None) == ()
    assert posting.compensation(None, None) == ()


@pytest.mark.parametrize(
    ("explicit", "names", "expected"),
    [
        ("on-site", ["Remote - US"], WorkplaceType.ON_SITE),  # the explicit field wins
        ("remote", ["Berlin"], WorkplaceType.REMOTE),
        ("hybrid", [], WorkplaceType.HYBRID),
        ("unspecified", ["Remote - Europe", "Remote (US)"], WorkplaceType.REMOTE),
        ("unspecified", ["Remote - Europe", "Berlin"], None),
        (None, ["Berlin (Hybrid)"], WorkplaceType.HYBRID),
        (None, [], None),
    ],
)
def test_workplace_type(explicit: Any, names: list[str], expected: WorkplaceType | None) -> None:
    assert posting.workplace(explicit, names) is expected


def test_locations_country_first_spelling_and_posting_country() -> None:
    (lisbon,) = posting.locations({"location": "Portugal - Lisbon"}, None)
    assert (lisbon.city, lisbon.country_code) == ("Lisbon", "PT")
    places = posting.locations(
        {"location": "Toronto", "allLocations": ["Austin, TX", "Toronto"]}, "CA"
    )
    assert [(p.raw, p.region, p.country_code) for p in places] == [
        ("Austin, TX", "TX", "US"),
        ("Toronto", None, "CA"),  # the primary location gets the posting's country
    ]
    (only,) = posting.locations({}, "gr")
    assert (only.raw, only.country_code) == (None, "GR")
    assert posting.locations({}, "Atlantis") == ()


@pytest.mark.parametrize(
    ("lever_type", "options", "expected"),
    [
        ("text", [], QuestionType.SHORT_TEXT),
        ("textarea", [], QuestionType.LONG_TEXT),
        ("dropdown", [{"text": "A"}], QuestionType.SINGLE_CHOICE),
        ("multiple-choice", [{"text": "A"}], QuestionType.SINGLE_CHOICE),
        ("multiple-choice", [{"text": "Yes"}, {"text": "No"}], QuestionType.YES_NO),
        ("multiple-select", [{"text": "A"}], QuestionType.MULTIPLE_CHOICE),
        ("yes-no", [], QuestionType.YES_NO),
        ("date", [], QuestionType.DATE),
        ("currency", [], QuestionType.NUMBER),
        ("file-upload", [], QuestionType.FILE),
        ("university", [], QuestionType.SHORT_TEXT),
        ("note", [], QuestionType.UNKNOWN),
    ],
)
def test_custom_field_types(lever_type: str, options: list[Any], expected: QuestionType) -> None:
    (question,) = apply_form.questions(
        {"customQuestions": [{"id": "g", "fields": [{"text": "Q?", "type": lever_type,
                                                     "options": options}]}]}
    )  # fmt: skip
    assert (question.id, question.type, question.source_type) == ("g.0", expected, lever_type)


def test_question_ids_stay_unique_and_options_fall_back_to_their_text() -> None:
    questions = apply_form.questions(
        {
            "personalInformation": [{"name": "email", "text": "Email", "type": "text"}] * 2,
            "customQuestions": [
                {"id": "g", "text": "Group label", "fields": [
                    {"id": "f", "type": "dropdown",
                     "options": [{"text": "One"}, {"text": "Two", "optionId": "2"}, {"x": 1}]},
                ]},
            ],
            "eeoQuestions": {"disability": {"prompt": "Disability", "type": "dropdown"},
                             "broken": "not an object"},
        }
    )  # fmt: skip
    assert [q.id for q in questions] == ["email", "g.f", "eeo.disability"]
    assert questions[1].label == "Group label"  # a field without text takes its group's
    assert [(o.id, o.label) for o in questions[1].options] == [("One", "One"), ("2", "Two")]
    assert (questions[2].label, questions[2].category) == ("Disability", QuestionCategory.EEO)


# -- any JSON gives a Job or a PayloadError ---------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=30,
)
_TEXTS = (
    "text", "description", "descriptionPlain", "opening", "descriptionBody", "additional",
    "additionalPlain", "salaryDescription", "salaryDescriptionPlain", "hostedUrl", "applyUrl",
    "workplaceType", "country", "state", "reqCode", "confidentiality",
)  # fmt: skip
categories = st.fixed_dictionaries(
    {},
    optional={
        key: json_values | st.text(max_size=30)
        for key in ("commitment", "department", "level", "location", "team")
    }
    | {"allLocations": st.lists(st.text(max_size=30), max_size=3) | json_values},
)
salary = st.fixed_dictionaries(
    {},
    optional={
        "min": json_values | st.integers(),
        "max": json_values | st.integers(),
        "currency": st.sampled_from(["USD", "EUR", "usd", "???"]) | json_values,
        "interval": st.sampled_from(["per-year-salary", "per-hour-wage"]) | json_values,
    },
)
lever_posting = st.fixed_dictionaries(
    {"id": st.just(UNKNOWN) | json_values},
    optional={key: json_values for key in _TEXTS}
    | {
        "text": st.just("A title") | json_values,
        "categories": categories | json_values,
        "salaryRange": salary | json_values,
        "lists": st.lists(st.fixed_dictionaries({"text": json_values, "content": json_values}))
        | json_values,
        "createdAt": st.integers() | json_values,
        "updatedAt": st.integers() | json_values,
        "content": json_values,
        "urls": json_values,
        "tags": json_values,
        "requisitionCodes": json_values,
        "distributionChannels": json_values,
    },
)
form_field = st.fixed_dictionaries(
    {},
    optional={
        key: json_values
        for key in ("id", "text", "type", "required", "description", "options", "name", "prompt")
    },
)
apply_payload = st.fixed_dictionaries(
    {},
    optional={
        "id": st.just(UNKNOWN) | json_values,
        "personalInformation": st.lists(form_field, max_size=3) | json_values,
        "urls": st.lists(form_field, max_size=3) | json_values,
        "customQuestions": st.lists(
            st.fixed_dictionaries(
                {"id": st.text(max_size=8) | json_values},
                optional={"text": json_values, "fields": st.lists(form_field, max_size=3)},
            ),
            max_size=3,
        )
        | json_values,
        "eeoQuestions": st.dictionaries(st.text(max_size=8), form_field, max_size=3) | json_values,
    },
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=lever_posting | json_values)
async def test_any_public_json_gives_a_job_or_a_payload_error(body: object) -> None:
    content = json.dumps(body).encode()
    ats = FakeAts(lambda request: httpx.Response(200, content=content))
    try:
        job = await public_with(ats).fetch_job(UNKNOWN)
    except PayloadError:
        return
    assert job.external_id == UNKNOWN
    assert job.title


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    posting_body=st.fixed_dictionaries({"data": lever_posting}) | json_values,
    apply_body=st.fixed_dictionaries({"data": apply_payload}) | json_values,
)
async def test_any_authenticated_json_gives_a_job_or_a_payload_error(
    posting_body: object, apply_body: object
) -> None:
    bodies = {
        "posting": json.dumps(posting_body).encode(),
        "apply": json.dumps(apply_body).encode(),
    }

    def handle(request: httpx.Request) -> httpx.Response:
        key = "apply" if request.url.path.endswith("/apply") else "posting"
        return httpx.Response(200, content=bodies[key])

    ats = FakeAts(handle)
    try:
        job = await LeverConnector({}, API_KEY, http=ats.client()).fetch_job(UNKNOWN)
    except PayloadError:
        return
    assert job.external_id == UNKNOWN
    assert len({q.id for q in job.questions}) == len(job.questions)


# -- the conformance suite, once per way in ---------------------------------------------------


class TestLeverDataApiConformance(ConnectorConformance):
    mode = "lever"
    way_in = "authenticated API"
    settings = {"region": "global"}
    credentials = API_KEY
    cassette_dir = LEVER
    known_job = (GERMAN, f"v1_found_{GERMAN[:8]}.yaml")
    unknown_job = (UNKNOWN, "v1_not_found.yaml")
    bad_credentials = (GERMAN, "v1_bad_credentials.yaml")
    extra_malformed_ids = (
        "6D5CBE7F-E551-4AE1-B052-08A48F651993", "6d5cbe7fe5514ae1b05208a48f651993", "12345",
    )  # fmt: skip


class TestLeverPostingsApiConformance(ConnectorConformance):
    mode = "lever"
    way_in = "public Postings API"
    settings = {"site": "leverdemo"}
    cassette_dir = LEVER
    known_job = ("6d5cbe7f-e551-4ae1-b052-08a48f651993", "v0_found_leverdemo_6d5cbe7f.yaml")
    unknown_job = (UNKNOWN, "v0_not_found.yaml")
    extra_malformed_ids = ("6D5CBE7F-E551-4AE1-B052-08A48F651993", "leverdemo")
    skip = {"bad_credentials": "the public Postings API takes no credentials"}
