"""JOIN connector: the public job API and its company list, mapped field by field.

The cassettes are built in the shape of recorded answers (see cassettes/join/PROVENANCE.md);
every value in them is ours.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from embloy_ats import (
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
from embloy_ats.contract import VerifyUnsupported
from embloy_ats.testing.conformance import ConnectorConformance
from embloy_ats_join import JoinConnector
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import CASSETTES, FakeAts

SETTINGS = {"company": "acme"}
LIST = "/api/public/companies/4242/jobs"


@pytest.fixture
def vcr_cassette_dir() -> str:
    return str(CASSETTES / "join")


def connector() -> JoinConnector:
    return JoinConnector(SETTINGS, http=HttpClient())


def job_answer(**fields: Any) -> dict[str, Any]:
    return {"id": 7, "title": "Dev", "company": {"domain": "acme"}, **fields}


def answering(detail: object, page: object | None = None) -> FakeAts:
    def handler(request: httpx.Request) -> httpx.Response:
        body = page if "/companies/" in request.url.path else detail
        if body is None:
            return httpx.Response(404, content=b"")
        return httpx.Response(200, content=json.dumps(body).encode())

    return FakeAts(handler)


@pytest.mark.vcr("found_constructed_3100458_page2_salary.yaml")
async def test_a_job_maps_every_field_with_its_row_from_the_second_page() -> None:
    job = await connector().fetch_job("3100458")
    assert (job.external_id, job.slug) == ("3100458", "join__3100458")
    assert job.title == "Backend Engineer Charging Platform (m/f/d)"
    assert (job.company, job.language) == ("Acme Mobility GmbH", "en")
    assert (job.status, job.visibility) == (JobStatus.OPEN, Visibility.PUBLIC)
    assert job.workplace_type is WorkplaceType.ON_SITE  # ONSITE, whatever the text says
    assert job.employment_type is EmploymentType.OTHER  # "Employee" says neither full nor part
    assert [loc.model_dump() for loc in job.locations] == [
        {
            "raw": "Hamburg, Hamburg, Germany", "street": None, "city": "Hamburg",
            "region": "Hamburg", "postal_code": None, "country_code": "DE",
        }
    ]  # fmt: skip
    (pay,) = job.compensation
    assert (pay.min_amount, pay.max_amount, pay.currency, pay.interval) == (
        Decimal(60000), Decimal(75000), "EUR", PayInterval.YEAR,
    )  # fmt: skip
    assert job.posting_url == (
        "https://join.com/companies/acme/3120077-backend-engineer-charging-platform-m-f-d"
    )
    assert job.apply_url is None
    assert job.posted_at == datetime(2026, 10, 2, 8, 15, tzinfo=UTC)
    assert job.updated_at == datetime(2026, 10, 20, 16, 40, 12, 500000, tzinfo=UTC)
    # Markdown -> HTML: headings and lists; HTML written in it is text, not markup
    assert "<h2>What you will do</h2>" in job.description_html
    assert "<li>Build the services that start &amp; stop charging sessions.</li>" in (
        job.description_html
    )
    assert "<b>" not in job.description_html
    assert "&lt;b&gt;Curiosity&lt;/b&gt;" in job.description_html
    assert "What you bring" in job.description_text
    assert [(q.id, q.label, q.type, q.required, q.category) for q in job.questions] == [
        ("cv", "CV", QuestionType.FILE, True, QuestionCategory.STANDARD),
        ("cover_letter", "Cover letter", QuestionType.FILE, False, QuestionCategory.STANDARD),
    ]
    assert job.custom_fields == {
        "join_id": "3100458",
        "id_param": "3120077-backend-engineer-charging-platform-m-f-d",
        "company_id": "4242",
        "category": "Software Development",
        "employment_type_label": "Employee",
        "salary_frequency": "PER_YEAR",
    }
    # the job and its own row only: the company's other jobs are not kept
    assert list(job.raw) == [
        "/api/public/jobs/3100458",
        f"{LIST}?locale=en&page=2&pageSize=5",
    ]
    assert job.raw[f"{LIST}?locale=en&page=2&pageSize=5"]["id"] == 3100458
    assert "Role 1" not in json.dumps(job.raw)


@pytest.mark.vcr("found_constructed_3100460_remote_hidden_salary.yaml")
async def test_a_remote_job_with_a_hidden_salary_found_on_the_first_page() -> None:
    job = await connector().fetch_job("3100460")
    assert job.language == "de"
    assert job.workplace_type is WorkplaceType.REMOTE
    assert job.employment_type is EmploymentType.INTERNSHIP  # "Working Student"
    (place,) = job.locations
    assert (place.city, place.region, place.country_code) == ("Wien", "Wien", "AT")
    assert job.compensation == ()  # showSalary: false
    assert [(q.id, q.required) for q in job.questions] == [("cover_letter", True)]
    assert list(job.raw) == ["/api/public/jobs/3100460", f"{LIST}?locale=en&page=1&pageSize=5"]


@pytest.mark.vcr("found_constructed_3120077_by_url_number.yaml")
async def test_a_job_asked_for_by_its_url_number_keeps_that_id() -> None:
    job = await connector().fetch_job("3120077")
    assert job.external_id == "3120077"
    assert job.custom_fields["join_id"] == "3100458"
    assert job.locations[0].city == "Hamburg"  # the row is found by JOIN's own id


@pytest.mark.vcr("not_found.yaml")
async def test_an_unknown_or_archived_job_is_not_found() -> None:
    with pytest.raises(JobNotFound):
        await connector().fetch_job("999999999")


async def test_a_job_of_another_company_is_not_found_and_its_list_not_read() -> None:
    fake = answering(job_answer(company={"domain": "othercorp", "id": 9}, companyId=9), {})
    with pytest.raises(JobNotFound) as caught:
        await JoinConnector(SETTINGS, http=fake.client()).fetch_job("7")
    assert "'acme'" in caught.value.message
    assert "othercorp" not in str(caught.value)
    assert len(fake.requests) == 1


async def test_a_job_without_its_company_is_refused() -> None:
    fake = answering({"id": 7, "title": "Dev"})
    with pytest.raises(PayloadError):
        await JoinConnector(SETTINGS, http=fake.client()).fetch_job("7")


async def test_an_answer_for_another_job_is_refused() -> None:
    fake = answering(job_answer(id=8, idParam="9-dev", lastId=9))
    with pytest.raises(PayloadError) as caught:
        await JoinConnector(SETTINGS, http=fake.client()).fetch_job("7")
    assert "another job" in caught.value.message


async def test_the_company_setting_is_compared_without_case() -> None:
    fake = answering(job_answer(company={"domain": "ACME"}))
    job = await JoinConnector({"company": "Acme"}, http=fake.client()).fetch_job("7")
    assert job.title == "Dev"


async def test_without_a_row_in_the_list_the_job_has_no_place_or_pay() -> None:
    page = {"items": [], "pagination": {"page": 1, "pageCount": 1}}
    fake = answering(job_answer(companyId=4242), page)
    job = await JoinConnector(SETTINGS, http=fake.client()).fetch_job("7")
    assert (job.locations, job.compensation) == ((), ())
    assert len(fake.requests) == 2


async def test_a_missing_company_list_leaves_the_job_without_its_row() -> None:
    fake = answering(job_answer(companyId=4242), None)
    job = await JoinConnector(SETTINGS, http=fake.client()).fetch_job("7")
    assert job.locations == ()


async def test_the_list_is_read_at_most_twenty_pages() -> None:
    def page(request: httpx.Request) -> httpx.Response:
        if "/companies/" not in request.url.path:
            return httpx.Response(200, json=job_answer(companyId=4242))
        number = int(request.url.params["page"])
        return httpx.Response(
            200, json={"items": [], "pagination": {"page": number, "pageCount": 999}}
        )

    fake = FakeAts(page)
    job = await JoinConnector(SETTINGS, http=fake.client()).fetch_job("7")
    assert job.locations == ()
    assert len(fake.requests) == 1 + 20
    assert fake.requests[1].url.params["pageSize"] == "5"


async def test_a_company_id_that_is_not_a_number_is_never_put_in_a_path() -> None:
    fake = answering(job_answer(companyId="../../admin"), {})
    job = await JoinConnector(SETTINGS, http=fake.client()).fetch_job("7")
    assert job.locations == ()
    assert len(fake.requests) == 1


async def test_requests_go_to_join_com_without_credentials() -> None:
    fake = answering(job_answer(companyId=4242), {"items": []})
    await JoinConnector(SETTINGS, http=fake.client()).fetch_job("7")
    detail, listed = fake.requests
    assert str(detail.url) == "https://join.com/api/public/jobs/7"
    assert str(listed.url) == f"https://join.com{LIST}?locale=en&page=1&pageSize=5"
    assert "authorization" not in detail.headers


async def test_the_description_is_sanitised() -> None:
    fake = answering(job_answer(description="[x](javascript:alert(1)) <script>y</script>"))
    job = await JoinConnector(SETTINGS, http=fake.client()).fetch_job("7")
    assert "<a" not in job.description_html  # the link is refused, its text stays
    assert "<script" not in job.description_html


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"salaryAmountFrom": {"amount": 250000, "currency": "EUR"},
          "salaryFrequency": "PER_MONTH"}, (Decimal(2500), None, "EUR", PayInterval.MONTH)),
        ({"salaryAmountTo": {"amount": 1850, "currency": "CHF"}, "salaryFrequency": "PER_HOUR"},
         (None, Decimal("18.5"), "CHF", PayInterval.HOUR)),
    ],
)  # fmt: skip
async def test_pay_in_minor_units(row: dict[str, Any], expected: tuple[Any, ...]) -> None:
    page = {"items": [{"id": 7, **row}], "pagination": {"page": 1, "pageCount": 1}}
    fake = answering(job_answer(companyId=4242), page)
    job = await JoinConnector(SETTINGS, http=fake.client()).fetch_job("7")
    (pay,) = job.compensation
    assert (pay.min_amount, pay.max_amount, pay.currency, pay.interval) == expected


async def test_a_salary_the_employer_hides_is_not_shown() -> None:
    row = {"id": 7, "settings": {"showSalary": False},
           "salaryAmountFrom": {"amount": 5000000, "currency": "EUR"}}  # fmt: skip
    page = {"items": [row], "pagination": {"page": 1, "pageCount": 1}}
    job = await JoinConnector(
        SETTINGS, http=answering(job_answer(companyId=4242), page).client()
    ).fetch_job("7")
    assert job.compensation == ()


async def test_a_range_in_two_currencies_is_not_stated() -> None:
    row = {"id": 7, "salaryAmountFrom": {"amount": 100, "currency": "EUR"},
           "salaryAmountTo": {"amount": 200, "currency": "USD"}}  # fmt: skip
    page = {"items": [row], "pagination": {"page": 1, "pageCount": 1}}
    job = await JoinConnector(
        SETTINGS, http=answering(job_answer(companyId=4242), page).client()
    ).fetch_job("7")
    assert job.compensation == ()


async def test_verify_is_not_supported_and_sends_nothing() -> None:
    fake = answering(job_answer())
    with pytest.raises(VerifyUnsupported):
        await JoinConnector(SETTINGS, http=fake.client()).verify()
    assert fake.requests == []


@pytest.mark.parametrize("company", ["", "../x", "a/b", "a b", "ä", "x" * 129])
def test_company_settings_are_checked(company: str) -> None:
    with pytest.raises(ConfigurationError):
        JoinConnector({"company": company})


MALFORMED = ("016717796", "16769212-customer-care", "1.5", "-1", "١٢")


@pytest.mark.parametrize("job_id", MALFORMED)
async def test_malformed_ids_never_reach_the_network(job_id: str) -> None:
    fake = answering(job_answer())
    with pytest.raises(InvalidJobId):
        await JoinConnector(SETTINGS, http=fake.client()).fetch_job(job_id)
    assert fake.requests == []


# -- any JSON gives a Job or a typed error ------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=30,
)
money = st.fixed_dictionaries({}, optional={"amount": json_values, "currency": json_values})
row_like = st.fixed_dictionaries(
    {"id": st.just(7) | json_values},
    optional={
        "salaryAmountFrom": money | json_values,
        "salaryAmountTo": money | json_values,
        **{
            key: json_values
            for key in ("city", "country", "category", "employmentType", "settings",
                        "salaryFrequency", "workplaceType")
        },
    },
)  # fmt: skip
detail_like = st.fixed_dictionaries(
    {
        "id": st.just(7) | json_values,
        "company": st.just({"domain": "acme"}) | json_values,
        "title": st.just("Dev") | json_values,
    },
    optional={
        key: json_values
        for key in ("companyId", "idParam", "lastId", "language", "description", "status",
                    "workplaceType", "documentsConfig", "createdAt", "updatedAt", "settings",
                    "salaryFrequency")
    },
)  # fmt: skip
page_like = st.fixed_dictionaries(
    {
        "items": st.lists(row_like | json_values, max_size=3) | json_values,
        "pagination": st.fixed_dictionaries({"page": st.just(1), "pageCount": st.integers(0, 3)})
        | json_values,
    }
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(detail=detail_like | json_values, page=page_like | json_values)
async def test_any_json_gives_a_job_or_a_typed_error(detail: object, page: object) -> None:
    try:
        job = await JoinConnector(SETTINGS, http=answering(detail, page).client()).fetch_job("7")
    except (PayloadError, JobNotFound):
        return
    assert job.external_id == "7"
    assert job.title


class TestJoinConformance(ConnectorConformance):
    mode = "join"
    way_in = "public job API"
    settings = SETTINGS
    cassette_dir = CASSETTES / "join"
    known_job = ("3100458", "found_constructed_3100458_page2_salary.yaml")
    unknown_job = ("999999999", "not_found.yaml")
    extra_malformed_ids = MALFORMED
    skip = {"bad_credentials": "the public job API takes no credentials"}
