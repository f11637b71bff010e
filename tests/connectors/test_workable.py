"""Workable connector: SPI v3 (access token) and the public widget API, field by field."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler
from typing import Any

import httpx
import pytest
from embloy_ats import (
    AuthenticationFailed,
    ConfigurationError,
    EmploymentType,
    HttpClient,
    InvalidJobId,
    JobNotFound,
    JobStatus,
    PayloadError,
    PermissionDenied,
    QuestionCategory,
    QuestionType,
    RateLimitPolicy,
    Visibility,
    WorkplaceType,
    to_embloy,
)
from embloy_ats.cli import app
from embloy_ats.testing.conformance import ConnectorConformance
from embloy_ats_workable import WorkableConnector
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.conftest import CASSETTES, FakeAts, loopback_server, payload

TOKEN = "test-key"
GROOV005_JOB = payload("workable/found_spi_docs_groov005.yaml")
CREWAI = payload("workable/found_widget_crewai.yaml")


def _second_body(path: str) -> bytes:
    """The application form: the second answer of an SPI cassette."""
    import yaml

    document = yaml.safe_load((CASSETTES / path).read_text(encoding="utf-8"))
    body: str = document["interactions"][1]["response"]["body"]["string"]
    return body.encode()


GROOV005_FORM = _second_body("workable/found_spi_docs_groov005.yaml")


@pytest.fixture
def vcr_cassette_dir() -> str:
    return str(CASSETTES / "workable")


def spi(subdomain: str, http: HttpClient | None = None) -> WorkableConnector:
    return WorkableConnector(
        {"subdomain": subdomain}, {"access_token": TOKEN}, http=http or HttpClient()
    )


def public(subdomain: str, http: HttpClient | None = None) -> WorkableConnector:
    return WorkableConnector({"subdomain": subdomain}, http=http or HttpClient())


def answer(job: object, form: object | None = None) -> Callable[[httpx.Request], httpx.Response]:
    """A fake SPI: the job at /spi/v3/jobs/{code}, the form (default: empty) after it."""

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/application_form"):
            return httpx.Response(200, json=form if form is not None else {})
        return httpx.Response(200, json=job)

    return handle


# -- SPI v3: found ------------------------------------------------------------------------


@pytest.mark.vcr("found_spi_constructed_7E1A3C905B.yaml")
async def test_spi_job_maps_every_field() -> None:
    job = await spi("example").fetch_job("7E1A3C905B")
    assert job.slug == "workable__7E1A3C905B"
    assert job.title == "Backend-Entwickler:in (Python)"
    assert job.requisition_code == "DE/12/BE"
    assert job.company is None  # the SPI job carries no account name
    assert (job.status, job.visibility) == (JobStatus.OPEN, Visibility.PUBLIC)
    assert job.employment_type is EmploymentType.PART_TIME
    assert job.workplace_type is WorkplaceType.HYBRID
    # two visible places; the hidden Vienna entry is internal and left out
    assert [loc.model_dump() for loc in job.locations] == [
        {"raw": "Berlin, Berlin, Germany", "street": None, "city": "Berlin",
         "region": "Berlin", "postal_code": "10115", "country_code": "DE"},
        {"raw": "München, Bayern, Germany", "street": None, "city": "München",
         "region": "Bayern", "postal_code": "80331", "country_code": "DE"},
    ]  # fmt: skip
    assert job.applicant_location_requirements == ()
    assert job.department == "Plattform"
    assert job.custom_fields == {
        "industry": "Computer Software",
        "function": "Engineering",
        "experience": "Mid-Senior level",
        "education": "Bachelor's Degree",
        "department_hierarchy": ["Engineering", "Plattform"],
    }
    (pay,) = job.compensation
    assert (pay.min_amount, pay.max_amount, pay.currency, pay.interval) == (
        Decimal(62000), Decimal(78000), "EUR", None,
    )  # fmt: skip
    assert job.posting_url == "https://apply.workable.com/j/7E1A3C905B"
    assert job.apply_url == "https://example.workable.com/jobs/4410021/candidates/new"
    assert job.posted_at == datetime(2026, 9, 14, tzinfo=UTC)
    assert job.updated_at == datetime(2026, 10, 2, 8, 15, 27, tzinfo=UTC)
    assert job.description_html.startswith("<p>Wir suchen eine:n Backend-Entwickler:in")
    assert "<strong>Benefits</strong>" in job.description_html
    assert "- Zwei Tage pro Woche im Büro, der Rest nach Wahl" in job.description_text
    assert list(job.raw) == [
        "/spi/v3/jobs/7E1A3C905B",
        "/spi/v3/jobs/7E1A3C905B/application_form",
    ]


@pytest.mark.vcr("found_spi_constructed_7E1A3C905B.yaml")
async def test_spi_application_form_gives_standard_fields_and_custom_questions() -> None:
    job = await spi("example").fetch_job("7E1A3C905B")
    table = {q.id: (q.type, q.required, q.category, q.source_type) for q in job.questions}
    std, custom = QuestionCategory.STANDARD, QuestionCategory.CUSTOM
    assert table == {
        "firstname": (QuestionType.SHORT_TEXT, True, std, "string"),
        "lastname": (QuestionType.SHORT_TEXT, True, std, "string"),
        "email": (QuestionType.EMAIL, True, std, "string"),
        "headline": (QuestionType.SHORT_TEXT, False, std, "string"),
        "phone": (QuestionType.PHONE, True, std, "string"),
        "address": (QuestionType.LOCATION, False, std, "string"),
        "avatar": (QuestionType.FILE, False, std, "file"),
        "education": (QuestionType.UNKNOWN, False, std, "complex"),
        "summary": (QuestionType.LONG_TEXT, False, std, "free_text"),
        "resume": (QuestionType.FILE, True, std, "file"),
        "cover_letter": (QuestionType.LONG_TEXT, False, std, "free_text"),
        "c41a07": (QuestionType.NUMBER, True, custom, "numeric"),
        "c41a08": (QuestionType.MULTIPLE_CHOICE, False, custom, "multiple_choice"),
        "c41a09": (QuestionType.SINGLE_CHOICE, True, custom, "dropdown"),
        "c41a0a": (QuestionType.DATE, True, custom, "date"),
        "c41a0b": (QuestionType.YES_NO, True, custom, "boolean"),
        "c41a0c": (QuestionType.FILE, False, custom, "file"),
    }
    by_id = {q.id: q for q in job.questions}
    assert list(by_id)[:3] == ["firstname", "lastname", "email"]
    assert by_id["resume"].accepted_file_types == (".pdf", ".doc", ".docx", ".odt", ".rtf")
    assert by_id["avatar"].accepted_file_types == (".jpg", ".jpeg", ".gif", ".png")
    assert by_id["c41a0c"].accepted_file_types == (".pdf", ".zip")
    assert by_id["c41a0c"].label == "Arbeitsprobe"
    assert [(o.id, o.label) for o in by_id["c41a08"].options] == [
        ("7d2e10", "PostgreSQL"), ("7d2e11", "MySQL"), ("7d2e12", "MongoDB"),
    ]  # fmt: skip
    assert [(o.id, o.label) for o in by_id["c41a09"].options] == [
        ("7d2e13", "Berlin"), ("7d2e14", "München"),
    ]  # fmt: skip
    assert by_id["c41a09"].label == "Wo möchtest du arbeiten?"
    assert by_id["education"].description == (
        "one or more entries of: School (required), Degree, Start date, End date"
    )
    assert by_id["phone"].options == ()
    assert by_id["phone"].accepted_file_types == ()
    embloy = to_embloy(job)["application_options_attributes"]
    assert embloy[-1]["question_type"] == "file"
    assert embloy[-1]["options"] == [".pdf", ".zip"]


@pytest.mark.vcr("found_spi_docs_groov005.yaml")
async def test_spi_documented_example_on_site_without_salary() -> None:
    job = await spi("groove-tech").fetch_job("GROOV005")
    assert job.title == "Office Manager"
    assert job.requisition_code == "US/4/OM"
    assert (job.status, job.visibility) == (JobStatus.OPEN, Visibility.PUBLIC)
    assert job.employment_type is EmploymentType.FULL_TIME
    # `telecommuting: false` and no `workplace_type`: on-site or hybrid, not said
    assert job.workplace_type is None
    (place,) = job.locations
    assert (place.city, place.region, place.postal_code, place.country_code) == (
        "Chicago", "Illinois", "60290", "US",
    )  # fmt: skip
    assert place.raw == "Chicago, Illinois, United States"
    assert job.department == "Administration"
    assert job.compensation == ()
    assert job.posted_at == datetime(2015, 6, 8, tzinfo=UTC)
    assert job.updated_at is None
    assert job.posting_url == "https://groove-tech.lvh.me:3000/j/GROOV005"
    assert job.apply_url == "https://groove-tech.lvh.me:3000/jobs/376844767/candidates/new"
    assert "<strong>Requirements</strong>" in job.description_html
    assert "Proficiency in MS Office" in job.description_text
    assert job.custom_fields["education"] == "High School or equivalent"
    by_id = {q.id: q for q in job.questions}
    assert list(by_id) == [
        "firstname", "lastname", "email", "phone", "experience", "summary", "resume",
        "2128d717", "3399e6cd", "1d3f348f",
    ]  # fmt: skip
    assert (by_id["phone"].type, by_id["phone"].required) == (QuestionType.PHONE, True)
    assert by_id["experience"].description == (
        "one or more entries of: Title (required), Company, Summary, "
        "I currently work here (required)"
    )
    assert (by_id["resume"].type, by_id["resume"].required) == (QuestionType.FILE, False)
    assert by_id["resume"].accepted_file_types == (
        ".pdf", ".doc", ".docx", ".odt", ".rtf", ".html", ".htm", ".txt",
    )  # fmt: skip
    excel = by_id["2128d717"]
    # the 2015 example predates the `required` flag; Workable's custom questions are mandatory
    assert (excel.type, excel.required, excel.category) == (
        QuestionType.LONG_TEXT, True, QuestionCategory.CUSTOM,
    )  # fmt: skip
    years = by_id["3399e6cd"]
    assert years.type is QuestionType.SINGLE_CHOICE
    assert [(o.id, o.label) for o in years.options] == [
        ("3049114a", "0-3 years"), ("29406296", "3-5 years"), ("1e477229", "Over 5 years"),
    ]  # fmt: skip
    assert by_id["1d3f348f"].type is QuestionType.YES_NO


# -- public widget API: found -------------------------------------------------------------


@pytest.mark.vcr("found_widget_crewai.yaml")
async def test_widget_remote_job_with_non_ascii_location() -> None:
    job = await public("crewai").fetch_job("3862836931")
    assert job.title == "Customer Success Manager, LATAM"
    assert job.company == "CrewAI"
    assert job.requisition_code is None  # `code` is blank
    assert (job.status, job.visibility) == (JobStatus.OPEN, Visibility.PUBLIC)
    assert job.employment_type is EmploymentType.FULL_TIME
    assert job.workplace_type is WorkplaceType.REMOTE
    (place,) = job.locations
    assert (place.city, place.region, place.country_code, place.raw) == (
        "São Paulo", "State of São Paulo", "BR", "São Paulo, State of São Paulo, Brazil",
    )  # fmt: skip
    assert job.department == "Support"
    assert job.compensation == ()
    assert job.posting_url == "https://apply.workable.com/j/3862836931"
    assert job.apply_url == "https://apply.workable.com/j/3862836931/apply"
    assert job.posted_at == datetime(2026, 6, 30, tzinfo=UTC)
    assert job.description_text.startswith("About the Role\n")
    assert job.custom_fields == {
        "industry": "Computer Software", "function": "Sales", "experience": "Mid-Senior level",
    }  # fmt: skip
    assert job.questions == ()  # the public API has no application form
    assert list(job.raw) == ["/api/v1/widget/accounts/crewai?details=true"]


@pytest.mark.vcr("found_widget_crewai.yaml")
async def test_widget_on_site_job_from_the_same_account() -> None:
    job = await public("crewai").fetch_job("0AB5665160")
    assert job.title == "Full-Stack Engineer, Agent Management Platform"
    assert job.department == "Engineering"
    assert job.workplace_type is None  # telecommuting false, nothing explicit
    (place,) = job.locations
    assert (place.city, place.region, place.country_code) == ("San Francisco", "California", "US")
    assert job.posted_at == datetime(2026, 6, 26, tzinfo=UTC)
    assert job.custom_fields["function"] == "Engineering"


@pytest.mark.vcr("found_widget_zaelab.yaml")
async def test_widget_entries_of_one_job_in_several_countries_are_merged() -> None:
    job = await public("zaelab").fetch_job("DD136DD7E7")
    assert job.title == "Business Analyst - Spanish Speaking"
    assert job.company == "Zaelab"
    assert job.workplace_type is WorkplaceType.REMOTE
    assert [(loc.country_code, loc.city, loc.raw) for loc in job.locations] == [
        ("ES", None, "Spain"), ("PT", None, "Portugal"),
    ]  # fmt: skip
    assert job.employment_type is None
    assert job.description_html == ""  # the source trimmed the descriptions away
    assert job.posted_at == datetime(2026, 8, 5, tzinfo=UTC)  # published_on, not created_at
    assert job.apply_url is None


# -- not found, bad credentials, other errors --------------------------------------------------


@pytest.mark.vcr("not_found_spi.yaml")
async def test_spi_unknown_job_is_job_not_found() -> None:
    with pytest.raises(JobNotFound) as caught:
        await spi("example").fetch_job("0000000000")
    assert (caught.value.connector, caught.value.job_id, caught.value.status_code) == (
        "workable", "0000000000", 404,
    )  # fmt: skip


@pytest.mark.vcr("bad_credentials_spi.yaml")
async def test_spi_rejected_token_is_authentication_failed() -> None:
    with pytest.raises(AuthenticationFailed) as caught:
        await spi("example").fetch_job("7E1A3C905B")
    assert caught.value.status_code == 401
    assert TOKEN not in str(caught.value)
    assert TOKEN not in repr(caught.value)


@pytest.mark.vcr("found_widget_zaelab.yaml")
async def test_widget_job_missing_from_the_account_is_job_not_found() -> None:
    with pytest.raises(JobNotFound, match="not among the published jobs of account 'zaelab'") as e:
        await public("zaelab").fetch_job("ABCDEF1234")
    assert "access_token" in e.value.hint


@pytest.mark.vcr("not_found_widget_account.yaml")
async def test_widget_unknown_account_is_job_not_found() -> None:
    with pytest.raises(JobNotFound) as caught:
        await public("no-such-account").fetch_job("3862836931")
    assert caught.value.status_code == 404


async def test_token_without_the_jobs_scope_is_permission_denied() -> None:
    ats = FakeAts(lambda request: httpx.Response(403, json={"error": "Forbidden"}))
    with pytest.raises(PermissionDenied):
        await spi("acme", ats.client()).fetch_job("9CD658E13E")


async def test_an_answer_for_another_job_is_refused() -> None:
    ats = FakeAts(answer({"shortcode": "ABCDEF1234", "title": "Other"}))
    with pytest.raises(PayloadError, match="when asked for"):
        await spi("acme", ats.client()).fetch_job("9CD658E13E")
    assert len(ats.requests) == 1  # the form is not asked for


async def test_a_missing_job_costs_one_request_not_two() -> None:
    ats = FakeAts(lambda request: httpx.Response(404, json={"error": "Not found"}))
    with pytest.raises(JobNotFound):
        await spi("acme", ats.client()).fetch_job("9CD658E13E")
    assert [r.url.path for r in ats.requests] == ["/spi/v3/jobs/9CD658E13E"]


# -- the two ways in: requests as sent ------------------------------------------------------


async def test_spi_requests_carry_the_bearer_token_to_the_tenant_host() -> None:
    ats = FakeAts(answer(json.loads(GROOV005_JOB), json.loads(GROOV005_FORM)))
    job = await spi("groove-tech", ats.client()).fetch_job("GROOV005")
    assert job.title == "Office Manager"
    assert [str(r.url) for r in ats.requests] == [
        "https://groove-tech.workable.com/spi/v3/jobs/GROOV005",
        "https://groove-tech.workable.com/spi/v3/jobs/GROOV005/application_form",
    ]
    assert {r.headers["authorization"] for r in ats.requests} == {f"Bearer {TOKEN}"}


async def test_without_a_token_the_public_widget_api_is_used_unauthenticated() -> None:
    ats = FakeAts(lambda request: httpx.Response(200, content=CREWAI))
    job = await public("crewai", ats.client()).fetch_job("B778F12851")
    assert job.title == "Senior Support Engineer"
    (request,) = ats.requests
    assert (
        str(request.url) == "https://apply.workable.com/api/v1/widget/accounts/crewai?details=true"
    )
    assert "authorization" not in request.headers


@pytest.mark.parametrize("token", [None, TOKEN])
async def test_base_url_override_builds_both_ways_on_it(token: str | None) -> None:
    ats = FakeAts(lambda request: httpx.Response(404))
    creds = {"access_token": token} if token else {}
    connector = WorkableConnector(
        {"subdomain": "acme", "base_url": "https://sandbox.example.com/wk/"},
        creds,
        http=ats.client(),
    )
    with pytest.raises(JobNotFound):
        await connector.fetch_job("9CD658E13E")
    expected = (
        "https://sandbox.example.com/wk/spi/v3/jobs/9CD658E13E"
        if token
        else "https://sandbox.example.com/wk/api/v1/widget/accounts/acme?details=true"
    )
    assert [str(r.url) for r in ats.requests] == [expected]


# -- mapping rules on edited payloads ----------------------------------------------------------


def _groov(**changes: Any) -> dict[str, Any]:
    job: dict[str, Any] = json.loads(GROOV005_JOB)
    job.update(changes)
    return job


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"workplace_type": "on_site", "location": {"telecommuting": True}}, WorkplaceType.ON_SITE),
        ({"location": {"telecommuting": True, "workplace_type": "hybrid"}}, WorkplaceType.HYBRID),
        ({"location": {"telecommuting": True, "country_code": "GR"}}, WorkplaceType.REMOTE),
        ({"workplace_type": "remote"}, WorkplaceType.REMOTE),
        ({"location": {"telecommuting": False}}, None),
    ],
)
async def test_explicit_workplace_type_wins_over_telecommuting(
    changes: dict[str, Any], expected: WorkplaceType | None
) -> None:
    ats = FakeAts(answer(_groov(**changes)))
    job = await spi("groove-tech", ats.client()).fetch_job("GROOV005")
    assert job.workplace_type is expected


@pytest.mark.parametrize(
    ("changes", "status", "visibility"),
    [
        ({"state": "published"}, JobStatus.OPEN, Visibility.PUBLIC),
        ({"state": "draft"}, JobStatus.DRAFT, Visibility.UNKNOWN),
        ({"state": "closed"}, JobStatus.CLOSED, Visibility.INTERNAL),
        ({"state": "closed", "confidential": True}, JobStatus.CLOSED, Visibility.CONFIDENTIAL),
        ({"state": "archived"}, JobStatus.ARCHIVED, Visibility.UNKNOWN),
        ({"state": "paused"}, JobStatus.UNKNOWN, Visibility.UNKNOWN),
    ],
)
async def test_states_map_to_status_and_visibility(
    changes: dict[str, Any], status: JobStatus, visibility: Visibility
) -> None:
    ats = FakeAts(answer(_groov(**changes)))
    job = await spi("groove-tech", ats.client()).fetch_job("GROOV005")
    assert (job.status, job.visibility) == (status, visibility)


async def test_description_parts_are_joined_when_full_description_is_absent() -> None:
    job_payload = _groov(full_description=None)
    job = await spi("groove-tech", FakeAts(answer(job_payload)).client()).fetch_job("GROOV005")
    assert job.description_html.startswith("<p>We are looking for an Office Manager")
    assert "<p><strong>Requirements</strong></p><ul>" in job.description_html
    assert job.description_text.endswith("- Increasing vacation days with each year of employment")


async def test_salary_bounds_in_reverse_are_ordered_and_unknown_currency_dropped() -> None:
    salary = {"salary_from": 90000, "salary_to": "70,000", "salary_currency": "zzz"}
    ats = FakeAts(answer(_groov(salary=salary)))
    (pay,) = (await spi("groove-tech", ats.client()).fetch_job("GROOV005")).compensation
    assert (pay.min_amount, pay.max_amount, pay.currency) == (Decimal(70000), Decimal(90000), None)


async def test_explicit_name_and_email_fields_replace_the_implicit_ones() -> None:
    form = {
        "form_fields": [{"key": "email", "label": "E-Mail", "type": "string", "required": True}],
        "questions": [{"id": "email", "body": "Clash", "type": "free_text"}],
    }
    ats = FakeAts(answer(_groov(), form))
    job = await spi("groove-tech", ats.client()).fetch_job("GROOV005")
    assert [(q.id, q.label, q.type) for q in job.questions] == [
        ("firstname", "First name", QuestionType.SHORT_TEXT),
        ("lastname", "Last name", QuestionType.SHORT_TEXT),
        ("email", "E-Mail", QuestionType.EMAIL),
    ]


# -- settings, credentials, ids ---------------------------------------------------------------


@pytest.mark.parametrize(
    "subdomain", ["../admin", "acme.evil.com", "a b", "-acme", "acme-", "acme/x", "ac%2Fme", ""]
)
def test_subdomain_must_be_one_dns_label(subdomain: str) -> None:
    with pytest.raises(ConfigurationError, match="subdomain"):
        WorkableConnector({"subdomain": subdomain})


def test_settings_and_credentials_are_checked() -> None:
    with pytest.raises(ConfigurationError, match="subdomain"):
        WorkableConnector({})
    with pytest.raises(ConfigurationError, match="not_a_setting"):
        WorkableConnector({"subdomain": "acme", "not_a_setting": "1"})
    with pytest.raises(ConfigurationError, match="api_key"):
        WorkableConnector({"subdomain": "acme"}, {"api_key": TOKEN})
    with pytest.raises(ConfigurationError, match="access_token is empty"):
        WorkableConnector({"subdomain": "acme"}, {"access_token": "  "})


def test_subdomain_is_lower_cased_and_picks_the_host() -> None:
    connector = WorkableConnector({"subdomain": "Groove-Tech"}, {"access_token": TOKEN})
    assert connector.base_url == "https://groove-tech.workable.com"
    assert WorkableConnector({"subdomain": "acme"}).base_url == "https://apply.workable.com"
    shown = repr(connector) + repr(connector.credentials) + str(connector.credentials)
    assert TOKEN not in shown


@pytest.mark.parametrize(
    "job_id",
    ["9cd658e13e", "GROOV-05", "9CD658E13", "9CD658E13E0", "ABC", "9CD658E13É", "9CD658E13G"],
)
async def test_malformed_shortcodes_never_reach_the_network(job_id: str) -> None:
    ats = FakeAts(lambda request: httpx.Response(200, json={}))
    with pytest.raises(InvalidJobId):
        await spi("acme", ats.client()).fetch_job(job_id)
    assert ats.requests == []


# -- rate limit ---------------------------------------------------------------------------


def test_the_documented_rate_limit_is_declared() -> None:
    policy = WorkableConnector.rate_limit
    assert (policy.requests, policy.per_seconds) == (10, 10.0)
    assert "10 requests / 10 s per account token" in policy.note
    assert WorkableConnector.describe()["rate_limit"].startswith("10 requests / 10 s")


class _FakeClock:
    def __init__(self) -> None:
        self.at = 0.0
        self.slept: list[float] = []

    def now(self) -> datetime:
        return datetime(2026, 11, 1, tzinfo=UTC)

    def monotonic(self) -> float:
        return self.at

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.at += seconds


async def test_workables_rate_limit_headers_pause_before_the_next_request() -> None:
    """Workable's `X-Rate-Limit-Remaining: 0` with the epoch `X-Rate-Limit-Reset`."""
    job = json.loads(GROOV005_JOB)

    def handle(request: httpx.Request) -> httpx.Response:
        headers = {
            "X-Rate-Limit-Limit": "10",
            "X-Rate-Limit-Remaining": "0",
            "X-Rate-Limit-Reset": str(int(time.time()) + 3),
        }
        return httpx.Response(200, json=job, headers=headers)

    clock = _FakeClock()
    ats = FakeAts(handle)
    await spi("groove-tech", ats.client(clock=clock)).fetch_job("GROOV005")
    assert len(ats.requests) == 2
    (wait,) = clock.slept
    assert 1.0 <= wait <= 3.0


async def test_two_requests_a_job_keep_under_ten_per_ten_seconds() -> None:
    clock = _FakeClock()
    ats = FakeAts(answer(json.loads(GROOV005_JOB)))
    connector = spi("groove-tech", ats.client(clock=clock))
    for _ in range(6):
        await connector.fetch_job("GROOV005")
    assert len(ats.requests) == 12
    assert sum(clock.slept) == pytest.approx(2.0)  # requests 11 and 12 wait a second each
    assert isinstance(connector.rate_limit, RateLimitPolicy)


# -- any JSON: a Job or a PayloadError ----------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=30,
)
location_like = st.fixed_dictionaries(
    {},
    optional={
        key: json_values | st.text(max_size=8)
        for key in (
            "city", "region", "region_code", "country", "country_code", "zip_code",
            "telecommuting", "workplace_type", "state_code", "subregion", "country_name",
            "hidden", "countryCode",
        )
    },
)  # fmt: skip
spi_job_like = st.fixed_dictionaries(
    {"shortcode": st.just("GROOV005") | json_values},
    optional={
        "title": st.text(max_size=10) | json_values,
        "location": location_like | json_values,
        "locations": st.lists(location_like, max_size=3) | json_values,
        "salary": st.fixed_dictionaries(
            {},
            optional={k: json_values for k in ("salary_from", "salary_to", "salary_currency")},
        )
        | json_values,
        **{
            key: json_values
            for key in (
                "state", "confidential", "department", "department_hierarchy", "code",
                "workplace_type", "full_description", "description", "requirements",
                "benefits", "employment_type", "created_at", "updated_at", "url",
                "shortlink", "application_url", "keywords", "industry",
            )
        },
    },
)  # fmt: skip
field_like = st.fixed_dictionaries(
    {},
    optional={
        k: json_values | st.text(max_size=8)
        for k in ("key", "label", "type", "required", "fields", "supported_file_types", "multiple")
    },
)
question_like = st.fixed_dictionaries(
    {},
    optional={
        "id": json_values | st.text(max_size=6),
        "body": json_values | st.text(max_size=6),
        "type": st.sampled_from(
            ["free_text", "multiple_choice", "boolean", "dropdown", "numeric", "date", "file"]
        )
        | json_values,
        "choices": st.lists(
            st.fixed_dictionaries({}, optional={"id": json_values, "body": json_values}),
            max_size=3,
        )
        | json_values,
        **{k: json_values for k in ("required", "single_answer", "supported_file_types")},
    },
)
form_like = st.fixed_dictionaries(
    {},
    optional={
        "form_fields": st.lists(field_like, max_size=4) | json_values,
        "questions": st.lists(question_like, max_size=4) | json_values,
    },
)
widget_job_like = st.fixed_dictionaries(
    {"shortcode": st.just("GROOV005") | json_values},
    optional={
        "title": st.text(max_size=10) | json_values,
        "locations": st.lists(location_like, max_size=3) | json_values,
        **{
            key: json_values
            for key in (
                "code", "employment_type", "telecommuting", "department", "url", "shortlink",
                "application_url", "published_on", "created_at", "country", "city", "state",
                "description", "education", "experience", "function", "industry",
            )
        },
    },
)  # fmt: skip
widget_like = st.fixed_dictionaries(
    {"jobs": st.lists(widget_job_like, max_size=3) | json_values},
    optional={"name": json_values},
)


async def _job_or_payload_error(connector: WorkableConnector) -> None:
    try:
        job = await connector.fetch_job("GROOV005")
    except PayloadError:
        return
    assert job.external_id == "GROOV005"
    assert job.title
    assert len({q.id for q in job.questions}) == len(job.questions)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(job=spi_job_like | json_values, form=form_like | json_values)
async def test_any_spi_json_gives_a_job_or_a_payload_error(job: object, form: object) -> None:
    job_body, form_body = json.dumps(job).encode(), json.dumps(form).encode()

    def handle(request: httpx.Request) -> httpx.Response:
        body = form_body if request.url.path.endswith("/application_form") else job_body
        return httpx.Response(200, content=body)

    await _job_or_payload_error(spi("acme", FakeAts(handle).client()))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(account=widget_like | json_values)
async def test_any_widget_json_gives_a_job_or_a_typed_error(account: object) -> None:
    body = json.dumps(account).encode()
    connector = public("acme", FakeAts(lambda request: httpx.Response(200, content=body)).client())
    with contextlib.suppress(JobNotFound):  # the account's list may not name this shortcode
        await _job_or_payload_error(connector)


# -- the CLI against a real local server ---------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    seen: list[tuple[str, str | None]] = []

    def do_GET(self) -> None:
        self.seen.append((self.path, self.headers.get("Authorization")))
        routes = {
            "/spi/v3/jobs/GROOV005": GROOV005_JOB,
            "/spi/v3/jobs/GROOV005/application_form": GROOV005_FORM,
            "/api/v1/widget/accounts/crewai?details=true": CREWAI,
        }
        body = routes.get(self.path, b'{"error":"Not found"}')
        self.send_response(200 if self.path in routes else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_workable(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("EMBLOY_ATS_ALLOW_PRIVATE_NETWORK", "1")
    _Handler.seen = []
    with loopback_server(_Handler) as url:
        yield url


def test_cli_fetches_both_ways_from_a_server_serving_real_payloads(local_workable: str) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["fetch", "workable", "GROOV005", "-s", "subdomain=groove-tech",
         "-s", f"base_url={local_workable}", "-c", f"access_token={TOKEN}", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    job = json.loads(result.stdout)
    assert (job["slug"], job["title"], job["locations"][0]["city"]) == (
        "workable__GROOV005", "Office Manager", "Chicago",
    )  # fmt: skip
    assert len(job["questions"]) == 10
    result = runner.invoke(
        app,
        ["fetch", "workable", "3862836931", "-s", "subdomain=crewai",
         "-s", f"base_url={local_workable}", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["company"] == "CrewAI"
    assert _Handler.seen == [
        ("/spi/v3/jobs/GROOV005", f"Bearer {TOKEN}"),
        ("/spi/v3/jobs/GROOV005/application_form", f"Bearer {TOKEN}"),
        ("/api/v1/widget/accounts/crewai?details=true", None),
    ]


# -- conformance: one class per way in --------------------------------------------------------


class TestWorkableSpiConformance(ConnectorConformance):
    mode = "workable"
    way_in = "SPI v3"
    settings = {"subdomain": "example"}
    credentials = {"access_token": TOKEN}
    cassette_dir = CASSETTES / "workable"
    known_job = ("7E1A3C905B", "found_spi_constructed_7E1A3C905B.yaml")
    unknown_job = ("0000000000", "not_found_spi.yaml")
    bad_credentials = ("7E1A3C905B", "bad_credentials_spi.yaml")
    extra_malformed_ids = ("9cd658e13e", "GROOV-05", "9CD658E13E0", "ABC1234", "GROOV0055")


class TestWorkablePublicConformance(ConnectorConformance):
    mode = "workable"
    way_in = "public widget API"
    settings = {"subdomain": "zaelab"}
    cassette_dir = CASSETTES / "workable"
    known_job = ("DD136DD7E7", "found_widget_zaelab.yaml")
    unknown_job = ("ABCDEF1234", "found_widget_zaelab.yaml")
    extra_malformed_ids = ("dd136dd7e7", "DD136DD7E7/", "DD136DD7E7X")
    skip = {"bad_credentials": "the public widget API takes no credentials"}
