"""BambooHR connector: careers API and applicant tracking API answers, mapped field by field.

The cassettes are built in the shape of recorded careers-site answers (see
cassettes/bamboohr/PROVENANCE.md); every value in them is ours.
"""

from __future__ import annotations

import json
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
    QuestionCategory,
    QuestionType,
    Visibility,
    WorkplaceType,
)
from embloy_ats.testing.conformance import ConnectorConformance
from embloy_ats_bamboohr import BamboohrConnector
from embloy_ats_bamboohr.pay import from_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import CASSETTES, FakeAts

SETTINGS = {"company_domain": "acme"}
API_KEY = "bamboo-key-5Qd2"
LISTED = "/api/v1/applicant_tracking/jobs?statusGroups=ALL"


@pytest.fixture
def vcr_cassette_dir() -> str:
    return str(CASSETTES / "bamboohr")


def careers() -> BamboohrConnector:
    return BamboohrConnector(SETTINGS, http=HttpClient())


def tracking() -> BamboohrConnector:
    return BamboohrConnector(SETTINGS, {"api_key": API_KEY}, http=HttpClient())


def answering(body: object, status: int = 200) -> FakeAts:
    content = json.dumps(body).encode()
    return FakeAts(lambda request: httpx.Response(status, content=content))


def opening(**fields: Any) -> dict[str, Any]:
    return {"meta": {}, "result": {"jobOpening": {"jobOpeningName": "Dev", **fields}}}


# -- careers API (public) ---------------------------------------------------------------------


@pytest.mark.vcr("careers_found_constructed_17_hybrid.yaml")
async def test_a_careers_opening_maps_every_field() -> None:
    job = await careers().fetch_job("17")
    assert (job.external_id, job.slug) == ("17", "bamboohr__17")
    assert job.title == "Data Platform Engineer"
    assert (job.status, job.visibility) == (JobStatus.OPEN, Visibility.PUBLIC)
    assert job.employment_type is EmploymentType.FULL_TIME
    assert job.workplace_type is WorkplaceType.HYBRID  # locationType "2"
    assert [loc.model_dump() for loc in job.locations] == [
        {
            "raw": "Zürich, Zürich, 8004, Switzerland", "street": None, "city": "Zürich",
            "region": "Zürich", "postal_code": "8004", "country_code": "CH",
        }
    ]  # fmt: skip
    assert job.department == "Engineering"
    assert job.compensation == ()
    assert job.posting_url == "https://acme.bamboohr.com/careers/17"
    assert job.apply_url is None
    assert job.posted_at == datetime(2026, 8, 3, tzinfo=UTC)
    assert "<li>Airflow &amp; dbt for pipelines</li>" in job.description_html
    assert "Airflow & dbt for pipelines" in job.description_text
    assert job.questions == ()  # this answer carries no formFields
    assert job.custom_fields == {
        "department_id": "20417",
        "employment_status": "Full-Time",
        "date_posted": "2026-08-03",
        "location_type": "2",
    }
    assert list(job.raw) == ["/careers/17/detail"]


@pytest.mark.vcr("careers_found_constructed_23_remote_pay.yaml")
async def test_an_ats_location_opening_with_pay_text() -> None:
    job = await careers().fetch_job("23")
    assert job.title == "Site Reliability Engineer / On-Call Lead"  # trailing space gone
    assert job.employment_type is EmploymentType.CONTRACT
    assert job.workplace_type is WorkplaceType.REMOTE  # locationType "1"
    (place,) = job.locations
    assert (place.city, place.region, place.postal_code, place.country_code) == (
        "Berlin", "Berlin", None, "DE",
    )  # fmt: skip
    (pay,) = job.compensation
    assert (pay.kind, pay.min_amount, pay.max_amount, pay.currency, pay.interval) == (
        CompensationKind.SALARY, Decimal(55000), Decimal(65000), "EUR", PayInterval.YEAR,
    )  # fmt: skip
    assert pay.raw == "€55,000 - €65,000 per year"
    assert job.description_text == "Acme keeps its services up for customers across Europe."
    assert "job_category_id" not in job.custom_fields  # the key is absent from this answer


@pytest.mark.vcr("careers_found_constructed_41_filled_form.yaml")
async def test_a_filled_opening_with_its_application_form() -> None:
    job = await careers().fetch_job("41")
    assert job.status is JobStatus.CLOSED  # "Filled"
    assert job.department is None  # departmentLabel ""
    assert job.workplace_type is WorkplaceType.ON_SITE  # locationType "0"
    assert job.locations[0].country_code == "US"
    (pay,) = job.compensation
    assert (pay.kind, pay.min_amount, pay.raw) == (
        CompensationKind.OTHER, None, "Competitive, based on experience",
    )  # fmt: skip
    assert [(q.id, q.type, q.required, q.category) for q in job.questions] == [
        ("firstName", QuestionType.SHORT_TEXT, True, QuestionCategory.STANDARD),
        ("lastName", QuestionType.SHORT_TEXT, True, QuestionCategory.STANDARD),
        ("email", QuestionType.EMAIL, True, QuestionCategory.STANDARD),
        ("phone", QuestionType.PHONE, False, QuestionCategory.STANDARD),
        ("resumeFileId", QuestionType.FILE, True, QuestionCategory.STANDARD),
        ("coverLetterFileId", QuestionType.FILE, False, QuestionCategory.STANDARD),
        ("countryId", QuestionType.SINGLE_CHOICE, False, QuestionCategory.STANDARD),
        ("linkedinUrl", QuestionType.LINK, False, QuestionCategory.STANDARD),
        ("genderId", QuestionType.SINGLE_CHOICE, False, QuestionCategory.EEO),
        ("customQuestions.7", QuestionType.YES_NO, True, QuestionCategory.CUSTOM),
        ("customQuestions.8", QuestionType.MULTIPLE_CHOICE, False, QuestionCategory.CUSTOM),
        ("customQuestions.9", QuestionType.SHORT_TEXT, False, QuestionCategory.CUSTOM),
    ]
    by_id = {q.id: q for q in job.questions}
    assert by_id["linkedinUrl"].label == "LinkedIn Profile"  # the form's own label
    assert by_id["firstName"].label == "First name"
    assert [(o.id, o.label) for o in by_id["countryId"].options] == [
        ("1", "United States"), ("41", "Canada"),
    ]  # fmt: skip
    assert by_id["customQuestions.7"].label == (
        "Are you legally authorized to work in the United States?"
    )
    assert [o.label for o in by_id["customQuestions.8"].options] == ["Mornings", "Evenings"]
    assert by_id["customQuestions.8"].source_type == "checkbox"


@pytest.mark.vcr("careers_not_found.yaml")
async def test_an_unknown_opening_is_not_found() -> None:
    with pytest.raises(JobNotFound):
        await careers().fetch_job("999999999")


async def test_a_company_that_is_not_a_customer_is_a_configuration_error() -> None:
    fake = FakeAts(
        lambda request: httpx.Response(302, headers={"location": "https://www.bamboohr.com/"})
    )
    connector = BamboohrConnector({"company_domain": "nosuchco"}, http=fake.client())
    with pytest.raises(ConfigurationError) as caught:
        await connector.fetch_job("17")
    assert "has no company 'nosuchco'" in caught.value.message
    assert "company_domain" in (caught.value.hint or "")
    assert len(fake.requests) == 1


async def test_an_answer_for_another_opening_is_refused() -> None:
    fake = answering(opening(jobOpeningShareUrl="https://acme.bamboohr.com/careers/18"))
    connector = BamboohrConnector(SETTINGS, http=fake.client())
    with pytest.raises(PayloadError) as caught:
        await connector.fetch_job("17")
    assert "another job opening" in caught.value.message
    assert "18" not in caught.value.message


async def test_an_answer_without_a_job_opening_is_a_payload_error() -> None:
    connector = BamboohrConnector(SETTINGS, http=answering({"meta": {}, "result": []}).client())
    with pytest.raises(PayloadError):
        await connector.fetch_job("17")


async def test_the_description_is_sanitised() -> None:
    body = opening(description='<p onclick="x()">Hi</p><script>alert(1)</script><img src=x>')
    connector = BamboohrConnector(SETTINGS, http=answering(body).client())
    job = await connector.fetch_job("17")
    assert job.description_html == "<p>Hi</p>"


async def test_the_careers_request_goes_to_the_company_host_without_credentials() -> None:
    fake = answering(opening())
    await BamboohrConnector(SETTINGS, http=fake.client()).fetch_job("17")
    [request] = fake.requests
    assert str(request.url) == "https://acme.bamboohr.com/careers/17/detail"
    assert "authorization" not in request.headers


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("Open", JobStatus.OPEN), ("Filled", JobStatus.CLOSED), ("On Hold", JobStatus.CLOSED),
        ("Canceled", JobStatus.CLOSED), ("Draft", JobStatus.DRAFT),
        ("Deleted", JobStatus.ARCHIVED), ("Something new", JobStatus.UNKNOWN),
    ],
)  # fmt: skip
async def test_opening_statuses(status: str, expected: JobStatus) -> None:
    fake = answering(opening(jobOpeningStatus=status))
    job = await BamboohrConnector(SETTINGS, http=fake.client()).fetch_job("17")
    assert job.status is expected


@pytest.mark.parametrize(
    ("location_type", "is_remote", "expected"),
    [("0", None, WorkplaceType.ON_SITE), ("1", None, WorkplaceType.REMOTE),
     ("2", None, WorkplaceType.HYBRID), ("7", None, None), (None, True, WorkplaceType.REMOTE),
     (None, False, None)],
)  # fmt: skip
async def test_location_types(
    location_type: str | None, is_remote: bool | None, expected: WorkplaceType | None
) -> None:
    fake = answering(opening(locationType=location_type, isRemote=is_remote))
    job = await BamboohrConnector(SETTINGS, http=fake.client()).fetch_job("17")
    assert job.workplace_type is expected


# -- settings and ids ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "domain", ["", "acme.evil.com", "acme/..", "-acme", "a" * 64, "api", "www", "acmé", "ac me"]
)
def test_company_domains_are_checked_before_any_request(domain: str) -> None:
    with pytest.raises(ConfigurationError):
        BamboohrConnector({"company_domain": domain})


def test_a_company_domain_is_lower_cased() -> None:
    assert BamboohrConnector({"company_domain": "Acme"}).settings.company_domain == "acme"


MALFORMED = ("036", "1.5", "-1", "12a", "١٢", "1" * 21)


@pytest.mark.parametrize("job_id", MALFORMED)
async def test_malformed_ids_never_reach_the_network(job_id: str) -> None:
    fake = FakeAts(lambda request: httpx.Response(200, json={}))
    connector = BamboohrConnector(SETTINGS, {"api_key": API_KEY}, http=fake.client())
    with pytest.raises(InvalidJobId):
        await connector.fetch_job(job_id)
    assert fake.requests == []


# -- pay text -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "low", "high", "currency", "interval"),
    [
        ("$60,000 - $75,000 per year", 60000, 75000, None, PayInterval.YEAR),
        ("€55,000 - €65,000 per year", 55000, 65000, "EUR", PayInterval.YEAR),
        ("25 - 30 USD / hour", 25, 30, "USD", PayInterval.HOUR),
        ("GBP 40k-45k", 40000, 45000, "GBP", None),
        ("$22.50 an hour", Decimal("22.50"), Decimal("22.50"), None, PayInterval.HOUR),
        ("90000 - 80000 CHF yearly", 80000, 90000, "CHF", PayInterval.YEAR),
    ],
)  # fmt: skip
def test_pay_text_that_says_only_an_amount_is_read(
    text: str, low: object, high: object, currency: str | None, interval: PayInterval | None
) -> None:
    (pay,) = from_text(text)
    assert (pay.kind, pay.min_amount, pay.max_amount) == (
        CompensationKind.SALARY, Decimal(str(low)), Decimal(str(high)),
    )  # fmt: skip
    assert (pay.currency, pay.interval, pay.raw) == (currency, interval, text)


@pytest.mark.parametrize(
    "text",
    ["Competitive", "DOE", "$60,000 - €75,000", "Up to $80,000 plus bonus", "60000 XYZ",
     "$50k base + equity", "3 weeks of vacation"],
)  # fmt: skip
def test_pay_text_that_says_more_is_kept_as_written(text: str) -> None:
    (pay,) = from_text(text)
    assert (pay.kind, pay.min_amount, pay.max_amount, pay.raw) == (
        CompensationKind.OTHER, None, None, text,
    )  # fmt: skip


@given(st.text(max_size=60))
def test_any_pay_text_gives_one_compensation(text: str) -> None:
    found = from_text(text)
    assert len(found) == (1 if text.strip() else 0)
    assert all(pay.raw == text.strip()[:1000] for pay in found)


# -- applicant tracking API (api_key) ---------------------------------------------------------


@pytest.mark.vcr("tracking_found_constructed_17.yaml")
async def test_with_a_key_the_summary_and_the_careers_detail_make_the_job() -> None:
    job = await tracking().fetch_job("17")
    assert job.title == "Data Platform Engineer"
    assert (job.status, job.visibility) == (JobStatus.OPEN, Visibility.PUBLIC)
    assert "Kubernetes" in job.description_text
    assert job.workplace_type is WorkplaceType.HYBRID
    assert job.locations[0].postal_code == "8004"  # the careers detail's place wins
    assert job.posted_at == datetime(2026, 8, 3, tzinfo=UTC)
    assert list(job.raw) == [LISTED, "/careers/17/detail"]
    kept = job.raw[LISTED]
    assert kept["id"] == 17
    assert "hiringLead" not in kept  # an employee: not needed, not kept
    assert "Example" not in json.dumps(job.raw)
    assert "Payroll Specialist" not in json.dumps(job.raw)  # the other jobs are not kept


@pytest.mark.vcr("tracking_found_constructed_52_draft.yaml")
async def test_with_a_key_a_job_not_on_the_careers_site_is_its_summary() -> None:
    job = await tracking().fetch_job("52")
    assert job.title == "Payroll Specialist"
    assert (job.status, job.visibility) == (JobStatus.DRAFT, Visibility.UNKNOWN)
    assert job.description_html == ""
    assert [loc.model_dump() for loc in job.locations] == [
        {
            "raw": "Toronto, Ontario", "street": None, "city": "Toronto",
            "region": "Ontario", "postal_code": "M5V 2T6", "country_code": "CA",
        }
    ]  # fmt: skip
    assert job.department == "Finance"
    assert job.posting_url == "https://acme.bamboohr.com/jobs/view.php?id=52"
    assert job.posted_at == datetime(2026, 9, 1, 14, 0, 5, tzinfo=UTC)
    assert list(job.raw) == [LISTED]


@pytest.mark.vcr("tracking_not_found.yaml")
async def test_with_a_key_an_id_missing_from_the_summaries_is_not_found() -> None:
    with pytest.raises(JobNotFound):
        await tracking().fetch_job("999999999")


@pytest.mark.vcr("tracking_bad_credentials.yaml")
async def test_with_a_wrong_key_authentication_fails() -> None:
    with pytest.raises(AuthenticationFailed) as caught:
        await tracking().fetch_job("17")
    assert API_KEY not in str(caught.value)


async def test_with_a_key_the_list_is_authenticated_and_the_careers_detail_is_not() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/jobs"):
            return httpx.Response(200, json=[{"id": 17, "title": {"label": "Dev"}}])
        return httpx.Response(200, json=opening())

    fake = FakeAts(handler)
    await BamboohrConnector(SETTINGS, {"api_key": API_KEY}, http=fake.client()).fetch_job("17")
    listed, detail = fake.requests
    assert str(listed.url) == (
        "https://acme.bamboohr.com/api/v1/applicant_tracking/jobs?statusGroups=ALL"
    )
    assert listed.headers["authorization"].startswith("Basic ")
    assert listed.headers["accept"] == "application/json"
    assert str(detail.url) == "https://acme.bamboohr.com/careers/17/detail"
    assert "authorization" not in detail.headers


async def test_with_a_key_a_list_that_is_not_a_list_is_a_payload_error() -> None:
    connector = BamboohrConnector(SETTINGS, {"api_key": API_KEY}, http=answering({}).client())
    with pytest.raises(PayloadError):
        await connector.fetch_job("17")


# -- any JSON gives a Job or a typed error ------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=30,
)
field_like = st.fixed_dictionaries(
    {}, optional={key: json_values for key in ("isRequired", "label", "options", "value")}
)
question_like = st.fixed_dictionaries(
    {}, optional={key: json_values for key in ("id", "isRequired", "question", "type", "options")}
)
form_like = st.fixed_dictionaries(
    {},
    optional={
        "customQuestions": st.lists(question_like | json_values, max_size=3) | json_values,
        **{key: field_like | json_values for key in ("email", "countryId", "genderId")},
    },
)
place_like = st.fixed_dictionaries(
    {},
    optional={
        key: json_values
        for key in ("city", "state", "province", "postalCode", "addressCountry", "country")
    },
)
opening_like = st.fixed_dictionaries(
    {"jobOpeningName": st.just("Dev") | json_values},
    optional={
        "location": place_like | json_values,
        "atsLocation": place_like | json_values,
        **{
            key: json_values
            for key in (
                "jobOpeningShareUrl", "jobOpeningStatus", "departmentLabel", "departmentId",
                "employmentStatusLabel", "employmentType", "description", "compensation",
                "datePosted", "locationType", "isRemote", "minimumExperience",
            )
        },
    },
)  # fmt: skip
detail_like = st.fixed_dictionaries(
    {
        "result": st.fixed_dictionaries(
            {"jobOpening": opening_like}, optional={"formFields": form_like}
        )
    }
)
row_like = st.fixed_dictionaries(
    {"id": st.just(7) | st.just("7") | json_values},
    optional={
        key: json_values
        for key in ("title", "status", "location", "department", "postingUrl", "postedDate")
    },
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=detail_like | json_values)
async def test_any_careers_json_gives_a_job_or_a_payload_error(body: object) -> None:
    connector = BamboohrConnector(SETTINGS, http=answering(body).client())
    try:
        job = await connector.fetch_job("7")
    except PayloadError:
        return
    assert (job.external_id, job.title) == ("7", job.title.strip())
    assert job.title


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    listing=st.lists(row_like | json_values, max_size=3) | json_values,
    body=detail_like | json_values,
)
async def test_any_tracking_json_gives_a_job_or_a_typed_error(
    listing: object, body: object
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        answer = listing if request.url.path.endswith("/jobs") else body
        return httpx.Response(200, content=json.dumps(answer).encode())

    connector = BamboohrConnector(SETTINGS, {"api_key": API_KEY}, http=FakeAts(handler).client())
    try:
        job = await connector.fetch_job("7")
    except (PayloadError, JobNotFound):
        return
    assert job.external_id == "7"
    assert job.title


# -- the conformance suite, once per way in ---------------------------------------------------


class TestBamboohrCareersConformance(ConnectorConformance):
    mode = "bamboohr"
    way_in = "careers API"
    settings = SETTINGS
    cassette_dir = CASSETTES / "bamboohr"
    known_job = ("23", "careers_found_constructed_23_remote_pay.yaml")
    unknown_job = ("999999999", "careers_not_found.yaml")
    extra_malformed_ids = MALFORMED
    skip = {"bad_credentials": "the careers API is public and takes no credentials"}


class TestBamboohrTrackingConformance(ConnectorConformance):
    mode = "bamboohr"
    way_in = "applicant tracking API"
    settings = SETTINGS
    credentials = {"api_key": API_KEY}
    cassette_dir = CASSETTES / "bamboohr"
    known_job = ("17", "tracking_found_constructed_17.yaml")
    unknown_job = ("999999999", "tracking_not_found.yaml")
    bad_credentials = ("17", "tracking_bad_credentials.yaml")
    extra_malformed_ids = MALFORMED
