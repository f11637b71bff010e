"""Teamtailor connector: recorded and documented JSON:API answers, mapped field by field."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
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
    InvalidJobId,
    Job,
    JobNotFound,
    JobStatus,
    PayInterval,
    PayloadError,
    QuestionCategory,
    QuestionType,
    RequestRejected,
    Visibility,
    WorkplaceType,
)
from embloy_ats.testing.conformance import ConnectorConformance
from embloy_ats_teamtailor import TeamtailorConnector
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import CASSETTES, FakeAts, payload

CREDENTIALS = {"api_key": "test-key"}
QUERY = "include=locations%2Cdepartment%2Crole%2Cpicked-questions.question"
HYBRID_CASSETTE = "teamtailor/found_constructed_4711_hybrid_two_locations.yaml"


@pytest.fixture
def vcr_cassette_dir() -> str:
    return str(CASSETTES / "teamtailor")


def connector(region: str = "eu", **extra: str) -> TeamtailorConnector:
    return TeamtailorConnector({"region": region, **extra}, CREDENTIALS, http=HttpClient())


def fake(document: Any, **settings: str) -> tuple[TeamtailorConnector, FakeAts]:
    content = json.dumps(document).encode()
    ats = FakeAts(lambda request: httpx.Response(200, content=content))
    return TeamtailorConnector(settings, CREDENTIALS, http=ats.client()), ats


def hybrid_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(payload(HYBRID_CASSETTE))
    return document


async def fetch_changed(change: Callable[[dict[str, Any]], None], job_id: str = "4711") -> Job:
    document = hybrid_document()
    change(document)
    tt, _ = fake(document)
    return await tt.fetch_job(job_id)


# -- found jobs, field by field ----------------------------------------------------------------


@pytest.mark.vcr("found_constructed_4711_hybrid_two_locations.yaml")
async def test_hybrid_job_in_two_countries_maps_every_field() -> None:
    job = await connector().fetch_job("4711")
    assert (job.external_id, job.slug) == ("4711", "teamtailor__4711")
    assert job.title == "Backendutvecklare (Ruby on Rails)"
    assert job.language == "sv"
    assert job.company is None
    assert job.requisition_code is None
    assert job.description_html.startswith("<p>Vi söker en backendutvecklare")
    assert "- Hybridarbete: två dagar i veckan på kontoret" in job.description_text
    assert (job.status, job.visibility) == (JobStatus.OPEN, Visibility.PUBLIC)
    assert job.employment_type is EmploymentType.FULL_TIME
    assert job.workplace_type is WorkplaceType.HYBRID
    assert [loc.model_dump() for loc in job.locations] == [
        {"raw": "Stockholm", "street": "Sankt Paulsgatan 7B", "city": "Stockholm",
         "region": None, "postal_code": "118 46", "country_code": "SE"},
        {"raw": "Oslo, Norway", "street": "Karl Johans gate 14", "city": "Oslo",
         "region": None, "postal_code": "0154", "country_code": "NO"},
    ]  # fmt: skip
    assert (job.department, job.team) == ("Produktutveckling", "Backendutvecklare")
    (pay,) = job.compensation
    assert (pay.min_amount, pay.max_amount, pay.currency, pay.interval) == (
        Decimal(45000), Decimal(60000), "SEK", PayInterval.MONTH,
    )  # fmt: skip
    assert job.posting_url == (
        "https://exempel.teamtailor.com/jobs/4711-backendutvecklare-ruby-on-rails"
    )
    assert job.apply_url == (
        "https://exempel.teamtailor.com/jobs/4711-backendutvecklare-ruby-on-rails/applications/new"
    )
    cet, cest = timezone(timedelta(hours=1)), timezone(timedelta(hours=2))
    assert job.posted_at == datetime(2026, 9, 1, 9, 30, tzinfo=cest)  # no start-date: created-at
    assert job.updated_at == datetime(2026, 10, 15, 14, 5, 12, tzinfo=cest)
    assert job.closes_at == datetime(2026, 12, 31, tzinfo=cet)
    assert job.custom_fields == {
        "tags": ["Ruby", "PostgreSQL"],
        "pitch": "Bli en del av vårt produktteam i Stockholm eller Oslo!",
        "human-status": "published",
        "remote-status": "hybrid",
        "employment-level": "professional",
    }
    summary = [(q.id, q.type, q.required, q.category, q.source_type) for q in job.questions]
    assert summary == [
        ("name", QuestionType.SHORT_TEXT, True, QuestionCategory.STANDARD, "name-requirement"),
        # what every candidate is made from: the email is not a requirement attribute
        ("email", QuestionType.EMAIL, True, QuestionCategory.STANDARD, "email"),
        ("phone", QuestionType.PHONE, False, QuestionCategory.STANDARD, "phone-requirement"),
        ("resume", QuestionType.FILE, True, QuestionCategory.STANDARD, "resume-requirement"),
        # cover-letter-requirement is "off": not asked
        ("5001", QuestionType.YES_NO, True, QuestionCategory.CUSTOM, "Boolean"),
        ("5002", QuestionType.MULTIPLE_CHOICE, False, QuestionCategory.CUSTOM, "Choice"),
        ("5003", QuestionType.NUMBER, True, QuestionCategory.CUSTOM, "Range"),
        ("5004", QuestionType.LONG_TEXT, False, QuestionCategory.CUSTOM, "Text"),
        ("5005", QuestionType.FILE, False, QuestionCategory.CUSTOM, "Video"),
    ]
    by_id = {q.id: q for q in job.questions}
    assert by_id["5001"].label == "Har du arbetstillstånd i Sverige eller Norge?"
    assert [(o.id, o.label) for o in by_id["5002"].options] == [
        ("Svenska", "Svenska"), ("Norska", "Norska"), ("Engelska", "Engelska"),
    ]  # fmt: skip
    assert by_id["5003"].description == "0 to 20 år"
    assert list(job.raw) == [f"/v1/jobs/4711?{QUERY}"]
    assert job.raw[f"/v1/jobs/4711?{QUERY}"] == hybrid_document()


@pytest.mark.vcr("found_constructed_5120_na_remote_internal.yaml")
async def test_internal_fully_remote_job_on_the_na_stack() -> None:
    job = await connector("na").fetch_job("5120")
    assert job.title == "Senior Data Engineer (m/w/d) \u2013 Remote"
    assert job.language == "de"
    assert "Die Stelle ist vollständig remote." in job.description_text
    assert (job.status, job.visibility) == (JobStatus.OPEN, Visibility.INTERNAL)
    assert job.workplace_type is WorkplaceType.REMOTE
    assert job.employment_type is EmploymentType.CONTRACT
    assert job.locations == ()
    assert (job.department, job.team) == ("Daten & Analyse", None)  # role data is null
    (pay,) = job.compensation
    assert (pay.min_amount, pay.max_amount, pay.currency, pay.interval) == (
        Decimal(65000), None, "EUR", PayInterval.YEAR,
    )  # fmt: skip
    # an external application URL wins over the career site's form
    assert job.apply_url == "https://bewerbung.beispiel.example/stellen/5120"
    assert job.posting_url == (
        "https://beispiel.na.teamtailor.com/jobs/5120-senior-data-engineer-remote"
    )
    pdt = timezone(timedelta(hours=-7))
    assert job.posted_at == datetime(2026, 10, 1, tzinfo=pdt)  # start-date wins
    assert job.closes_at is None
    assert job.custom_fields == {
        "human-status": "published", "remote-status": "fully", "employment-level": "senior",
    }  # fmt: skip
    # prefixed requirement values of older answers: name_required, phone_off, ...
    summary = [(q.id, q.type, q.required) for q in job.questions]
    assert summary == [
        ("name", QuestionType.SHORT_TEXT, True),
        ("email", QuestionType.EMAIL, True),
        ("resume", QuestionType.FILE, False),
        ("cover_letter", QuestionType.LONG_TEXT, True),
        ("77", QuestionType.SINGLE_CHOICE, True),
    ]
    assert [o.label for o in job.questions[-1].options] == [
        "Sofort", "Innerhalb von 3 Monaten", "Später",
    ]  # fmt: skip


@pytest.mark.vcr("found_docs_example_7199.yaml")
async def test_documented_on_site_job_without_included_resources() -> None:
    job = await connector().fetch_job("7199")
    assert job.title == "My new job"
    assert job.description_html == "<p>hello world</p>"
    assert job.description_text == "hello world"
    assert (job.status, job.visibility) == (JobStatus.OPEN, Visibility.PUBLIC)
    assert job.workplace_type is WorkplaceType.ON_SITE  # remote-status "none"
    assert job.employment_type is None
    assert (job.locations, job.department, job.team, job.compensation) == ((), None, None, ())
    # the docs example links another id (7263) than its data.id: the links are kept as sent
    assert job.posting_url == "http://career.teamtailor.com/jobs/7263-yay-horray-3"
    assert job.apply_url == (
        "https://career.teamtailor.com/jobs/7263-yay-horray-3/applications/new"
    )
    assert job.posted_at == datetime(2016, 11, 16, 23, tzinfo=UTC)
    assert (job.updated_at, job.closes_at) == (None, None)
    # no requirement attributes, no picked questions: what every candidate is made from
    assert [(q.id, q.type, q.required) for q in job.questions] == [
        ("name", QuestionType.SHORT_TEXT, True),
        ("email", QuestionType.EMAIL, True),
    ]
    assert job.custom_fields == {
        "tags": ["Ruby"],
        "pitch": "Become part of something great!",
        "human-status": "published",
        "remote-status": "none",
    }


@pytest.mark.vcr("found_dev_26_include_user.yaml")
async def test_recorded_job_with_an_included_user() -> None:
    job = await connector().fetch_job("26")
    assert job.title == "Ruby on Rails developer"
    assert job.description_text == "Come write some Rails with us!"
    assert (job.status, job.visibility) == (JobStatus.OPEN, Visibility.PUBLIC)
    assert job.workplace_type is None  # no remote-status, no locations
    # the included `users` resource (the recruiter) is not a location, department or role
    assert (job.locations, job.department, job.team) == ((), None, None)
    assert job.posting_url == "http://company0.teamtailor.localhost/jobs/26-ruby-on-rails-developer"
    # external-application-url is "": the career site's form is the way to apply
    assert job.apply_url == (
        "https://company0.teamtailor.localhost/jobs/26-ruby-on-rails-developer/applications/new"
    )
    assert job.posted_at == datetime(2020, 3, 25, 12, 45, 10, 480000, tzinfo=UTC)
    assert [(q.id, q.type, q.required, q.category) for q in job.questions] == [
        ("name", QuestionType.SHORT_TEXT, False, QuestionCategory.STANDARD),  # the job's own
        ("email", QuestionType.EMAIL, True, QuestionCategory.STANDARD),
        ("phone", QuestionType.PHONE, False, QuestionCategory.STANDARD),
        ("resume", QuestionType.FILE, False, QuestionCategory.STANDARD),
        ("cover_letter", QuestionType.LONG_TEXT, False, QuestionCategory.STANDARD),
    ]
    assert job.custom_fields == {"human-status": "published"}  # empty tags and pitch dropped


# -- errors ------------------------------------------------------------------------------------


@pytest.mark.vcr("not_found.yaml")
async def test_unknown_job_is_job_not_found() -> None:
    with pytest.raises(JobNotFound) as caught:
        await connector().fetch_job("999999")
    error = caught.value
    assert (error.connector, error.job_id, error.status_code) == ("teamtailor", "999999", 404)
    assert "Public-scope" in error.hint


@pytest.mark.vcr("bad_credentials.yaml")
async def test_bad_key_is_authentication_failed_naming_the_region() -> None:
    with pytest.raises(AuthenticationFailed) as caught:
        await connector().fetch_job("7199")
    error = caught.value
    assert error.status_code == 401
    assert "region" in error.hint
    assert "https://api.teamtailor.com" in error.hint
    assert "test-key" not in str(error) + repr(error)


@pytest.mark.vcr("invalid_api_version.yaml")
async def test_refused_api_version_points_at_the_setting() -> None:
    with pytest.raises(RequestRejected) as caught:
        await connector().fetch_job("7199")
    assert caught.value.status_code == 406
    assert "'20240904'" in caught.value.message
    assert "api_version" in caught.value.hint


async def test_other_client_errors_pass_through() -> None:
    ats = FakeAts(lambda request: httpx.Response(422, json={"errors": []}))
    tt = TeamtailorConnector({}, CREDENTIALS, http=ats.client())
    with pytest.raises(RequestRejected) as caught:
        await tt.fetch_job("1")
    assert caught.value.status_code == 422
    assert "api_version" not in caught.value.hint


@pytest.mark.parametrize(
    ("document", "match"),
    [
        ({"errors": [{"status": "404"}]}, "job resource"),
        ({"data": [{"id": "1", "type": "jobs"}]}, "job resource"),
        ({"data": {"id": "2", "type": "jobs", "attributes": {"title": "x"}}}, "when asked for"),
        ({"data": {"id": "1", "type": "users", "attributes": {"title": "x"}}}, "not a job"),
        ({"data": {"id": "1", "type": "jobs", "attributes": {"title": " "}}}, "'title'"),
        ([1, 2], "JSON:API document"),
    ],
)
async def test_answers_that_are_not_this_job_are_payload_errors(document: Any, match: str) -> None:
    tt, _ = fake(document)
    with pytest.raises(PayloadError, match=match):
        await tt.fetch_job("1")


# -- requests, settings and credentials ----------------------------------------------------------


async def test_one_request_with_token_version_and_includes() -> None:
    tt, ats = fake(hybrid_document())
    await tt.fetch_job("4711")
    (request,) = ats.requests
    assert str(request.url) == f"https://api.teamtailor.com/v1/jobs/4711?{QUERY}"
    assert request.headers["Authorization"] == "Token token=test-key"
    assert request.headers["X-Api-Version"] == "20240904"


@pytest.mark.parametrize(
    ("settings", "origin"),
    [
        ({}, "https://api.teamtailor.com"),
        ({"region": "eu"}, "https://api.teamtailor.com"),
        ({"region": "na"}, "https://api.na.teamtailor.com"),
        ({"region": " NA "}, "https://api.na.teamtailor.com"),
        ({"region": "na", "base_url": "https://sandbox.example.com/tt/"},
         "https://sandbox.example.com/tt"),
    ],
)  # fmt: skip
async def test_region_and_base_url_choose_the_origin(settings: dict[str, str], origin: str) -> None:
    ats = FakeAts(lambda request: httpx.Response(404))
    tt = TeamtailorConnector(settings, CREDENTIALS, http=ats.client())
    with pytest.raises(JobNotFound):
        await tt.fetch_job("1")
    assert str(ats.requests[0].url) == f"{origin}/v1/jobs/1?{QUERY}"


async def test_api_version_setting_is_sent() -> None:
    tt, ats = fake(hybrid_document(), api_version="20250101")
    await tt.fetch_job("4711")
    assert ats.requests[0].headers["X-Api-Version"] == "20250101"


@pytest.mark.parametrize(
    ("settings", "credentials", "match"),
    [
        ({"region": "us"}, CREDENTIALS, "region"),
        ({"region": "../eu"}, CREDENTIALS, "region"),
        ({"api_version": "2024-09-04"}, CREDENTIALS, "api_version"),
        ({"api_version": "20240904\r\nX-Evil: 1"}, CREDENTIALS, "api_version"),
        ({"subdomain": "acme"}, CREDENTIALS, "subdomain"),
        ({}, {}, "api_key"),
        ({}, {"api_key": "   "}, "api_key is empty"),
        ({}, {"api_key": "test-key", "token": "x"}, "token"),
    ],
)
def test_settings_and_credentials_are_checked(
    settings: dict[str, str], credentials: dict[str, str], match: str
) -> None:
    with pytest.raises(ConfigurationError, match=match) as caught:
        TeamtailorConnector(settings, credentials)
    assert "test-key" not in str(caught.value)


def test_the_key_never_shows() -> None:
    tt = TeamtailorConnector({}, CREDENTIALS)
    shown = repr(tt) + repr(tt.credentials) + str(tt.credentials) + repr(tt.auth)
    assert "test-key" not in shown


def test_self_description() -> None:
    described = TeamtailorConnector.describe()
    assert described["auth"] == ["api_key_header"]
    assert [s["name"] for s in described["settings"]] == ["base_url", "region", "api_version"]
    assert described["credentials"][0] | {"description": ""} == {
        "name": "api_key", "required": True, "secret": True, "description": "",
    }  # fmt: skip
    assert (described["questions"], described["compensation"]) == (True, True)


@pytest.mark.parametrize("job_id", ["abc", "0123", "12.5", "-5", "7263-account-manager", "1/2"])
async def test_malformed_ids_never_reach_the_network(job_id: str) -> None:
    tt, ats = fake({})
    with pytest.raises(InvalidJobId):
        await tt.fetch_job(job_id)
    assert ats.requests == []


async def test_teamtailor_rate_limit_headers_pause_the_account() -> None:
    now, slept = [0.0], []

    class Clock:
        def now(self) -> datetime:
            return datetime(2026, 11, 1, tzinfo=UTC)

        def monotonic(self) -> float:
            return now[0]

        async def sleep(self, seconds: float) -> None:
            slept.append(seconds)
            now[0] += seconds

    content = json.dumps(hybrid_document()).encode()
    spent = {"X-Rate-Limit-Limit": "50", "X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "3"}
    ats = FakeAts(lambda request: httpx.Response(200, content=content, headers=spent))
    tt = TeamtailorConnector({}, CREDENTIALS, http=ats.client(clock=Clock()))
    await tt.fetch_job("4711")
    await tt.fetch_job("4711")
    assert slept == [3.0]


# -- mapping rules, on variations of the constructed answer ---------------------------------------


@pytest.mark.parametrize(
    ("human", "status", "internal", "expected"),
    [
        ("published", "open", False, (JobStatus.OPEN, Visibility.PUBLIC)),
        ("published", "open", True, (JobStatus.OPEN, Visibility.INTERNAL)),
        ("unlisted", "unlisted", False, (JobStatus.OPEN, Visibility.UNLISTED)),
        ("expired", "open", False, (JobStatus.CLOSED, Visibility.PUBLIC)),
        ("archived", "archived", False, (JobStatus.ARCHIVED, Visibility.PUBLIC)),
        ("draft", "draft", False, (JobStatus.DRAFT, Visibility.PUBLIC)),
        ("scheduled", "open", False, (JobStatus.DRAFT, Visibility.PUBLIC)),
        (None, "temp", None, (JobStatus.DRAFT, Visibility.UNKNOWN)),
        (None, "archived", None, (JobStatus.ARCHIVED, Visibility.UNKNOWN)),
        ("something-new", "other", None, (JobStatus.UNKNOWN, Visibility.UNKNOWN)),
    ],
)
async def test_status_and_visibility(
    human: str | None, status: str, internal: bool | None, expected: tuple[Any, Any]
) -> None:
    def change(document: dict[str, Any]) -> None:
        attributes = document["data"]["attributes"]
        attributes.update({"human-status": human, "status": status, "internal": internal})

    job = await fetch_changed(change)
    assert (job.status, job.visibility) == expected


@pytest.mark.parametrize(
    ("remote_status", "location_names", "expected"),
    [
        ("none", ["Remote"], WorkplaceType.ON_SITE),  # the explicit field wins
        ("hybrid", [], WorkplaceType.HYBRID),
        ("temporary", [], WorkplaceType.REMOTE),
        ("fully", ["Stockholm"], WorkplaceType.REMOTE),
        (None, ["Remote", "Remote"], WorkplaceType.REMOTE),
        (None, ["Remote", "Stockholm"], None),
        (None, ["Stockholm"], None),
        ("someday", [], None),
    ],
)
async def test_workplace_type(
    remote_status: str | None, location_names: list[str], expected: WorkplaceType | None
) -> None:
    def change(document: dict[str, Any]) -> None:
        document["data"]["attributes"]["remote-status"] = remote_status
        locations = [item for item in document["included"] if item["type"] == "locations"]
        for location, name in zip(locations, location_names, strict=False):
            location["attributes"] = {"name": name}
        document["data"]["relationships"]["locations"]["data"] = [
            {"type": "locations", "id": location["id"]}
            for location in locations[: len(location_names)]
        ]

    job = await fetch_changed(change)
    assert job.workplace_type is expected


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        ({"question-type": "Date"}, (QuestionType.DATE, ())),
        ({"question-type": "File"}, (QuestionType.FILE, ())),
        ({"question-type": "Number"}, (QuestionType.NUMBER, ())),
        ({"question-type": "Text", "single-line": True}, (QuestionType.SHORT_TEXT, ())),
        ({"question-type": "Matrix"}, (QuestionType.UNKNOWN, ())),
        (
            {"question-type": "Choice", "multiple": None,
             "alternatives": [{"id": 3, "title": "Ja"}, {"id": 4, "name": "Nej"}, {}, 7]},
            (QuestionType.SINGLE_CHOICE, (("3", "Ja"), ("4", "Nej"), ("7", "7"))),
        ),
    ],
)  # fmt: skip
async def test_question_types(attributes: dict[str, Any], expected: tuple[Any, Any]) -> None:
    def change(document: dict[str, Any]) -> None:
        for item in document["included"]:
            if item["type"] == "questions" and item["id"] == "5001":
                item["attributes"] = {"title": "Q?", **attributes}

    job = await fetch_changed(change)
    question = next(q for q in job.questions if q.id == "5001")
    assert (question.type, tuple((o.id, o.label) for o in question.options)) == expected
    assert question.source_type == attributes["question-type"]


async def test_questions_without_picked_questions_are_optional() -> None:
    def change(document: dict[str, Any]) -> None:
        document["included"] = [i for i in document["included"] if i["type"] != "picked-questions"]
        relationships = document["data"]["relationships"]
        del relationships["picked-questions"]["data"]
        relationships["questions"]["data"] = [{"type": "questions", "id": "5003"}]

    job = await fetch_changed(change)
    custom = [(q.id, q.required) for q in job.questions if q.category is QuestionCategory.CUSTOM]
    assert custom == [("5003", False)]


async def test_a_picked_question_without_linkage_takes_no_question() -> None:
    def change(document: dict[str, Any]) -> None:
        for item in document["included"]:
            if item["type"] == "picked-questions" and item["id"] != "901":
                del item["relationships"]["question"]["data"]

    job = await fetch_changed(change)
    custom = [(q.id, q.required) for q in job.questions if q.category is QuestionCategory.CUSTOM]
    assert custom == [("5001", True)]


async def test_the_legacy_single_location_relation_is_read() -> None:
    def change(document: dict[str, Any]) -> None:
        relationships = document["data"]["relationships"]
        relationships["locations"]["data"] = []
        relationships["location"]["data"] = {"type": "locations", "id": "7"}

    job = await fetch_changed(change)
    assert [(loc.city, loc.country_code) for loc in job.locations] == [("Oslo", "NO")]


@pytest.mark.parametrize(
    ("salary", "expected"),
    [
        ({"min-salary": 60000, "max-salary": 45000, "currency": "sek",
          "salary-time-unit": "hourly"},
         [(Decimal(45000), Decimal(60000), "SEK", PayInterval.HOUR)]),
        ({"min-salary": None, "max-salary": "5000", "currency": "Kronor",
          "salary-time-unit": "per-day"},
         [(None, Decimal(5000), None, PayInterval.DAY)]),
        ({"min-salary": None, "max-salary": None, "currency": "SEK"}, []),
        ({"min-salary": -1, "max-salary": "n/a"}, []),
    ],
)  # fmt: skip
async def test_salary(salary: dict[str, Any], expected: list[tuple[Any, ...]]) -> None:
    job = await fetch_changed(lambda document: document["data"]["attributes"].update(salary))
    assert [(c.min_amount, c.max_amount, c.currency, c.interval) for c in job.compensation] == (
        expected
    )


async def test_unusable_links_are_dropped_not_fatal() -> None:
    def change(document: dict[str, Any]) -> None:
        document["data"]["links"] = {
            "careersite-job-url": "javascript:alert(1)",
            "careersite-job-apply-url": "https://x.example/apply now",
        }
        document["data"]["attributes"]["external-application-url"] = "mailto:jobs@x.example"

    job = await fetch_changed(change)
    assert (job.posting_url, job.apply_url) == (None, None)


# -- any JSON gives a Job or a PayloadError ------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=30,
)
_ATTRIBUTES = (
    "title", "body", "status", "human-status", "internal", "remote-status", "employment-type",
    "min-salary", "max-salary", "currency", "salary-time-unit", "created-at", "updated-at",
    "start-date", "end-date", "tags", "pitch", "external-application-url", "name-requirement",
    "resume-requirement", "phone-requirement", "cover-letter-requirement", "language-code",
    "question-type", "alternatives", "multiple", "single-line", "start-with", "end-with", "unit",
    "mandatory", "city", "country", "zip", "address", "name",
)  # fmt: skip
_RELATIONS = ("locations", "location", "department", "role", "picked-questions", "questions",
              "question")  # fmt: skip
_TYPES = ("locations", "departments", "roles", "picked-questions", "questions", "users")
attributes = st.fixed_dictionaries({}, optional={key: json_values for key in _ATTRIBUTES})
ids = st.sampled_from(["1", "2", "7"]) | json_values
linkage = st.fixed_dictionaries({"type": st.sampled_from(_TYPES) | json_values, "id": ids})
relationships = st.dictionaries(
    st.sampled_from(_RELATIONS),
    st.fixed_dictionaries(
        {}, optional={"data": st.none() | linkage | st.lists(linkage, max_size=3)}
    )
    | json_values,
    max_size=4,
)
resource = st.fixed_dictionaries(
    {"type": st.sampled_from(_TYPES) | json_values, "id": ids},
    optional={"attributes": attributes | json_values, "relationships": relationships},
)
teamtailor_like = st.fixed_dictionaries(
    {
        "data": st.fixed_dictionaries(
            {"id": st.just("7") | json_values, "type": st.just("jobs") | json_values},
            optional={
                "attributes": attributes | json_values,
                "relationships": relationships | json_values,
                "links": st.dictionaries(
                    st.sampled_from(["careersite-job-url", "careersite-job-apply-url"]),
                    json_values,
                )
                | json_values,
            },
        )
        | json_values
    },
    optional={"included": st.lists(resource | json_values, max_size=6) | json_values},
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=teamtailor_like | json_values)
async def test_any_json_gives_a_job_or_a_payload_error(body: object) -> None:
    tt, _ = fake(copy.deepcopy(body))
    try:
        job = await tt.fetch_job("7")
    except PayloadError:
        return
    assert job.external_id == "7"
    assert job.title


# -- the shared conformance suite ----------------------------------------------------------------


class TestTeamtailorConformance(ConnectorConformance):
    mode = "teamtailor"
    way_in = "API v1"
    settings = {"region": "eu"}
    credentials = CREDENTIALS
    cassette_dir = CASSETTES / "teamtailor"
    known_job = ("4711", "found_constructed_4711_hybrid_two_locations.yaml")
    unknown_job = ("999999", "not_found.yaml")
    bad_credentials = ("7199", "bad_credentials.yaml")
    extra_malformed_ids = ("abc", "0123", "12.5", "-5", "7263-account-manager")
