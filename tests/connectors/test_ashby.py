"""Ashby connector: recorded boards and constructed jobPosting.info answers, field by field."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from embloy_ats import (
    AuthenticationFailed,
    CompensationKind,
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
    RateLimited,
    RequestRejected,
    UpstreamError,
    Visibility,
    WorkplaceType,
)
from embloy_ats.model import Location
from embloy_ats.testing.conformance import ConnectorConformance
from embloy_ats_ashby import AshbyConnector
from embloy_ats_ashby.common import location
from embloy_ats_ashby.job_posting import questions
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import CASSETTES, FakeAts

KOVO = "691c4294-855e-4ab9-b6d9-8d70c6e09866"
HYBRID = "3f0c9a6e-2b1d-4c8e-9a57-6d2e8b1f4c20"
REMOTE = "8d41f6b2-7c39-4e0a-b1d5-2a9c6e3f7b18"
UNKNOWN = "00000000-0000-4000-8000-000000000000"
KEY = "test-key"
DASH = "\N{EN DASH}"  # Ashby's summaries use an en dash


@pytest.fixture
def vcr_cassette_dir() -> str:
    return str(CASSETTES / "ashby")


def board(name: str, http: HttpClient | None = None) -> AshbyConnector:
    return AshbyConnector({"job_board_name": name}, http=http or HttpClient())


def keyed(http: HttpClient | None = None) -> AshbyConnector:
    return AshbyConnector({}, {"api_key": KEY}, http=http or HttpClient())


def answering(body: Any, status: int = 200) -> tuple[FakeAts, AshbyConnector]:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    ats = FakeAts(lambda request: httpx.Response(status, content=content))
    return ats, keyed(ats.client())


# -- public Posting API ------------------------------------------------------------------------


@pytest.mark.vcr("board_kovo.yaml")
async def test_remote_posting_with_salary_and_equity() -> None:
    job = await board("kovo").fetch_job(KOVO)
    assert (job.external_id, job.slug) == (KOVO, f"ashby__{KOVO}")
    assert job.title == "Senior hire: \U0001f6e0\ufe0f Backend Engineering"
    assert job.company is None  # the Posting API does not name the employer
    assert (job.status, job.visibility) == (JobStatus.OPEN, Visibility.PUBLIC)
    assert job.employment_type is EmploymentType.FULL_TIME
    assert job.workplace_type is WorkplaceType.REMOTE  # isRemote, no workplaceType
    assert job.locations == (Location(raw="United States", country_code="US"),)
    assert (job.department, job.team) == ("Development", "Development")
    salary, equity = job.compensation
    assert (salary.kind, salary.min_amount, salary.max_amount) == (
        CompensationKind.SALARY, Decimal(150000), Decimal(200000),
    )  # fmt: skip
    assert (salary.currency, salary.interval) == ("USD", PayInterval.YEAR)
    assert salary.raw == f"$150K {DASH} $200K"
    assert (equity.kind, equity.min_amount, equity.max_amount) == (
        CompensationKind.EQUITY, Decimal("0.05"), Decimal("0.1"),
    )  # fmt: skip
    assert (equity.currency, equity.interval, equity.raw) == (None, None, f"0.05% {DASH} 0.1%")
    assert job.posted_at == datetime(2025, 9, 2, 0, 19, 32, 569000, tzinfo=UTC)
    assert job.updated_at is None
    assert job.posting_url == f"https://jobs.ashbyhq.com/kovo/{KOVO}"
    assert job.apply_url == f"https://jobs.ashbyhq.com/kovo/{KOVO}/application"
    assert job.description_html.startswith("<h1><strong>Join an early-stage startup.</strong>")
    assert "style=" not in job.description_html
    assert job.description_text.startswith("JOIN AN EARLY-STAGE STARTUP.")  # Ashby's plain text
    # the Posting API carries no application form: the job has the fields every one takes
    assert [(q.id, q.type, q.required) for q in job.questions] == [
        ("_systemfield_name", QuestionType.SHORT_TEXT, True),
        ("_systemfield_email", QuestionType.EMAIL, True),
        ("_systemfield_resume", QuestionType.FILE, False),
    ]
    path = "/posting-api/job-board/kovo?includeCompensation=true"
    assert list(job.raw) == [path]
    kept = job.raw[path]
    assert isinstance(kept, dict)
    assert kept["apiVersion"] == "1"
    jobs = kept["jobs"]
    assert isinstance(jobs, list)
    assert [item["id"] for item in jobs if isinstance(item, dict)] == [KOVO]


@pytest.mark.vcr("board_prelim.yaml")
async def test_secondary_locations_and_tier_without_amounts() -> None:
    job = await board("prelim").fetch_job("62449307-e366-4c92-8d22-9a9f8ec11afa")
    assert job.title == "Software Engineer, Product"
    assert [(loc.city, loc.region, loc.country_code) for loc in job.locations] == [
        ("New York", "New York", "US"),
        ("San Francisco", "California", "US"),
        ("Atlanta", "Georgia", "US"),
        ("Austin", "Texas", "US"),
        ("Boston", "Massachusetts", "US"),
        ("Chicago", "Illinois", "US"),
        ("Seattle", "Washington", "US"),
    ]
    assert job.locations[1].raw == "San Francisco"
    salary, equity = job.compensation
    assert (salary.min_amount, salary.max_amount, salary.currency) == (
        Decimal(110000), Decimal(140000), "USD",
    )  # fmt: skip
    assert (equity.kind, equity.min_amount, equity.max_amount, equity.raw) == (
        CompensationKind.EQUITY, None, None, "Offers Equity",
    )  # fmt: skip
    assert job.posted_at == datetime(2025, 8, 30, 20, 54, 14, 357000, tzinfo=UTC)
    assert job.department == "Engineering"


@pytest.mark.vcr("board_bliro.yaml")
async def test_german_on_site_internship_without_pay() -> None:
    job = await board("bliro").fetch_job("d4e9a5bb-d5b1-4810-96e8-e113540ce3c9")
    assert job.title == "Praktikum im Sales Development (SDR) bei Bliro (m/w/d)"
    assert job.employment_type is EmploymentType.INTERNSHIP
    assert job.workplace_type is WorkplaceType.ON_SITE  # isRemote: false
    assert job.locations == (
        Location(raw="Munich Office", city="Munich", region="Bavaria", country_code="DE"),
    )
    assert job.compensation == ()
    assert (job.department, job.team) == ("Growth", "Growth")
    assert job.description_text.startswith("Standort: München\nStart: Ab sofort")
    assert "<strong>Standort:</strong> München" in job.description_html
    assert "<img" not in job.description_html
    assert job.posted_at == datetime(2025, 8, 1, 14, 59, 30, 747000, tzinfo=UTC)


@pytest.mark.vcr("board_leona.yaml")
async def test_spanish_posting_in_mexico_city() -> None:
    job = await board("leona").fetch_job("682a5305-364f-4c13-baaa-de09b627f062")
    assert job.title == "Growth and Customer Success"
    assert "mejorar la experiencia desde el primer día" in job.description_text
    assert job.locations == (
        Location(
            raw="Mexico City Headquarters",
            city="Mexico City",
            region="Mexico City",
            country_code="MX",
        ),
    )
    assert job.workplace_type is WorkplaceType.REMOTE
    assert job.compensation == ()  # the board does not show pay for this posting


@pytest.mark.vcr("board_leona.yaml")
async def test_locations_in_two_countries() -> None:
    job = await board("leona").fetch_job("4259e032-d061-43ae-b305-3a78329a5a87")
    assert [(loc.raw, loc.city, loc.country_code) for loc in job.locations] == [
        ("Mexico City Headquarters", "Mexico City", "MX"),
        ("New York", "New York", "US"),
        ("San Francisco", "San Francisco", "US"),
    ]
    assert job.department == "Growth & Marketing"


@pytest.mark.vcr("board_highlightta.yaml")
async def test_workplace_type_wins_over_is_remote() -> None:
    job = await board("HighlightTA").fetch_job("fc2f1f85-46a0-4a31-b165-683e39c07c04")
    assert job.title == "Senior Site Reliability Engineer"
    assert job.workplace_type is WorkplaceType.HYBRID  # isRemote is true, workplaceType Hybrid
    assert job.locations == (
        Location(raw="Toronto, Ontario", city="Toronto", region="Ontario", country_code="CA"),
    )
    (salary,) = job.compensation
    assert (salary.min_amount, salary.max_amount, salary.currency, salary.interval) == (
        Decimal(102800), Decimal(137000), "CAD", PayInterval.YEAR,
    )  # fmt: skip


@pytest.mark.vcr("board_highlightta.yaml")
async def test_remote_posting_whose_pay_is_not_shown() -> None:
    job = await board("HighlightTA").fetch_job("90fb3621-899e-4b59-925d-25080ec91e18")
    assert job.workplace_type is WorkplaceType.REMOTE
    assert job.locations == (Location(raw="Canada", country_code="CA"),)
    assert job.compensation == ()
    assert job.posted_at == datetime(2026, 4, 20, 22, 43, 56, 531000, tzinfo=UTC)


@pytest.mark.vcr("board_anara_empty.yaml")
async def test_a_job_missing_from_the_board_is_not_found() -> None:
    with pytest.raises(JobNotFound, match="no published posting with this id on job board 'anara'"):
        await board("anara").fetch_job(KOVO)


@pytest.mark.vcr("board_unknown.yaml")
async def test_an_unknown_board_is_not_found_and_says_so() -> None:
    with pytest.raises(JobNotFound, match="no job board named 'no-such-board'") as caught:
        await board("no-such-board").fetch_job(KOVO)
    assert caught.value.status_code == 404
    assert "job_board_name" in caught.value.hint


async def test_board_without_a_jobs_list_is_a_payload_error() -> None:
    ats = FakeAts(lambda request: httpx.Response(200, json={"apiVersion": "1"}))
    with pytest.raises(PayloadError, match="'jobs' list"):
        await board("acme", ats.client()).fetch_job(KOVO)


async def test_board_request_is_built_on_base_url() -> None:
    ats = FakeAts(lambda request: httpx.Response(200, json={"jobs": []}))
    connector = AshbyConnector(
        {"job_board_name": "acme", "base_url": "https://sandbox.example.com/ashby/"},
        http=ats.client(),
    )
    with pytest.raises(JobNotFound):
        await connector.fetch_job(KOVO)
    (request,) = ats.requests
    assert request.method == "GET"
    assert str(request.url) == (
        "https://sandbox.example.com/ashby/posting-api/job-board/acme?includeCompensation=true"
    )
    assert "authorization" not in request.headers


# -- authenticated jobPosting.info --------------------------------------------------------------


@pytest.mark.vcr("info_found_hybrid.yaml")
async def test_job_posting_info_maps_every_field() -> None:
    job = await keyed().fetch_job(HYBRID)
    assert job.title == "Platform Engineer (Payments)"
    assert job.company == "Nordlicht Labs"  # linkedData.hiringOrganization
    assert (job.status, job.visibility) == (JobStatus.UNKNOWN, Visibility.PUBLIC)
    assert job.employment_type is EmploymentType.FULL_TIME
    assert job.workplace_type is WorkplaceType.HYBRID
    assert job.locations == (
        Location(raw="Berlin Office", city="Berlin", region="Berlin", country_code="DE"),
    )
    assert (job.department, job.team) == ("Engineering", "Payments Platform")
    assert [(c.kind, c.min_amount, c.max_amount, c.currency, c.interval, c.raw) for c in
            job.compensation] == [
        (CompensationKind.SALARY, Decimal(72000), Decimal(90000), "EUR", PayInterval.YEAR,
         f"Berlin: €72K {DASH} €90K"),
        (CompensationKind.EQUITY, Decimal("0.1"), Decimal("0.25"), None, None,
         f"Berlin: 0.1% {DASH} 0.25%"),
        (CompensationKind.BONUS, None, None, None, PayInterval.YEAR, "Berlin: Offers Bonus"),
    ]  # fmt: skip
    assert job.posted_at == datetime(2026, 9, 14, tzinfo=UTC)
    assert job.updated_at == datetime(2026, 10, 2, 9, 30, tzinfo=UTC)
    assert job.closes_at == datetime(2026, 12, 31, 23, 0, tzinfo=UTC)
    assert job.posting_url == f"https://jobs.ashbyhq.com/nordlicht/{HYBRID}"
    assert job.apply_url == f"https://jobs.ashbyhq.com/nordlicht/{HYBRID}/application"
    assert "payments &amp; settlement" in job.description_html
    assert 'rel="noopener noreferrer nofollow"' in job.description_html
    assert "target=" not in job.description_html
    assert job.description_text.startswith("Nordlicht Labs builds payment rails")
    by_id = {q.id: q for q in job.questions}
    assert [(q.id, q.type, q.required, q.category) for q in job.questions] == [
        ("_systemfield_name", QuestionType.SHORT_TEXT, True, QuestionCategory.STANDARD),
        ("_systemfield_email", QuestionType.EMAIL, True, QuestionCategory.STANDARD),
        ("_systemfield_resume", QuestionType.FILE, True, QuestionCategory.STANDARD),
        ("3f8b1d5c-6ea4-4ac1-99f7-4c1e5a0b8d63", QuestionType.LINK, True,
         QuestionCategory.CUSTOM),
        ("4a9c2e6d-7fb5-4bd2-8a08-5d2f6b1c9e74", QuestionType.SINGLE_CHOICE, True,
         QuestionCategory.CUSTOM),
        ("_systemfield_location", QuestionType.LOCATION, True, QuestionCategory.STANDARD),
        ("6c1e4a8f-91d7-4df4-8c2a-7f4b8d3e1a96", QuestionType.LONG_TEXT, False,
         QuestionCategory.CUSTOM),
    ]  # fmt: skip
    years = by_id["4a9c2e6d-7fb5-4bd2-8a08-5d2f6b1c9e74"]
    assert years.label == "How many years have you run production databases?"
    assert years.description == "Postgres, MySQL or similar."
    assert [(o.id, o.label) for o in years.options] == [
        ("lt2", "Less than 2"), ("2to5", "2-5"), ("gt5", "More than 5"),
    ]  # fmt: skip
    assert years.source_type == "ValueSelect"
    assert by_id["_systemfield_location"].label == "Where do you live?"
    assert by_id["3f8b1d5c-6ea4-4ac1-99f7-4c1e5a0b8d63"].source_type == "Url"
    assert list(job.raw) == ["/jobPosting.info"]


@pytest.mark.vcr("info_found_remote.yaml")
async def test_job_posting_info_with_sections_surveys_and_hourly_pay() -> None:
    # Upper-case ids are accepted; Ashby is asked with the canonical lower-case UUID.
    job = await keyed().fetch_job(REMOTE.upper())
    assert job.external_id == REMOTE
    assert job.title == "Werkstudent:in Data Analytics (m/w/d)"
    assert job.visibility is Visibility.UNLISTED  # isListed: false
    assert job.employment_type is EmploymentType.INTERNSHIP
    assert job.workplace_type is WorkplaceType.REMOTE
    assert job.locations == (Location(raw="Remote - Germany", country_code="DE"),)
    (pay,) = job.compensation
    assert (pay.min_amount, pay.max_amount, pay.currency, pay.interval) == (
        Decimal(16), Decimal(18), "EUR", PayInterval.HOUR,
    )  # fmt: skip
    assert job.closes_at is None
    assert job.description_text.startswith("ÜBER DIE ROLLE")
    assert [(q.label, q.type, q.required, q.category) for q in job.questions] == [
        ("Name", QuestionType.SHORT_TEXT, True, QuestionCategory.STANDARD),
        ("E-Mail", QuestionType.EMAIL, True, QuestionCategory.STANDARD),
        ("Telefon", QuestionType.PHONE, False, QuestionCategory.STANDARD),
        ("Lebenslauf", QuestionType.FILE, True, QuestionCategory.STANDARD),
        ("Bist du an einer deutschen Hochschule eingeschrieben?", QuestionType.YES_NO, True,
         QuestionCategory.CUSTOM),
        ("Ab wann kannst du starten?", QuestionType.DATE, True, QuestionCategory.CUSTOM),
        ("Wie viele Stunden pro Woche kannst du arbeiten?", QuestionType.NUMBER, True,
         QuestionCategory.CUSTOM),
        ("Welche Werkzeuge nutzt du?", QuestionType.MULTIPLE_CHOICE, False,
         QuestionCategory.CUSTOM),
        ("Wie hast du von uns erfahren?", QuestionType.SINGLE_CHOICE, False,
         QuestionCategory.CUSTOM),
    ]  # fmt: skip
    tools = job.questions[7]
    assert [(o.id, o.label) for o in tools.options] == [
        ("sql", "SQL"), ("python", "Python"), ("tableau", "Tableau"),
    ]  # fmt: skip
    assert "Archivierte Frage" not in {q.label for q in job.questions}  # archived survey


@pytest.mark.vcr("info_not_found.yaml")
async def test_success_false_not_found_is_job_not_found() -> None:
    with pytest.raises(JobNotFound, match="no such job posting") as caught:
        await keyed().fetch_job(UNKNOWN)
    assert (caught.value.status_code, caught.value.request_id) == (
        200, "01JZQ4R7M2X8C5V9B3N6T1K0PA",
    )  # fmt: skip
    # Ashby's code is kept for the operator, outside the message (it is Ashby's text).
    assert caught.value.upstream_code == "job_posting_not_found"
    assert "job_posting_not_found" not in str(caught.value)


@pytest.mark.vcr("info_bad_key.yaml")
async def test_wrong_key_403_is_authentication_failed() -> None:
    with pytest.raises(AuthenticationFailed) as caught:
        await keyed().fetch_job(HYBRID)
    assert caught.value.status_code == 403
    assert KEY not in str(caught.value)
    assert KEY not in repr(caught.value)


async def test_request_is_a_basic_authenticated_post_with_the_posting_id() -> None:
    ats, connector = answering({"success": False, "errorInfo": {"code": "not_found"}})
    with pytest.raises(JobNotFound):
        await connector.fetch_job(HYBRID)
    (request,) = ats.requests
    assert (request.method, str(request.url)) == ("POST", "https://api.ashbyhq.com/jobPosting.info")
    assert json.loads(request.content) == {"jobPostingId": HYBRID}
    expected = "Basic " + base64.b64encode(f"{KEY}:".encode()).decode()
    assert request.headers["authorization"] == expected
    assert request.headers["accept"] == "application/json; version=1"
    assert request.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    ("status", "body", "error", "words", "code"),
    [
        (401, b"", AuthenticationFailed, "HTTP 401", None),
        (401, {"success": False, "errorInfo": {"code": "missing_api_key"}}, AuthenticationFailed,
         "HTTP 401", "missing_api_key"),
        (403, b"Forbidden", AuthenticationFailed, "HTTP 403", None),
        (403, {"success": False, "errors": ["missing_endpoint_permission"],
               "errorInfo": {"code": "missing_endpoint_permission", "requestId": "01ABC"}},
         PermissionDenied, "lacks a permission", "missing_endpoint_permission"),
        (200, {"success": False, "errorInfo": {"code": "missing_endpoint_permission"}},
         PermissionDenied, "lacks a permission", "missing_endpoint_permission"),
        (200, {"success": False, "errorInfo": {"code": "invalid_api_key"}}, AuthenticationFailed,
         "rejected the API key", "invalid_api_key"),
        (200, {"success": False, "errorInfo": {"code": "unauthorized"}}, AuthenticationFailed,
         "rejected the API key", "unauthorized"),
        (200, {"success": False, "errors": ["Rate limit exceeded"],
               "errorInfo": {"code": "rate_limit_exceeded"}}, RateLimited, "rate-limiting",
         "rate_limit_exceeded"),
        (200, {"success": False, "errors": ["Concurrent limit exceeded"]}, RateLimited,
         "rate-limiting", "concurrent_limit_exceeded"),
        (200, {"success": False, "errorInfo": {"code": "invalid_input",
                                                "message": "Request payload is malformed"}},
         RequestRejected, "refused the request as invalid", "invalid_input"),
        (200, {"success": False, "errorInfo": {"code": "something_new"}}, RequestRejected,
         "does not know", "something_new"),
        (200, {"success": False}, PayloadError, "without an error code", None),
        (200, {"success": True, "results": {}}, JobNotFound, "no job posting", None),
        (200, {"success": True, "results": None}, JobNotFound, "no job posting", None),
        (200, {"success": True, "results": {"id": KOVO, "title": "Other"}}, PayloadError,
         "when asked for", None),
        (200, {"success": True, "results": {"id": HYBRID}}, PayloadError, "'title'", None),
        (200, ["not", "an", "object"], PayloadError, "a JSON object", None),
    ],
)  # fmt: skip
async def test_ashby_errors_map_to_typed_errors(
    status: int, body: Any, error: type[Exception], words: str, code: str | None
) -> None:
    _, connector = answering(body, status)
    with pytest.raises(error, match=words) as caught:
        await connector.fetch_job(HYBRID)
    assert KEY not in str(caught.value)
    assert isinstance(caught.value, UpstreamError)
    assert caught.value.upstream_code == code
    if code is not None:  # Ashby's code is Ashby's text: kept for the log, not shown
        assert code not in str(caught.value)


async def test_upstream_words_never_reach_the_message() -> None:
    body = {"success": False, "errorInfo": {"code": "job_not_found", "message": "leak test-key"}}
    _, connector = answering(body)
    with pytest.raises(JobNotFound) as caught:
        await connector.fetch_job(HYBRID)
    assert "leak" not in str(caught.value)


async def test_rate_limit_code_is_rate_limited_without_retry() -> None:
    ats, connector = answering({"success": False, "errorInfo": {"code": "rate_limit_exceeded"}})
    with pytest.raises(RateLimited) as caught:
        await connector.fetch_job(HYBRID)
    assert len(ats.requests) == 1
    assert caught.value.status_code == 200


def test_postal_code_and_street_are_kept_when_given() -> None:
    place = location(
        "HQ",
        {"postalAddress": {"streetAddress": "Invalidenstr. 1", "postalCode": "10115",
                           "addressLocality": "Berlin", "addressCountry": "DE"}},
    )  # fmt: skip
    assert place == Location(
        raw="HQ", street="Invalidenstr. 1", city="Berlin", postal_code="10115", country_code="DE"
    )
    # Ashby's docs print the fields without the postalAddress wrapper.
    bare = location("Houston, TX", {"addressLocality": "Houston", "addressCountry": "USA"})
    assert bare == Location(raw="Houston, TX", city="Houston", country_code="US")
    # No address at all: the name is parsed.
    assert location("Austin, TX", None) == Location(
        raw="Austin, TX", city="Austin", region="TX", country_code="US"
    )
    assert location(None, {}) is None


def test_survey_forms_take_their_category_from_the_survey_type() -> None:
    def survey(kind: str, path: str) -> dict[str, Any]:
        entry = {"isRequired": False, "field": {"type": "ValueSelect", "path": path, "title": path}}
        return {"surveyType": kind, "formDefinition": {"sections": [{"fields": [entry]}]}}

    posting = {
        "applicationFormDefinition": {"sections": [{"fields": [
            {"field": {"type": "String", "path": "_systemfield_name", "title": "Name"}},
        ]}]},
        "surveyFormDefinitions": [
            survey("EEOC", "eeo_q"), survey("Diversity", "demo_q"), survey("Questionnaire", "q"),
            survey("Questionnaire", "_systemfield_name"),  # already asked by the form: once
        ],
    }  # fmt: skip
    found = [(q.id, q.category, q.required) for q in questions(posting)]
    assert found == [
        ("_systemfield_name", QuestionCategory.STANDARD, True),  # isRequired defaults to true
        ("eeo_q", QuestionCategory.EEO, False),
        ("demo_q", QuestionCategory.DEMOGRAPHIC, False),
        ("q", QuestionCategory.CUSTOM, False),
    ]


# -- settings, credentials and ids ---------------------------------------------------------------


def test_a_board_or_a_key_is_required() -> None:
    with pytest.raises(ConfigurationError, match=r"api_key.*job_board_name"):
        AshbyConnector({})


def test_board_name_is_one_path_segment() -> None:
    for bad in ("../admin", "acme/jobs", "acme?x=1", "", " acme"):
        with pytest.raises(ConfigurationError, match="job_board_name"):
            AshbyConnector({"job_board_name": bad})


def test_blank_api_key_is_refused_without_echoing_it() -> None:
    with pytest.raises(ConfigurationError, match="api_key is empty") as caught:
        AshbyConnector({}, {"api_key": "   "})
    with pytest.raises(ConfigurationError, match="not_a_credential"):
        AshbyConnector({}, {"api_key": KEY, "not_a_credential": "x"})
    assert "   " not in caught.value.message.replace("api_key is empty", "")


def test_key_never_shows_in_reprs() -> None:
    connector = keyed()
    shown = repr(connector) + repr(connector.credentials) + repr(connector.auth)
    assert KEY not in shown
    assert connector.auth.kind.value == "basic"
    assert board("acme").auth.kind.value == "none"


def test_describe_lists_the_contract() -> None:
    info = AshbyConnector.describe()
    assert [f["name"] for f in info["settings"]] == ["base_url", "job_board_name"]
    assert info["credentials"] == [
        {"name": "api_key", "required": False, "secret": True,
         "description": info["credentials"][0]["description"]},
    ]  # fmt: skip
    assert info["auth"] == ["basic", "none"]
    assert "1000 requests / 60 s" in info["rate_limit"]
    assert (info["questions"], info["compensation"]) == (True, True)


@pytest.mark.parametrize(
    "job_id",
    [
        "691c4294855e4ab9b6d98d70c6e09866",
        "{691c4294-855e-4ab9-b6d9-8d70c6e09866}",
        "691c4294-855e-4ab9-b6d9-8d70c6e0986",
        "691c4294-855e-4ab9-b6d9-8d70c6e098660",
        "691c4294-855e-4ab9-b6d9-8d70c6e0986g",
        "12345",
    ],
)
async def test_malformed_ids_never_reach_the_network(job_id: str) -> None:
    ats = FakeAts(lambda request: httpx.Response(200, json={}))
    for connector in (board("acme", ats.client()), keyed(ats.client())):
        with pytest.raises(InvalidJobId):
            await connector.fetch_job(job_id)
    assert ats.requests == []


# -- any JSON: a Job or a PayloadError ------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=30,
)
POSTING_KEYS = (
    "title", "department", "team", "employmentType", "location", "secondaryLocations",
    "publishedAt", "updatedAt", "isListed", "isRemote", "workplaceType", "address", "jobUrl",
    "applyUrl", "descriptionHtml", "descriptionPlain", "compensation",
    "shouldDisplayCompensationOnJobPostings",
)  # fmt: skip
INFO_KEYS = (
    "title", "descriptionHtml", "descriptionPlain", "departmentName", "teamName",
    "locationName", "address", "workplaceType", "isRemote", "employmentType", "linkedData",
    "publishedDate", "updatedAt", "applicationDeadline", "isListed", "externalLink",
    "applyLink", "compensation", "applicationFormDefinition", "surveyFormDefinitions",
)  # fmt: skip
form_field = st.fixed_dictionaries(
    {"field": st.fixed_dictionaries(
        {"type": st.sampled_from(["String", "ValueSelect", "File", "Odd"]) | json_values},
        optional={"path": json_values, "id": json_values, "title": json_values,
                  "selectableValues": json_values},
    )},
    optional={"isRequired": json_values, "descriptionPlain": json_values,
              "descriptionHtml": json_values},
)  # fmt: skip
form = st.fixed_dictionaries(
    {"sections": st.lists(st.fixed_dictionaries({"fields": st.lists(form_field, max_size=4)}))}
)
posting = st.fixed_dictionaries(
    {"id": st.just(KOVO) | json_values},
    optional={key: json_values for key in POSTING_KEYS},
)
info_results = st.fixed_dictionaries(
    {"id": st.just(KOVO) | json_values, "applicationFormDefinition": form | json_values},
    optional={key: json_values for key in INFO_KEYS if key != "applicationFormDefinition"},
)
board_like = st.fixed_dictionaries({"apiVersion": json_values, "jobs": st.lists(posting)})
info_like = st.fixed_dictionaries(
    {"success": st.just(True) | json_values, "results": info_results | json_values},
    optional={"errorInfo": json_values, "errors": json_values},
)


async def _job_or_payload_error(make: Callable[[HttpClient], AshbyConnector], body: object) -> None:
    """A Job, a PayloadError, or the typed error the answer itself asks for."""
    content = json.dumps(body).encode()
    ats = FakeAts(lambda request: httpx.Response(200, content=content))
    try:
        job = await make(ats.client()).fetch_job(KOVO)
    except PayloadError:
        return
    except JobNotFound:
        # not on the board, an empty `results`, or an error envelope
        assert isinstance(body, dict)
        return
    except (RequestRejected, RateLimited, PermissionDenied, AuthenticationFailed):
        assert isinstance(body, dict)
        assert body.get("success") is False
        return
    assert job.external_id == KOVO
    assert job.title


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=board_like | json_values)
async def test_any_board_json_gives_a_job_or_a_typed_error(body: object) -> None:
    await _job_or_payload_error(lambda http: board("acme", http), body)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=info_like | json_values)
async def test_any_job_posting_info_json_gives_a_job_or_a_typed_error(body: object) -> None:
    await _job_or_payload_error(keyed, body)


# -- the conformance suite, once per way in ------------------------------------------------------

MALFORMED = ("12345", "691c4294855e4ab9b6d98d70c6e09866", "{691c4294-855e-4ab9-b6d9-8d70c6e09866}")


class TestAshbyPostingApiConformance(ConnectorConformance):
    mode = "ashby"
    way_in = "public Posting API"
    settings = {"job_board_name": "kovo"}
    cassette_dir = CASSETTES / "ashby"
    known_job = (KOVO, "board_kovo.yaml")
    unknown_job = (UNKNOWN, "board_kovo.yaml")  # a posting not on the board
    extra_malformed_ids = MALFORMED
    skip = {"bad_credentials": "the public Posting API takes no credentials"}


class TestAshbyJobPostingInfoConformance(ConnectorConformance):
    mode = "ashby"
    way_in = "authenticated API"
    credentials = {"api_key": KEY}
    cassette_dir = CASSETTES / "ashby"
    known_job = (HYBRID, "info_found_hybrid.yaml")
    unknown_job = (UNKNOWN, "info_not_found.yaml")
    bad_credentials = (HYBRID, "info_bad_key.yaml")
    extra_malformed_ids = MALFORMED


def test_the_whole_board_answer_may_exceed_the_core_body_cap() -> None:
    assert AshbyConnector.max_body_bytes is not None
    assert AshbyConnector.max_body_bytes > HttpClient().max_body_bytes
