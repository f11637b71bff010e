"""Workday: the conformance suite, and the CXS career-site answers mapped field by field.

The cassettes are one recorded answer (Workday Federal, MIT) and answers constructed in the
shapes of the recorded ones we may not copy; see cassettes/workday/PROVENANCE.md.
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
    Visibility,
    WorkplaceType,
)
from embloy_ats.testing.conformance import ConnectorConformance
from embloy_ats_workday import WorkdayConnector
from embloy_ats_workday.locations import location
from embloy_ats_workday.mapping import job_fields
from embloy_ats_workday.pay import pay_ranges
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import CASSETTES, FakeAts

FEDERAL_ID = "Sr-Site-Reliability-Engineer--US-Federal-_JR-0105486"
FEDERAL = {"host": "workday.wd5.myworkdayjobs.com", "tenant": "workday", "site": "Workday"}
ACME = {"host": "acme.wd1.myworkdayjobs.com", "tenant": "acme", "site": "Careers"}
GLOBEX = {"host": "globex.wd5.myworkdayjobs.com", "tenant": "globex", "site": "SearchJobs"}
INITECH = {"host": "initech.wd3.myworkdayjobs.com", "tenant": "initech", "site": "initech"}
HOOLI = {
    "host": "hooli.wd5.myworkdayjobs.com",
    "tenant": "hooli",
    "site": "HooliExternalCareerSite",
}


class TestWorkdayConformance(ConnectorConformance):
    mode = "workday"
    way_in = "CXS career-site API"
    settings = FEDERAL
    credentials = {}
    cassette_dir = CASSETTES / "workday"
    known_job = (FEDERAL_ID, "found_workday_federal_JR-0105486.yaml")
    unknown_job = ("No-Such-Posting_JR-0000000", "not_found.yaml")
    skip = {"bad_credentials": "the CXS career-site API is public and takes no credentials"}
    extra_malformed_ids = (
        "JR2021705",  # a requisition id alone is not a posting's path id
        "Senior-Engineer_",
        "_JR2021705",
        "Israel-Yokneam_Senior-Engineer_JR2021705/apply",
        "Senior.Engineer_JR2021705",
        "Senior Engineer_JR2021705",
        "Ingénieur_JR2021705",
    )


@pytest.fixture
def vcr_cassette_dir() -> str:
    return str(CASSETTES / "workday")


def connector(settings_: dict[str, str]) -> WorkdayConnector:
    return WorkdayConnector(settings_, http=HttpClient())


def answering(body: object, status: int = 200) -> FakeAts:
    content = json.dumps(body).encode()
    return FakeAts(lambda request: httpx.Response(status, content=content))


# -- recorded and constructed answers ---------------------------------------------------------


@pytest.mark.vcr("found_workday_federal_JR-0105486.yaml")
async def test_recorded_federal_posting_maps_every_field() -> None:
    job = await connector(FEDERAL).fetch_job(FEDERAL_ID)
    assert (job.external_id, job.slug) == (FEDERAL_ID, f"workday__{FEDERAL_ID}")
    assert job.title == "Sr. Site Reliability Engineer (US Federal)"
    assert job.company == "Workday Government, LLC"
    assert job.requisition_code == "JR-0105486"
    assert (job.status, job.visibility) == (JobStatus.OPEN, Visibility.PUBLIC)
    assert job.employment_type is EmploymentType.FULL_TIME  # "Full Time"
    assert job.workplace_type is WorkplaceType.ON_SITE  # "Onsite"
    assert [loc.model_dump() for loc in job.locations] == [
        {
            "raw": "USA.VA.Reston", "street": None, "city": "Reston", "region": "VA",
            "postal_code": None, "country_code": "US",
        }
    ]  # fmt: skip
    # two ranges (primary and additional US locations): not unambiguous, so none is taken
    assert job.compensation == ()
    url = (
        "https://workday.wd5.myworkdayjobs.com/Workday/job/USAVAReston/"
        "Sr-Site-Reliability-Engineer--US-Federal-_JR-0105486"
    )
    assert (job.posting_url, job.apply_url) == (url, url)
    assert job.posted_at == datetime(2026, 7, 25, tzinfo=UTC)
    assert job.closes_at is None
    assert job.department is None
    assert job.questions == ()
    assert "Your work days are brighter here." in job.description_text
    assert "Base Pay Range" in job.description_text
    assert "style=" not in job.description_html
    assert job.custom_fields == {
        "id": "16e3ee312a771000427896360aef0000",
        "jobPostingSiteId": "Workday",
        "timeType": "Full Time",
        "remoteType": "Onsite",
        "postedOn": "Posted Yesterday",
        "requisitionLocation": "USA.VA.Reston",
        "country": "United States of America",
        "questionnaireId": "ec1d4a8375ea10003bbcdcbfb5da0000",
        "secondaryQuestionnaireId": "0de44b7f52b0102375b02d4b22600000",
    }
    path = f"/wday/cxs/workday/Workday/job/{FEDERAL_ID}"
    assert list(job.raw) == [path]
    assert set(job.raw[path]) == {"jobPostingInfo", "hiringOrganization", "userAuthenticated"}


@pytest.mark.vcr("found_constructed_R02345678_pay_additional_locations.yaml")
async def test_additional_locations_and_one_pay_range_in_the_text() -> None:
    job = await connector(ACME).fetch_job("Industrial-Coatings-Product-Manager_R02345678")
    assert job.title == "Industrial Coatings Product Manager"
    assert (job.company, job.requisition_code) == ("USA Acme Industrial Company", "R02345678")
    assert job.employment_type is EmploymentType.FULL_TIME  # "Full time"
    # remoteType says on-site; a remote additional location does not change it
    assert job.workplace_type is WorkplaceType.ON_SITE
    assert [(loc.raw, loc.city, loc.region, loc.country_code) for loc in job.locations] == [
        ("US, Minnesota, Saint Paul", "Saint Paul", "Minnesota", "US"),
        ("Remote - Texas", None, None, None),
        ("US, Ohio, Columbus", "Columbus", "Ohio", "US"),
    ]
    (pay,) = job.compensation
    assert (pay.min_amount, pay.max_amount, pay.currency, pay.interval) == (
        Decimal(118400), Decimal(152900), "USD", None,
    )  # fmt: skip
    assert pay.raw == "$118,400 - $152,900"
    assert job.posted_at == datetime(2026, 10, 12, tzinfo=UTC)
    assert job.custom_fields["secondaryQuestionnaireId"] == "f9e8d7c6b5a4039281706f5e4d3c2b1a"


@pytest.mark.vcr("found_constructed_R500123_hybrid_end_date.yaml")
async def test_hybrid_posting_with_an_end_date_keeps_no_similar_jobs() -> None:
    job_id = "2027-Summer-Internship---Data-Engineering_R500123"
    job = await connector(GLOBEX).fetch_job(job_id)
    assert job.title == "2027 Summer Internship - Data Engineering"
    assert job.company == "1000 Globex Pharma LLC"
    assert job.workplace_type is WorkplaceType.HYBRID
    assert [(loc.city, loc.region, loc.country_code) for loc in job.locations] == [
        ("Princeton", "New Jersey", "US"), ("Philadelphia", "Pennsylvania", "US"),
    ]  # fmt: skip
    assert job.posted_at == datetime(2026, 10, 1, tzinfo=UTC)
    # the last day to apply, to its end (Workday gives a date without time or zone)
    assert job.closes_at == datetime(2026, 12, 15, 23, 59, 59, tzinfo=UTC)
    assert job.custom_fields["timeLeftToApply"] == "30+ days left to apply"
    assert job.custom_fields["jobPostingEndDateAsText"] == "End Date: December 15, 2026"
    assert "twelve weeks & build pipelines" in job.description_text  # &amp; decoded once
    assert job.compensation == ()
    # the other postings the site suggests are not ours to keep
    (answer,) = job.raw.values()
    assert "similarJobs" not in answer
    assert "R500999" not in json.dumps(job.model_dump(mode="json"))


@pytest.mark.vcr("found_constructed_R0234567_city_first_tr.yaml")
async def test_city_first_location_office_code_descriptor_and_entities_in_links() -> None:
    job = await connector(INITECH).fetch_job("Electrical-Maintenance-Technician_R0234567")
    assert job.title == "Electrical Maintenance Technician"
    assert job.company == "INITECH ENDUSTRI ANONIM SIRKETI"
    assert job.workplace_type is None  # no remoteType
    assert [loc.model_dump() for loc in job.locations] == [
        {
            "raw": "Manisa, Manisa, Turkey", "street": None, "city": "Manisa",
            "region": "Manisa", "postal_code": None, "country_code": "TR",
        }
    ]  # fmt: skip
    assert job.custom_fields["requisitionLocation"] == "(IN)Plant_Torbal\u0131_02"
    assert "secondaryQuestionnaireId" not in job.custom_fields
    assert (
        "Ar\u0131za kay\u0131tlar\u0131n\u0131 düzenli tutmak & raporlamak" in job.description_text
    )
    assert "https://careers.example.com/contact?type=General+question" in job.description_html
    assert "target" not in job.description_html or "noopener" in job.description_html
    assert job.compensation == ()


@pytest.mark.vcr("found_constructed_JR2034567_country_first.yaml")
async def test_country_first_location_without_remote_type() -> None:
    job = await connector(HOOLI).fetch_job("Firmware-Validation-Engineer_JR2034567")
    assert job.title == "Firmware Validation Engineer"
    assert job.company == "IL01 Hooli Israel Ltd."
    assert [(loc.raw, loc.city, loc.region, loc.country_code) for loc in job.locations] == [
        ("Israel, Haifa", "Haifa", None, "IL")
    ]
    assert job.workplace_type is None
    assert "What you'll be doing:" in job.description_text
    assert job.posted_at == datetime(2026, 11, 3, tzinfo=UTC)


@pytest.mark.vcr("not_found.yaml")
async def test_unknown_posting_is_job_not_found() -> None:
    with pytest.raises(JobNotFound) as caught:
        await connector(FEDERAL).fetch_job("No-Such-Posting_JR-0000000")
    assert (caught.value.connector, caught.value.job_id, caught.value.status_code) == (
        "workday", "No-Such-Posting_JR-0000000", 404,
    )  # fmt: skip
    assert "tenant" in (caught.value.hint or "")


# -- requests ---------------------------------------------------------------------------------


async def test_the_request_goes_to_the_tenant_site_on_the_host_without_auth() -> None:
    fake = FakeAts(lambda request: httpx.Response(404))
    with pytest.raises(JobNotFound):
        await WorkdayConnector(ACME, http=fake.client()).fetch_job("Senior-Engineer_JR2021705")
    (request,) = fake.requests
    assert request.method == "GET"
    assert str(request.url) == (
        "https://acme.wd1.myworkdayjobs.com/wday/cxs/acme/Careers/job/Senior-Engineer_JR2021705"
    )
    assert "authorization" not in request.headers


async def test_base_url_replaces_the_origin() -> None:
    fake = FakeAts(lambda request: httpx.Response(404))
    settings_ = {**ACME, "base_url": "https://sandbox.example.com/cxs/"}
    with pytest.raises(JobNotFound):
        await WorkdayConnector(settings_, http=fake.client()).fetch_job("A_R1")
    assert [str(r.url) for r in fake.requests] == [
        "https://sandbox.example.com/cxs/wday/cxs/acme/Careers/job/A_R1"
    ]


# -- Workday-specific answers -----------------------------------------------------------------


def posting(**fields: Any) -> dict[str, Any]:
    info = {"jobPostingId": "A_R1", "title": "Engineer", "jobDescription": "<p>x</p>", **fields}
    return {"jobPostingInfo": info, "hiringOrganization": {"name": "Acme"}}


async def test_an_answer_for_another_posting_is_refused() -> None:
    fake = answering(posting(jobPostingId="B_R2", title="zq7 other"))
    with pytest.raises(PayloadError, match="when asked for") as caught:
        await WorkdayConnector(ACME, http=fake.client()).fetch_job("A_R1")
    assert "B_R2" not in str(caught.value)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"errorCode": "HTTP_404", "message": "secret-looking text"}, "jobPostingInfo"),
        ({"jobPostingInfo": None}, "jobPostingInfo"),
        ([], "a JSON object"),
        ({"jobPostingInfo": {"title": "No id"}}, "without 'jobPostingId'"),
        ({"jobPostingInfo": {"jobPostingId": "A_R1"}}, "without a title"),
    ],
)
async def test_success_answers_without_a_usable_posting_are_payload_errors(
    body: object, message: str
) -> None:
    fake = answering(body)
    with pytest.raises(PayloadError, match=message) as caught:
        await WorkdayConnector(ACME, http=fake.client()).fetch_job("A_R1")
    assert "secret-looking" not in str(caught.value)


@pytest.mark.parametrize(
    ("flags", "status", "apply_url"),
    [
        ({"canApply": True, "posted": True}, JobStatus.OPEN, True),
        ({"canApply": False, "posted": True}, JobStatus.CLOSED, False),
        ({"canApply": True, "posted": False}, JobStatus.CLOSED, False),
        ({"canApply": True}, JobStatus.OPEN, True),
        ({}, JobStatus.UNKNOWN, True),
        ({"canApply": "yes", "posted": None}, JobStatus.UNKNOWN, True),
    ],
)
def test_can_apply_and_posted_decide_the_status(
    flags: dict[str, Any], status: JobStatus, apply_url: bool
) -> None:
    url = "https://acme.wd1.myworkdayjobs.com/Careers/job/X/A_R1"
    fields = job_fields(posting(externalUrl=url, **flags)["jobPostingInfo"] | {})
    assert fields["status"] is status
    assert fields["apply_url"] == (url if apply_url else None)
    assert fields["posting_url"] == url


@pytest.mark.parametrize(
    ("remote_type", "locations", "expected"),
    [
        ("On-site", [], WorkplaceType.ON_SITE),
        ("Onsite", [], WorkplaceType.ON_SITE),
        ("Hybrid", [], WorkplaceType.HYBRID),
        ("Remote", [], WorkplaceType.REMOTE),
        ("Flexible", ["Remote - Texas"], None),  # a word we do not know says nothing
        (None, ["Remote - Texas", "Remote - Ohio"], WorkplaceType.REMOTE),
        (None, ["Remote - Texas", "US, Ohio, Columbus"], None),
        (None, [], None),
    ],
)
def test_remote_type_spellings_then_remote_locations(
    remote_type: str | None, locations: list[str], expected: WorkplaceType | None
) -> None:
    info = {"remoteType": remote_type, "location": None, "additionalLocations": locations}
    assert job_fields(info)["workplace_type"] is expected


@pytest.mark.parametrize(
    ("time_type", "expected"),
    [
        ("Full time", EmploymentType.FULL_TIME),
        ("Full Time", EmploymentType.FULL_TIME),
        ("Part time", EmploymentType.PART_TIME),
        ("Per Diem", EmploymentType.PER_DIEM),
        (None, None),
    ],
)
def test_time_type_is_the_employment_type(
    time_type: str | None, expected: EmploymentType | None
) -> None:
    assert job_fields({"timeType": time_type})["employment_type"] is expected


def test_the_requisition_location_country_fills_a_location_text_without_one() -> None:
    info = {
        "location": "Yokneam",
        "jobRequisitionLocation": {"descriptor": "x", "country": {"alpha2Code": "IL"}},
    }
    (found,) = job_fields(info)["locations"]
    assert (found.city, found.country_code) == ("Yokneam", "IL")
    # but never one that is not an ISO code
    info["jobRequisitionLocation"] = {"country": {"alpha2Code": "Israel"}}
    (found,) = job_fields(info)["locations"]
    assert found.country_code is None


def test_dates_that_are_not_dates_are_left_out() -> None:
    fields = job_fields({"startDate": "Posted Today", "endDate": "2026-02-30"})
    assert (fields["posted_at"], fields["closes_at"]) == (None, None)


# -- location texts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("USA.VA.Reston", ("Reston", "VA", "US")),
        ("US, Minnesota, Maplewood", ("Maplewood", "Minnesota", "US")),
        ("Israel, Yokneam", ("Yokneam", None, "IL")),
        ("Kocaeli, Kocaeli, Turkey", ("Kocaeli", "Kocaeli", "TR")),
        ("USA - Pennsylvania - West Point", ("West Point", "Pennsylvania", "US")),
        ("Austin, TX", ("Austin", "TX", "US")),
        ("US, Missouri, St. Louis", ("St. Louis", "Missouri", "US")),
        ("Germany", (None, None, "DE")),
        ("Berlin", ("Berlin", None, None)),
        ("Remote - California", (None, None, None)),
        ("Remote, Germany", (None, None, "DE")),
    ],
)
def test_workday_location_texts(text: str, expected: tuple[str | None, ...]) -> None:
    found = location(text)
    assert found is not None
    assert found.raw == text
    assert (found.city, found.region, found.country_code) == expected


@pytest.mark.parametrize("text", ["", "   ", None, "2 Locations", "12 locations"])
def test_no_location_from_blank_or_a_count(text: str | None) -> None:
    assert location(text) is None


# -- pay in the description -------------------------------------------------------------------


def test_one_range_in_us_dollars_from_the_pay_transparency_paragraph() -> None:
    text = (
        "Applicable to US Applicants Only:The expected compensation range for this position is "
        "$164,612 - $201,193, which includes base pay plus variable incentive pay, if eligible."
    )
    (pay,) = pay_ranges(text, "US")
    assert (pay.min_amount, pay.max_amount, pay.currency, pay.interval, pay.raw) == (
        Decimal(164612), Decimal(201193), "USD", None, "$164,612 - $201,193",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "country", "expected"),
    [
        ("Pay: $151,500 USD - $227,300 USD per year.", None, ("151500", "227300", "USD", "year")),
        ("Pay: $25.50 to $31 per hour.", "US", ("25.50", "31", "USD", "hour")),
        ("Salary €48,000 \u2013 €56,000 annually", "DE", ("48000", "56000", "EUR", "year")),
        ("£30,000 - £36,000", "GB", ("30000", "36000", "GBP", None)),
        ("Range $90,000 - $110,000; again: $90,000 - $110,000.", "US",
         ("90000", "110000", "USD", None)),
    ],
)  # fmt: skip
def test_unambiguous_ranges(
    text: str, country: str | None, expected: tuple[str, str, str, str | None]
) -> None:
    (pay,) = pay_ranges(text, country)
    low, high, currency, interval = expected
    assert (pay.min_amount, pay.max_amount, pay.currency) == (Decimal(low), Decimal(high), currency)
    assert pay.interval == (PayInterval(interval) if interval else None)


@pytest.mark.parametrize(
    ("text", "country"),
    [
        # two different ranges: which applies is for a reader to judge
        (
            "Primary Location Base Pay Range:  $151,500 USD - $227,300 USD ... Additional US "
            "Location(s) Base Pay Range: $137,100 USD - $243,600 USD",
            "US",
        ),
        ("$100,000 - $120,000", "CA"),  # a dollar outside the US names no currency
        ("$100,000 - $120,000", None),
        ("€45.000 - €55.000", "DE"),  # a dot as thousands separator: not read as 45
        ("$100,000 USD - $120,000 CAD", "US"),  # two currencies
        ("up to $120,000", "US"),  # not a range
        ("$120,000 - $100", "US"),  # nothing sensible
        ("No pay is named here.", "US"),
    ],
)
def test_no_pay_when_the_text_is_not_unambiguous(text: str, country: str | None) -> None:
    assert pay_ranges(text, country) == ()


# -- settings and ids -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "acme.wd5.myworkdayjobs.com",
        "3m.wd1.myworkdayjobs.com",
        "nvidia.wd12.myworkdayjobs.com",
        "ACME.WD5.MyWorkdayJobs.com",
        "my-company.wd103.myworkdayjobs.com",
    ],
)
def test_workday_careers_hosts_are_accepted(host: str) -> None:
    made = WorkdayConnector({**ACME, "host": host})
    assert made.settings.host == host.lower()
    assert made.base_url == f"https://{host.lower()}"


@pytest.mark.parametrize(
    "host",
    [
        "acme.myworkdayjobs.com",
        "wd5.myworkdayjobs.com",
        "acme.wd5.myworkdayjobs.com.evil.example",
        "acme.wd5.myworkdayjobs.co",
        "acme.wd5.myworkdaysite.com",
        "evil.example",
        "acme.evil.example/.wd5.myworkdayjobs.com",
        "a.b.wd5.myworkdayjobs.com",
        "acme.wd0.myworkdayjobs.com",
        "acme.wd.myworkdayjobs.com",
        "acme.wd5.myworkdayjobs.com:8443",
        "acme.wd5.myworkdayjobs.com.",
        "acme.wd5.myworkdayjobs.com/",
        "https://acme.wd5.myworkdayjobs.com",
        "user@acme.wd5.myworkdayjobs.com",
        "acme.wd5.myworkdayjobs.com@evil.example",
        "-acme.wd5.myworkdayjobs.com",
        "acme-.wd5.myworkdayjobs.com",
        "acme_x.wd5.myworkdayjobs.com",
        "acmé.wd5.myworkdayjobs.com",
        "acme.wd5.myworkdayjobs.com\x00",
        "127.0.0.1",
        "localhost",
        "",
    ],
)
def test_any_other_host_is_refused_before_a_request(host: str) -> None:
    with pytest.raises(ConfigurationError, match="host"):
        WorkdayConnector({**ACME, "host": host})


@pytest.mark.parametrize(
    ("settings_", "complaint"),
    [
        ({"tenant": "acme", "site": "Careers"}, "host"),
        ({"host": "acme.wd1.myworkdayjobs.com", "site": "Careers"}, "tenant"),
        ({"host": "acme.wd1.myworkdayjobs.com", "tenant": "acme"}, "site"),
        ({**ACME, "tenant": "../admin"}, "tenant"),
        ({**ACME, "site": "Careers/job"}, "site"),
        ({**ACME, "site": "en-US/Careers"}, "site"),
        ({**ACME, "board": "x"}, "board"),
    ],
)
def test_settings_are_checked(settings_: dict[str, str], complaint: str) -> None:
    with pytest.raises(ConfigurationError, match=complaint):
        WorkdayConnector(settings_)


@pytest.mark.parametrize(
    "job_id",
    [
        FEDERAL_ID,
        "Senior-Engineer_JR2021705",
        "Practical-Hardware-Electronics-Test-Engineer_JR2021705",
        "Data-Center-Vertical-Marketing-Manager_R01168597",
        "XMLNAME-2027-Future-Talent-Program---Manufacturing-Strategy--Business-Development-"
        "and-Alliances--MSBDA--Intern_R418677",
        "Data_Engineer_R1",
        "-Senior--Engineer_R1",
    ],
)
def test_posting_path_ids_are_accepted(job_id: str) -> None:
    assert WorkdayConnector.validate_job_id(job_id) == job_id


@pytest.mark.parametrize(
    "job_id",
    [
        "JR2021705", "Senior-Engineer_", "_JR2021705", "Senior-Engineer_JR2021705-",
        "Israel-Yokneam/Senior-Engineer_JR2021705", "Senior.Engineer_JR2021705",
        "Senior Engineer_JR2021705", "Ingénieur_JR2021705", "a_" + "R" * 300,
    ],
)  # fmt: skip
async def test_malformed_ids_never_reach_the_network(job_id: str) -> None:
    fake = FakeAts(lambda request: httpx.Response(200, json={}))
    with pytest.raises(InvalidJobId):
        await WorkdayConnector(ACME, http=fake.client()).fetch_job(job_id)
    assert fake.requests == []


def test_it_says_it_takes_no_applications() -> None:
    described = WorkdayConnector.describe()
    assert described["mode"] == "workday"
    from embloy_ats.submission.capability import submits

    assert not submits(WorkdayConnector)


# -- any JSON gives a Job or a PayloadError ---------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=30,
)
texts = st.text(max_size=60) | st.sampled_from(
    ["USA.VA.Reston", "Israel, Yokneam", "Remote - Texas", "US, Ohio, Columbus", "2 Locations"]
)
country_like = st.fixed_dictionaries(
    {}, optional={"descriptor": json_values, "alpha2Code": st.sampled_from(["US", "IL", "xx"])}
)
info_like = st.fixed_dictionaries(
    {"jobPostingId": st.just("A_R1") | json_values},
    optional={
        "title": texts | json_values,
        "jobDescription": st.text(max_size=80) | json_values | st.just("<p>$1,000 - $2,000</p>"),
        "location": texts | json_values,
        "additionalLocations": st.lists(texts, max_size=3) | json_values,
        "startDate": st.just("2026-08-02") | json_values,
        "endDate": st.just("2026-11-09") | json_values,
        "timeType": texts | json_values,
        "remoteType": st.sampled_from(["Hybrid", "On-site", "Remote"]) | json_values,
        "jobReqId": texts | json_values,
        "canApply": json_values,
        "posted": json_values,
        "externalUrl": st.just("https://a.wd1.myworkdayjobs.com/x") | json_values,
        "jobRequisitionLocation": st.fixed_dictionaries(
            {}, optional={"descriptor": json_values, "country": country_like | json_values}
        )
        | json_values,
        "questionnaireId": json_values,
    },
)
answer_like = st.fixed_dictionaries(
    {"jobPostingInfo": info_like | json_values},
    optional={"hiringOrganization": json_values, "similarJobs": json_values},
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=answer_like | json_values)
async def test_any_answer_gives_a_job_or_a_payload_error(body: Any) -> None:
    fake = FakeAts(lambda request: httpx.Response(200, content=json.dumps(body).encode()))
    try:
        job = await WorkdayConnector(ACME, http=fake.client()).fetch_job("A_R1")
    except PayloadError:
        return
    assert job.external_id == "A_R1"
    assert job.title


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=120), country=st.sampled_from([None, "US", "DE", "xx"]))
def test_parsers_never_crash_on_any_text(text: str, country: str | None) -> None:
    location(text)
    for pay in pay_ranges(text, country):
        assert pay.min_amount is not None
        assert pay.max_amount is not None
        assert pay.min_amount <= pay.max_amount
