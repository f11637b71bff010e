"""Softgarden connector: the career-site feed and the Frontend API v3, mapped field by field."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import httpx
import pytest
from embloy_ats import (
    AuthenticationFailed,
    ConfigurationError,
    EmploymentType,
    HttpClient,
    JobNotFound,
    JobStatus,
    PayInterval,
    PayloadError,
    PermissionDenied,
    QuestionCategory,
    QuestionType,
    Visibility,
    WorkplaceType,
)
from embloy_ats.testing.conformance import ConnectorConformance
from embloy_ats_softgarden import SoftgardenConnector
from embloy_ats_softgarden.common import country_code
from embloy_ats_softgarden.feed import posting_fields
from embloy_ats_softgarden.frontend import job_fields
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import CASSETTES, FakeAts

CLIENT_ID = "sg-client-7Qm2xR"
V3_SETTINGS = {"channel_id": "40711_extern", "locale": "de"}
FEED_SETTINGS = {"career_site": "acme"}
MALFORMED = ("041205871", "4120587a", "-1", "1.5", "1e3")


@pytest.fixture
def vcr_cassette_dir() -> str:
    return str(CASSETTES / "softgarden")


def feed() -> SoftgardenConnector:
    return SoftgardenConnector(FEED_SETTINGS, http=HttpClient())


def v3() -> SoftgardenConnector:
    return SoftgardenConnector(V3_SETTINGS, {"client_id": CLIENT_ID}, http=HttpClient())


# -- career-site feed (public) ----------------------------------------------------------------


@pytest.mark.vcr("feed_found_41205871.yaml")
async def test_feed_job_maps_every_field() -> None:
    job = await feed().fetch_job("41205871")
    assert (job.external_id, job.slug) == ("41205871", "softgarden__41205871")
    assert job.title == "Payroll Specialist (f/m/d)"
    assert (job.status, job.visibility) == (JobStatus.OPEN, Visibility.PUBLIC)
    assert job.employment_type is EmploymentType.FULL_TIME  # FULL_TIME
    assert job.workplace_type is None
    # "Deutschland" is Germany; the "-" placeholders are no street and no postal code
    assert [loc.model_dump() for loc in job.locations] == [
        {"raw": None, "street": None, "city": "München", "region": "Bayern",
         "postal_code": None, "country_code": "DE"}
    ]  # fmt: skip
    assert job.posting_url == (
        "https://acme.career.softgarden.de/jobs/41205871/Payroll-Specialist-f-m-d-/"
    )
    assert job.apply_url is None
    # the +01:00 offset is kept as the instant it names
    plus_one = timezone(timedelta(hours=1))
    assert job.posted_at == datetime(2026, 3, 17, 9, 30, 41, 518000, tzinfo=plus_one)
    assert job.posted_at.utcoffset() is not None
    assert job.closes_at is None
    assert "logistics &amp; retail" in job.description_html
    assert "logistics & retail" in job.description_text
    assert job.compensation == ()
    assert job.questions == ()
    assert job.custom_fields == {"identifier_name": "ACME", "employment_type": ["FULL_TIME"]}


@pytest.mark.vcr("feed_found_41205871.yaml")
async def test_feed_keeps_only_the_picked_job() -> None:
    job = await feed().fetch_job("41205871")
    kept = json.dumps(job.raw)
    assert "41205871" in kept
    for other in ("41205903", "Warehouse", "41206012", "Brno"):
        assert other not in kept
    assert list(job.raw) == ["/jobs.feed.json"]


@pytest.mark.vcr("feed_found_41205903.yaml")
async def test_feed_job_with_street_postal_code_and_austrian_place() -> None:
    job = await feed().fetch_job("41205903")
    assert job.title == "Warehouse Team Lead (m/w/d)"
    assert job.employment_type is EmploymentType.OTHER  # OTHER
    assert [loc.model_dump() for loc in job.locations] == [
        {"raw": None, "street": "Laxenburger Straße 12", "city": "Wien", "region": "Wien",
         "postal_code": "1100", "country_code": "AT"}
    ]  # fmt: skip
    assert job.posted_at == datetime(2026, 7, 2, 12, 5, 9, 4000, tzinfo=UTC)


@pytest.mark.vcr("feed_not_found.yaml")
async def test_feed_without_the_job_is_not_found() -> None:
    with pytest.raises(JobNotFound) as caught:
        await feed().fetch_job("41299999")
    assert "career site 'acme'" in caught.value.message
    assert caught.value.job_id == "41299999"


@pytest.mark.vcr("feed_no_career_site.yaml")
async def test_feed_of_a_career_site_that_does_not_exist_is_not_found() -> None:
    connector = SoftgardenConnector({"career_site": "nosuchsite"}, http=HttpClient())
    with pytest.raises(JobNotFound):
        await connector.fetch_job("41205871")


def test_german_country_names_map_to_iso_codes() -> None:
    names = (
        "Deutschland", "Tschechien", "Österreich", "Schweiz", "Niederlande", "Frankreich",
        "Polen", "Vereinigtes Königreich", "Germany", "CZ", "-", "", None, "Atlantis",
    )  # fmt: skip
    assert [country_code(name) for name in names] == [
        "DE", "CZ", "AT", "CH", "NL", "FR", "PL", "GB", "DE", "CZ", None, None, None, None,
    ]  # fmt: skip


def test_feed_posting_reads_schema_org_salary_remote_and_several_places() -> None:
    fields = posting_fields(
        {
            "title": "Remote Engineer",
            "employmentType": ["CONTRACTOR", "PART_TIME"],
            "jobLocationType": "TELECOMMUTE",
            "validThrough": "2026-09-30T23:59:59+02:00",
            "hiringOrganization": {"@type": "Organization", "name": "Acme"},
            "inLanguage": "de",
            "baseSalary": {
                "@type": "MonetaryAmount",
                "currency": "EUR",
                "value": {
                    "@type": "QuantitativeValue",
                    "minValue": 4000,
                    "maxValue": 5500,
                    "unitText": "MONTH",
                },
            },
            "jobLocation": [
                {"address": {"addressLocality": "Berlin", "addressCountry": "Deutschland"}},
                {"address": {"addressLocality": "Zürich", "addressCountry": {"name": "Schweiz"}}},
                {"address": {"addressLocality": "Berlin", "addressCountry": "Deutschland"}},
            ],
        }
    )
    assert fields["employment_type"] is EmploymentType.CONTRACT
    assert fields["workplace_type"] is WorkplaceType.REMOTE
    assert fields["closes_at"] == datetime(2026, 9, 30, 21, 59, 59, tzinfo=UTC)
    assert (fields["company"], fields["language"]) == ("Acme", "de")
    (pay,) = fields["compensation"]
    assert (pay.min_amount, pay.max_amount, pay.currency, pay.interval) == (
        Decimal(4000), Decimal(5500), "EUR", PayInterval.MONTH,
    )  # fmt: skip
    assert [(loc.city, loc.country_code) for loc in fields["locations"]] == [
        ("Berlin", "DE"), ("Zürich", "CH"),
    ]  # fmt: skip


async def test_feed_picks_by_the_job_page_address_when_the_identifier_is_missing() -> None:
    body = {
        "@type": "DataFeed",
        "dataFeedElement": [
            {"item": {"title": "Other", "url": "https://acme.career.softgarden.de/jobs/4120/x/"}},
            {"item": {"title": "Wanted", "url": "https://acme.career.softgarden.de/jobs/41205871/y/"}},
        ],
    }  # fmt: skip
    fake = FakeAts(lambda request: httpx.Response(200, json=body))
    job = await SoftgardenConnector(FEED_SETTINGS, http=fake.client()).fetch_job("41205871")
    assert job.title == "Wanted"


async def test_feed_answer_that_is_no_feed_is_a_payload_error() -> None:
    fake = FakeAts(lambda request: httpx.Response(200, json={"error": "maintenance"}))
    with pytest.raises(PayloadError) as caught:
        await SoftgardenConnector(FEED_SETTINGS, http=fake.client()).fetch_job("41205871")
    assert "maintenance" not in str(caught.value)


async def test_feed_request_goes_to_the_career_site_without_credentials() -> None:
    fake = FakeAts(lambda request: httpx.Response(200, json={"dataFeedElement": []}))
    with pytest.raises(JobNotFound):
        await SoftgardenConnector(FEED_SETTINGS, http=fake.client()).fetch_job("41205871")
    [request] = fake.requests
    assert str(request.url) == "https://acme.career.softgarden.de/jobs.feed.json"
    assert "authorization" not in request.headers


def test_the_feed_may_be_larger_than_the_core_default() -> None:
    assert SoftgardenConnector.max_body_bytes is not None
    assert SoftgardenConnector.max_body_bytes > 5 * 1024 * 1024


# -- Frontend API v3 (client id) ----------------------------------------------------------------


@pytest.mark.vcr("v3_found_41205871.yaml")
async def test_v3_job_maps_every_field_with_questions_and_catalog_labels() -> None:
    job = await v3().fetch_job("41205871")
    assert (job.external_id, job.slug) == ("41205871", "softgarden__41205871")
    assert job.title == "Payroll Specialist (f/m/d)"  # externalPostingName, not the internal one
    assert (job.company, job.language) == ("Acme Logistik GmbH", "de")
    assert job.requisition_code == "PAY-0317"
    assert job.status is JobStatus.OPEN
    assert job.employment_type is EmploymentType.FULL_TIME  # workTimes 190001 -> "Vollzeit"
    assert job.department == "Finanzen & Rechnungswesen"  # jobCategories 120003
    assert [loc.model_dump() for loc in job.locations] == [
        {"raw": "München", "street": "Marienplatz 8", "city": "München", "region": "Bayern",
         "postal_code": "80331", "country_code": "DE"}
    ]  # fmt: skip
    assert job.posting_url == (
        "https://acme.career.softgarden.de/jobs/41205871/Payroll-Specialist-f-m-d-/"
    )
    assert job.apply_url == (
        "https://jobdb.softgarden.de/jobdb/public/jobposting/applyonline/click?jp=41205871"
    )
    assert job.updated_at == datetime(2026, 3, 17, 8, 30, 41, 518000, tzinfo=UTC)
    assert job.posted_at is None
    assert "Logistik &amp; Handel" in job.description_html
    shown = [(q.id, q.label, q.type, q.required, q.category, q.source_type) for q in job.questions]
    assert shown == [
        ("90412", "Haben Sie eine gültige Arbeitserlaubnis für Deutschland?", QuestionType.YES_NO,
         False, QuestionCategory.CUSTOM, "YESNO"),
        ("90413", "Wie viele Jahre Erfahrung haben Sie in der Lohnabrechnung?",
         QuestionType.SINGLE_CHOICE, False, QuestionCategory.CUSTOM, "CATALOG"),
        ("90414", "Warum möchten Sie bei uns arbeiten?", QuestionType.LONG_TEXT, False,
         QuestionCategory.CUSTOM, "TEXTAREA"),
    ]  # fmt: skip
    assert [(o.id, o.label) for o in job.questions[1].options] == [
        ("1", "weniger als 2"), ("2", "2 bis 5"), ("3", "mehr als 5"),
    ]  # fmt: skip
    assert job.custom_fields == {
        "job_db_id": 41205871,
        "project_number": "P-2026-0142",
        "internal_reference_id": "PAY-0317",
        "keywords": "Lohnabrechnung, Payroll",
        "audiences": ["210001"],
        "work_experiences": ["100002"],
        "geo_lat": "48.1374",
        "geo_long": "11.5755",
        "employment_types": ["Festanstellung"],
        "work_times": ["Vollzeit"],
        "job_categories": ["Finanzen & Rechnungswesen"],
        "job_start_date": "2026-05-01T00:00:00+00:00",
    }
    assert list(job.raw) == [
        "/api/rest/v3/frontend/jobslist/40711_extern/job/41205871",
        "/api/rest/v3/frontend/jobs/41205871/questions",
        "/api/rest/v3/frontend/catalogs/EMPLOYMENT_TYPE?locale=de",
        "/api/rest/v3/frontend/catalogs/WORKING_HOURS?locale=de",
        "/api/rest/v3/frontend/catalogs/JOB_CATEGORY?locale=de",
    ]


@pytest.mark.vcr("v3_found_41205871.yaml")
async def test_v3_contact_person_is_not_mapped() -> None:
    job = await v3().fetch_job("41205871")
    mapped = job.model_dump(exclude={"raw"})
    assert "Musterfrau" not in json.dumps(mapped, default=str)
    assert "recruiting@example.com" not in json.dumps(mapped, default=str)


@pytest.mark.vcr("v3_found_41205903_snake_case.yaml")
async def test_v3_job_in_snake_case_spelling_and_without_questions() -> None:
    job = await v3().fetch_job("41205903")
    assert job.title == "Warehouse Team Lead (m/w/d)"
    assert job.company == "Acme Logistik GmbH"  # company_name
    assert job.employment_type is EmploymentType.TEMPORARY  # 110002 -> "Befristet"
    assert job.department == "Logistik"
    assert [loc.model_dump() for loc in job.locations] == [
        {"raw": "Wien", "street": "Laxenburger Straße 12", "city": "Wien", "region": "Wien",
         "postal_code": "1100", "country_code": "AT"}
    ]  # fmt: skip
    assert job.posting_url == (
        "https://acme.career.softgarden.de/jobs/41205903/Warehouse-Team-Lead-m-w-d-/"
    )
    assert job.updated_at == datetime(2026, 7, 2, 12, 5, 9, tzinfo=UTC)
    assert job.questions == ()
    assert job.custom_fields["geo_lat"] == "48.1702"


@pytest.mark.vcr("v3_not_found.yaml")
async def test_v3_unknown_job_is_not_found() -> None:
    with pytest.raises(JobNotFound) as caught:
        await v3().fetch_job("999999999")
    assert "channel_id" in caught.value.hint


@pytest.mark.vcr("v3_bad_credentials.yaml")
async def test_v3_bad_client_id_is_an_authentication_failure() -> None:
    with pytest.raises(AuthenticationFailed) as caught:
        await v3().fetch_job("41205871")
    assert CLIENT_ID not in str(caught.value)


async def test_v3_sends_basic_with_the_client_id_and_an_empty_password() -> None:
    fake = FakeAts(lambda request: httpx.Response(404, content=b""))
    connector = SoftgardenConnector(V3_SETTINGS, {"client_id": CLIENT_ID}, http=fake.client())
    with pytest.raises(JobNotFound):
        await connector.fetch_job("41205871")
    [request] = fake.requests
    expected = base64.b64encode(f"{CLIENT_ID}:".encode()).decode()
    assert request.headers["authorization"] == f"Basic {expected}"
    assert request.headers["accept-language"] == "de"
    assert str(request.url) == (
        "https://api.softgarden.io/api/rest/v3/frontend/jobslist/40711_extern/job/41205871"
    )


async def test_v3_with_a_client_secret_uses_a_client_access_token() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/rest/oauth/frontend/token":
            return httpx.Response(200, json={"access_token": "sg-at-1", "expires_in": 3600})
        return httpx.Response(404, content=b"")

    fake = FakeAts(answer)
    connector = SoftgardenConnector(
        V3_SETTINGS, {"client_id": CLIENT_ID, "client_secret": "sg-secret-9"}, http=fake.client()
    )
    with pytest.raises(JobNotFound):
        await connector.fetch_job("41205871")
    token, job = fake.requests
    assert token.method == "POST"
    assert b"grant_type=client_credentials" in token.content
    expected = base64.b64encode(f"{CLIENT_ID}:sg-secret-9".encode()).decode()
    assert token.headers["authorization"] == f"Basic {expected}"
    assert job.headers["authorization"] == "Bearer sg-at-1"


async def test_v3_inactive_job_is_not_found_and_says_it_is_inactive() -> None:
    fake = FakeAts(lambda request: httpx.Response(410, json={"message": "JobPosting inactive"}))
    connector = SoftgardenConnector(V3_SETTINGS, {"client_id": CLIENT_ID}, http=fake.client())
    with pytest.raises(JobNotFound) as caught:
        await connector.fetch_job("41205871")
    assert "no longer active" in caught.value.message


async def test_v3_job_not_accessible_through_the_channel_is_permission_denied() -> None:
    fake = FakeAts(lambda request: httpx.Response(403, content=b""))
    connector = SoftgardenConnector(V3_SETTINGS, {"client_id": CLIENT_ID}, http=fake.client())
    with pytest.raises(PermissionDenied) as caught:
        await connector.fetch_job("41205871")
    assert "'40711_extern'" in caught.value.hint


async def test_v3_answer_for_another_job_is_refused() -> None:
    other = {"jobDbId": 41205903, "externalPostingName": "x"}
    fake = FakeAts(lambda request: httpx.Response(200, json=other))
    connector = SoftgardenConnector(V3_SETTINGS, {"client_id": CLIENT_ID}, http=fake.client())
    with pytest.raises(PayloadError) as caught:
        await connector.fetch_job("41205871")
    assert "another job" in caught.value.message
    assert len(fake.requests) == 1


def test_v3_needs_the_channel_id() -> None:
    with pytest.raises(ConfigurationError) as caught:
        SoftgardenConnector({}, {"client_id": CLIENT_ID})
    assert "channel_id" in caught.value.message


def test_a_client_secret_without_the_client_id_is_refused() -> None:
    with pytest.raises(ConfigurationError):
        SoftgardenConnector(V3_SETTINGS, {"client_secret": "s"})


def test_without_credentials_the_feed_needs_the_career_site() -> None:
    with pytest.raises(ConfigurationError) as caught:
        SoftgardenConnector({})
    assert "career_site" in caught.value.message


def test_v3_questions_read_either_option_shape_and_keep_unknown_types() -> None:
    fields = job_fields(
        {"externalPostingName": "T"},
        [
            {"id": 1, "question": "Pick", "type": "CATALOG", "answerCatalog": {"7": "A", "8": "B"}},
            {"id": 2, "question": "Upload", "type": "ATTACHMENT", "answerCatalog": None},
            {"id": 3, "question": "Short", "type": "TEXT"},
            {"question": "no id"},
            {"id": 4, "type": "TEXT"},
        ],
        {}, {}, {},
    )  # fmt: skip
    assert [(q.id, q.type, q.source_type) for q in fields["questions"]] == [
        ("1", QuestionType.SINGLE_CHOICE, "CATALOG"),
        ("2", QuestionType.UNKNOWN, "ATTACHMENT"),
        ("3", QuestionType.SHORT_TEXT, "TEXT"),
    ]
    assert [(o.id, o.label) for o in fields["questions"][0].options] == [("7", "A"), ("8", "B")]


# -- parsers: any input is a Job's fields or a typed error, never a crash ------------------------

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=25,
)
_posting_keys = st.sampled_from(
    ["title", "description", "employmentType", "jobLocation", "datePosted", "validThrough",
     "identifier", "url", "baseSalary", "jobLocationType", "hiringOrganization", "inLanguage"]
)  # fmt: skip
_job_keys = st.sampled_from(
    ["jobDbId", "externalPostingName", "jobAdText", "geoCity", "geo_country", "geoCountry",
     "employmentTypes", "workTimes", "jobCategories", "postingLastUpdatedDate", "jobStartDate",
     "jobAdUrl", "applyOnlineLink", "locale", "remoteStatus", "keywords"]
)  # fmt: skip


def _served(body: Any) -> FakeAts:
    content = json.dumps(body).encode()
    return FakeAts(lambda request: httpx.Response(200, content=content))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_posting_keys, _json, max_size=12), st.booleans())
async def test_any_feed_posting_gives_a_job_or_a_typed_error(
    posting: dict[str, Any], with_id: bool
) -> None:
    if with_id:
        posting["identifier"] = {"value": 41205871}
    fake = _served({"dataFeedElement": [{"item": posting}]})
    try:
        job = await SoftgardenConnector(FEED_SETTINGS, http=fake.client()).fetch_job("41205871")
    except (PayloadError, JobNotFound):
        return
    assert job.title


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_job_keys, _json, max_size=12), _json, _json)
async def test_any_v3_answer_gives_a_job_or_a_typed_error(
    job: dict[str, Any], questions: Any, catalog: Any
) -> None:
    job.setdefault("jobDbId", 41205871)

    def answer(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        body = job if "/job/" in path else questions if path.endswith("/questions") else catalog
        return httpx.Response(200, content=json.dumps(body).encode())

    fake = FakeAts(answer)
    connector = SoftgardenConnector(V3_SETTINGS, {"client_id": CLIENT_ID}, http=fake.client())
    try:
        found = await connector.fetch_job("41205871")
    except PayloadError:
        return
    assert found.title


# -- the conformance suite, once per way in --------------------------------------------------


class TestSoftgardenFeedConformance(ConnectorConformance):
    mode = "softgarden"
    way_in = "career-site feed"
    settings = FEED_SETTINGS
    cassette_dir = CASSETTES / "softgarden"
    known_job = ("41205871", "feed_found_41205871.yaml")
    unknown_job = ("41299999", "feed_not_found.yaml")
    extra_malformed_ids = MALFORMED
    skip = {"bad_credentials": "the career-site feed is public and takes no credentials"}


class TestSoftgardenFrontendConformance(ConnectorConformance):
    mode = "softgarden"
    way_in = "Frontend API v3"
    settings = V3_SETTINGS
    credentials = {"client_id": CLIENT_ID}
    cassette_dir = CASSETTES / "softgarden"
    known_job = ("41205871", "v3_found_41205871.yaml")
    unknown_job = ("999999999", "v3_not_found.yaml")
    bad_credentials = ("41205871", "v3_bad_credentials.yaml")
    extra_malformed_ids = MALFORMED
