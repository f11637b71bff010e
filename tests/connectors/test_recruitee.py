"""Recruitee connector: careers-site and ATS API answers, mapped field by field."""

from __future__ import annotations

import json
from datetime import UTC, datetime
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
    JobNotFound,
    JobStatus,
    PayInterval,
    PayloadError,
    QuestionCategory,
    QuestionType,
    Visibility,
    WorkplaceType,
    to_embloy,
)
from embloy_ats.testing.conformance import ConnectorConformance
from embloy_ats_recruitee import RecruiteeConnector
from embloy_ats_recruitee.offer import offer_fields, questions, timestamp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import CASSETTES, FakeAts

TOKEN = "test-token"
ATS_SETTINGS = {"company": "acme", "company_id": "12345"}
PARTNER_SLUG = "partner-development-representative-fmd-berlin-germany"


@pytest.fixture
def vcr_cassette_dir() -> str:
    return str(CASSETTES / "recruitee")


def public() -> RecruiteeConnector:
    return RecruiteeConnector({"company": "acme"}, http=HttpClient())


def ats() -> RecruiteeConnector:
    return RecruiteeConnector(ATS_SETTINGS, {"api_token": TOKEN}, http=HttpClient())


def answering(body: object, status: int = 200) -> FakeAts:
    content = json.dumps(body).encode()
    return FakeAts(lambda request: httpx.Response(status, content=content))


# -- careers-site API (public) ----------------------------------------------------------------


@pytest.mark.vcr("found_public_2700825.yaml")
async def test_public_offer_maps_every_field() -> None:
    job = await public().fetch_job("2700825")
    assert (job.external_id, job.slug) == ("2700825", "recruitee__2700825")
    assert job.title == (
        "(Senior) Financial Accountant (f/m/d) - Berlin/Brandenburg Region, Germany"
    )
    assert (job.company, job.language, job.department) == ("Acme", "en", "Finance")
    assert (job.status, job.visibility) == (JobStatus.OPEN, Visibility.PUBLIC)
    assert job.employment_type is EmploymentType.FULL_TIME  # fulltime_permanent
    assert job.workplace_type is WorkplaceType.HYBRID  # hybrid: true
    assert [loc.model_dump() for loc in job.locations] == [
        {
            "raw": "Berlin", "street": "Dircksenstraße 47", "city": "Berlin",
            "region": "Berlin", "postal_code": "10178", "country_code": "DE",
        }
    ]  # fmt: skip
    (pay,) = job.compensation
    assert (pay.min_amount, pay.max_amount, pay.currency, pay.interval) == (
        Decimal(60000), Decimal(75000), "EUR", PayInterval.YEAR,
    )  # fmt: skip
    assert job.posting_url == (
        "https://jobs.acme.com/o/senior-financial-accountant-fmd-berlinbrandenburg-region-germany"
    )
    assert job.apply_url == f"{job.posting_url}/c/new"
    assert job.posted_at == datetime(2026, 8, 5, 10, 10, 39, tzinfo=UTC)
    assert job.updated_at == datetime(2026, 8, 5, 11, 45, 30, tzinfo=UTC)
    assert job.closes_at is None
    # description, then requirements; sanitised (the style attributes go)
    text = job.description_text
    assert text.index("How you will make an impact") < text.index("What we expect from you")
    assert "style=" not in job.description_html
    assert "VP of Finance &amp; Legal" in job.description_html
    assert [(q.id, q.type, q.required, q.category) for q in job.questions] == [
        # name and email: Recruitee asks them on every form; no offer lists them
        ("name", QuestionType.SHORT_TEXT, True, QuestionCategory.STANDARD),
        ("email", QuestionType.EMAIL, True, QuestionCategory.STANDARD),
        ("cv", QuestionType.FILE, True, QuestionCategory.STANDARD),
        ("cover_letter", QuestionType.LONG_TEXT, False, QuestionCategory.STANDARD),
        ("phone", QuestionType.PHONE, True, QuestionCategory.STANDARD),
        ("4288234", QuestionType.YES_NO, True, QuestionCategory.CUSTOM),
        ("4288235", QuestionType.YES_NO, True, QuestionCategory.CUSTOM),
        ("4288241", QuestionType.YES_NO, True, QuestionCategory.CUSTOM),
    ]
    assert job.questions[5].label == "Are you fluent in German?"
    assert job.questions[5].source_type == "boolean"
    assert "locations" not in {q.id for q in job.questions}  # location_question_visible: false
    assert job.custom_fields["id"] == 2700825
    assert job.custom_fields["guid"] == "e4u78"
    assert job.custom_fields["employment_type_code"] == "fulltime_permanent"
    assert job.custom_fields["created_at"] == "2026-08-05 09:41:37 UTC"
    notes = job.custom_fields["location_notes"]
    assert isinstance(notes, list)
    assert "remotely within the European Region" in str(notes[0])
    assert list(job.raw) == ["/api/offers/2700825"]


@pytest.mark.vcr(f"found_public_{PARTNER_SLUG}.yaml")
async def test_an_offer_asked_for_by_slug_keeps_the_slug_as_its_identity() -> None:
    job = await public().fetch_job(PARTNER_SLUG)
    assert job.external_id == PARTNER_SLUG
    assert job.slug == f"recruitee__{PARTNER_SLUG}"
    assert job.custom_fields["id"] == 2697184  # Recruitee's numeric id, kept
    assert job.title == "Partner Development Representative (f/m/d) - Berlin, Germany"
    assert job.department == "Sales"
    # the location is named "Germany/Remote", but the explicit hybrid flag wins
    assert job.locations[0].raw == "Germany/Remote"
    assert job.workplace_type is WorkplaceType.HYBRID
    (pay,) = job.compensation
    assert (pay.min_amount, pay.max_amount) == (Decimal(75000), Decimal(90000))
    assert job.posted_at == datetime(2026, 7, 31, 22, 26, 40, tzinfo=UTC)
    # options_cover_letter: off -> no cover letter question; positions keep the order
    assert [(q.id, q.type) for q in job.questions] == [
        ("name", QuestionType.SHORT_TEXT),
        ("email", QuestionType.EMAIL),
        ("cv", QuestionType.FILE),
        ("phone", QuestionType.PHONE),
        ("4281042", QuestionType.SHORT_TEXT),
        ("4281046", QuestionType.YES_NO),
        ("4288528", QuestionType.YES_NO),
        ("4288529", QuestionType.YES_NO),
        ("4288530", QuestionType.YES_NO),
        ("4288536", QuestionType.LONG_TEXT),
        ("4282360", QuestionType.LONG_TEXT),
        ("4281043", QuestionType.SHORT_TEXT),
    ]
    assert job.questions[4].label == "When would you be able to start?"  # trailing tab gone
    assert all(q.required for q in job.questions)
    assert list(job.raw) == [f"/api/offers/{PARTNER_SLUG}"]


@pytest.mark.vcr("found_public_constructed_3100042.yaml")
async def test_remote_offer_in_german_with_several_locations_and_choices() -> None:
    job = await public().fetch_job("3100042")
    assert job.title == "Backend-Entwickler:in Python (m/w/d) \u2013 Remote in der DACH-Region"
    assert job.language == "de"
    assert job.workplace_type is WorkplaceType.REMOTE
    assert job.employment_type is EmploymentType.PART_TIME  # parttime_fixed_term
    assert job.compensation == ()  # salary with every value null
    assert [(loc.city, loc.postal_code, loc.country_code) for loc in job.locations] == [
        ("Berlin", "10115", "DE"), ("Wien", "1010", "AT"), ("Zürich", "8001", "CH"),
    ]  # fmt: skip
    assert job.closes_at == datetime(2026, 10, 31, 23, 59, 59, tzinfo=UTC)
    assert "Worum es geht" in job.description_text
    assert 'rel="noopener noreferrer nofollow"' in job.description_html
    by_id = {q.id: q for q in job.questions}
    assert list(by_id) == [
        "name", "email", "cv", "cover_letter", "photo", "locations",
        "5200001", "5200002", "5200003", "5200004", "5200005",
    ]  # fmt: skip
    assert (by_id["cv"].required, by_id["cover_letter"].required) == (False, True)
    assert (by_id["photo"].type, by_id["photo"].required) == (QuestionType.FILE, False)
    where = by_id["locations"]
    assert (where.type, where.required, where.category) == (
        QuestionType.MULTIPLE_CHOICE, False, QuestionCategory.STANDARD,
    )  # fmt: skip
    assert where.label == "An welchem Standort möchtest du arbeiten?"
    assert [(o.id, o.label) for o in where.options] == [
        ("40101", "Berlin"), ("40102", "Wien"), ("40103", "Zürich"),
    ]  # fmt: skip
    assert (by_id["5200001"].type, by_id["5200001"].required) == (QuestionType.DATE, True)
    model = by_id["5200002"]
    assert (model.type, model.required) == (QuestionType.SINGLE_CHOICE, True)
    assert [(o.id, o.label) for o in model.options] == [
        ("7300001", "Vollständig remote"), ("7300002", "Gelegentlich im Büro"),
    ]  # fmt: skip
    tech = by_id["5200003"]
    assert (tech.type, tech.required) == (QuestionType.MULTIPLE_CHOICE, False)
    assert [o.label for o in tech.options] == ["Python", "PostgreSQL", "Kubernetes"]
    assert (by_id["5200004"].type, by_id["5200004"].source_type) == (QuestionType.FILE, "file")
    assert by_id["5200005"].type is QuestionType.YES_NO
    embloy = to_embloy(job)
    assert embloy["city"] == "Berlin"


@pytest.mark.vcr("not_found_public.yaml")
async def test_unknown_public_offer_is_job_not_found() -> None:
    with pytest.raises(JobNotFound) as caught:
        await public().fetch_job("999999999")
    assert (caught.value.connector, caught.value.job_id, caught.value.status_code) == (
        "recruitee", "999999999", 404,
    )  # fmt: skip


# -- ATS API (authenticated) ------------------------------------------------------------------


@pytest.mark.vcr("found_ats_constructed_2705510.yaml")
async def test_ats_offer_maps_internal_status_iso_dates_and_monthly_pay() -> None:
    job = await ats().fetch_job("2705510")
    assert (job.external_id, job.title) == ("2705510", "Finance Operations Specialist (f/m/d)")
    assert (job.status, job.visibility) == (JobStatus.OPEN, Visibility.INTERNAL)
    assert job.employment_type is EmploymentType.FULL_TIME  # employment_type: fulltime_...
    assert job.workplace_type is None  # remote: false and nothing else said
    assert [loc.model_dump() for loc in job.locations] == [
        {
            "raw": "Hamburg, Germany", "street": None, "city": "Hamburg", "region": "HH",
            "postal_code": "20095", "country_code": "DE",
        }
    ]  # fmt: skip
    (pay,) = job.compensation
    assert (pay.min_amount, pay.max_amount, pay.currency, pay.interval) == (
        Decimal(3800), Decimal(4400), "EUR", PayInterval.MONTH,
    )  # fmt: skip
    assert job.posting_url == "https://acme.recruitee.com/o/finance-operations-specialist"
    assert job.apply_url is None
    assert job.posted_at is None
    assert job.updated_at == datetime(2026, 8, 20, 14, 3, 55, tzinfo=UTC)
    assert job.description_text.startswith("Internal move welcome.")  # highlight_html first
    assert [(q.id, q.required) for q in job.questions] == [
        ("name", True), ("email", True), ("cv", True),
    ]  # fmt: skip
    assert job.custom_fields["kind"] == "job"
    assert job.custom_fields["number_of_openings"] == 1
    assert job.custom_fields["offer_tags"] == ["internal-mobility"]
    assert list(job.raw) == ["/c/12345/offers/2705510"]


@pytest.mark.vcr("not_found_ats.yaml")
async def test_unknown_ats_offer_is_job_not_found() -> None:
    with pytest.raises(JobNotFound):
        await ats().fetch_job("999999999")


@pytest.mark.vcr("bad_credentials_ats.yaml")
async def test_a_rejected_token_is_authentication_failed() -> None:
    with pytest.raises(AuthenticationFailed) as caught:
        await ats().fetch_job("2705510")
    assert caught.value.status_code == 401
    assert TOKEN not in str(caught.value)


async def test_the_token_chooses_the_ats_api_and_goes_in_a_bearer_header() -> None:
    fake = FakeAts(lambda request: httpx.Response(404))
    connector = RecruiteeConnector(ATS_SETTINGS, {"api_token": TOKEN}, http=fake.client())
    with pytest.raises(JobNotFound):
        await connector.fetch_job("senior-dev")
    (request,) = fake.requests
    assert str(request.url) == "https://api.recruitee.com/c/12345/offers/senior-dev"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"


async def test_without_a_token_the_careers_site_is_asked_without_auth() -> None:
    fake = FakeAts(lambda request: httpx.Response(404))
    connector = RecruiteeConnector({"company": "Acme", "company_id": "12345"}, http=fake.client())
    with pytest.raises(JobNotFound):
        await connector.fetch_job("42")
    (request,) = fake.requests
    assert str(request.url) == "https://acme.recruitee.com/api/offers/42"
    assert "Authorization" not in request.headers


@pytest.mark.parametrize(
    ("credentials", "expected"),
    [
        ({}, "https://sandbox.example.com/rc/api/offers/7"),
        ({"api_token": TOKEN}, "https://sandbox.example.com/rc/c/12345/offers/7"),
    ],
)
async def test_base_url_replaces_the_origin_of_the_api_in_use(
    credentials: dict[str, str], expected: str
) -> None:
    fake = FakeAts(lambda request: httpx.Response(404))
    connector = RecruiteeConnector(
        {**ATS_SETTINGS, "base_url": "https://sandbox.example.com/rc/"},
        credentials,
        http=fake.client(),
    )
    with pytest.raises(JobNotFound):
        await connector.fetch_job("7")
    assert [str(r.url) for r in fake.requests] == [expected]


# -- Recruitee-specific answers ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("job_id", "offer"),
    [
        ("1", {"id": 2, "slug": "one", "title": "Other"}),
        ("senior-dev", {"id": 1, "slug": "junior-dev", "title": "Other"}),
    ],
)
async def test_an_answer_for_another_offer_is_refused(job_id: str, offer: dict[str, Any]) -> None:
    connector = RecruiteeConnector({"company": "acme"}, http=answering({"offer": offer}).client())
    with pytest.raises(PayloadError, match="when asked for"):
        await connector.fetch_job(job_id)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"error": "secret-looking upstream text"}, "an error body"),
        ({"offers": []}, "no 'offer' object"),
        ({"offer": None}, "an offer"),
        ({"offer": {"title": "No id"}}, "without 'id'"),
        ({"offer": {"id": 1}}, "without a title"),
    ],
)
async def test_success_answers_without_a_usable_offer_are_payload_errors(
    body: object, message: str
) -> None:
    connector = RecruiteeConnector({"company": "acme"}, http=answering(body).client())
    with pytest.raises(PayloadError, match=message) as caught:
        await connector.fetch_job("1")
    assert "secret-looking" not in str(caught.value)  # upstream bodies are never echoed


def test_open_question_kinds_infobox_and_option_order() -> None:
    found = questions(
        {
            "open_questions": [
                {"id": 3, "position": 3, "kind": "video", "body": "Record a hello"},
                {"id": 1, "position": 1, "kind": "infobox", "body": "Read this first"},
                {"id": 2, "position": 2, "kind": "slider", "body": "Rate yourself"},
                {"id": None, "kind": "string", "body": "No id"},
                {
                    "id": 4, "position": 4, "kind": "multi_choice", "required": True,
                    "translations": {"nl": {"body": "Welke talen?"}},
                    "open_question_options": [
                        {"id": 9, "position": 1, "body": "Engels"},
                        {"id": 8, "position": 0, "body": "Nederlands"},
                        {"id": 7, "position": 2, "body": None},
                    ],
                },
            ],
            "options_cv": "OFF",
            "options_phone": "optional",
            "options_photo": None,
        }
    )  # fmt: skip
    assert [(q.id, q.type, q.source_type) for q in found] == [
        ("phone", QuestionType.PHONE, "options_phone"),
        ("2", QuestionType.UNKNOWN, "slider"),
        ("3", QuestionType.FILE, "video"),
        ("4", QuestionType.MULTIPLE_CHOICE, "multi_choice"),
    ]
    languages = found[-1]
    assert languages.label == "Welke talen?"
    assert [(o.id, o.label) for o in languages.options] == [("8", "Nederlands"), ("9", "Engels")]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("fulltime_permanent", EmploymentType.FULL_TIME),
        ("fulltime_fixed_term", EmploymentType.FULL_TIME),
        ("parttime_permanent", EmploymentType.PART_TIME),
        ("parttime_fixed_term", EmploymentType.PART_TIME),
        ("fixed_term", EmploymentType.TEMPORARY),
        ("freelance", EmploymentType.CONTRACT),
        ("internship", EmploymentType.INTERNSHIP),
        ("per_diem", EmploymentType.PER_DIEM),
        ("something_new", EmploymentType.OTHER),
        (None, None),
    ],
)
def test_employment_type_codes(code: str | None, expected: EmploymentType | None) -> None:
    assert offer_fields({"employment_type_code": code})["employment_type"] == expected


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("published", (JobStatus.OPEN, Visibility.PUBLIC)),
        ("internal", (JobStatus.OPEN, Visibility.INTERNAL)),
        ("closed", (JobStatus.CLOSED, Visibility.UNKNOWN)),
        ("draft", (JobStatus.DRAFT, Visibility.UNKNOWN)),
        ("archived", (JobStatus.ARCHIVED, Visibility.UNKNOWN)),
        ("paused", (JobStatus.UNKNOWN, Visibility.UNKNOWN)),
        (None, (JobStatus.UNKNOWN, Visibility.UNKNOWN)),
    ],
)
def test_offer_states(status: str | None, expected: tuple[JobStatus, Visibility]) -> None:
    fields = offer_fields({"status": status})
    assert (fields["status"], fields["visibility"]) == expected


@pytest.mark.parametrize(
    ("offer", "expected"),
    [
        ({"hybrid": True, "remote": True, "locations": [{"name": "Remote"}]}, WorkplaceType.HYBRID),
        ({"remote": True, "locations": [{"name": "Berlin office"}]}, WorkplaceType.REMOTE),
        ({"on_site": True, "locations": [{"name": "Remote"}]}, WorkplaceType.ON_SITE),
        ({"remote": False, "locations": [{"name": "Remote"}, {"name": "Remote EU"}]},
         WorkplaceType.REMOTE),
        ({"remote": False, "locations": [{"name": "Remote"}, {"name": "Berlin"}]}, None),
    ],
)  # fmt: skip
def test_explicit_workplace_flags_win_over_location_names(
    offer: dict[str, Any], expected: WorkplaceType | None
) -> None:
    assert offer_fields(offer)["workplace_type"] is expected


def test_timestamps_in_recruitee_and_iso_formats() -> None:
    moment = datetime(2026, 8, 5, 9, 41, 37, tzinfo=UTC)
    assert timestamp("2026-08-05 09:41:37 UTC") == moment
    assert timestamp("2026-08-05T09:41:37.000000Z") == moment
    assert timestamp("2026-08-05T11:41:37+02:00") == moment
    assert timestamp("not a date UTC") is None
    assert timestamp(None) is None


# -- settings, credentials, ids ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings_", "credentials", "complaint"),
    [
        ({}, {}, "company"),
        ({"company": "acme.evil.com"}, {}, "company"),
        ({"company": "../admin"}, {}, "company"),
        ({"company": "a_b"}, {}, "company"),
        ({"company": "acme", "company_id": "../1"}, {}, "company_id"),
        ({"company": "acme", "company_id": "1/2"}, {}, "company_id"),
        ({"company": "acme"}, {"api_token": TOKEN}, "company_id"),
        ({"company": "acme", "company_id": "1"}, {"api_token": "  "}, "api_token"),
        ({"company": "acme"}, {"api_key": TOKEN}, "api_key"),
        ({"company": "acme", "board": "x"}, {}, "board"),
    ],
)
def test_settings_and_credentials_are_checked(
    settings_: dict[str, str], credentials: dict[str, str], complaint: str
) -> None:
    with pytest.raises(ConfigurationError, match=complaint) as caught:
        RecruiteeConnector(settings_, credentials)
    assert TOKEN not in str(caught.value)


def test_the_token_never_shows() -> None:
    connector = RecruiteeConnector(ATS_SETTINGS, {"api_token": TOKEN}, http=HttpClient())
    shown = repr(connector) + repr(connector.credentials) + str(connector.credentials)
    shown += repr(connector.auth)
    assert TOKEN not in shown
    assert connector.base_url == "https://api.recruitee.com"
    assert RecruiteeConnector({"company": "acme"}).base_url == "https://acme.recruitee.com"


@pytest.mark.parametrize(
    "job_id", ["2700825", "senior-dev", "a", "2026-intern", PARTNER_SLUG, "x" * 200]
)
def test_ids_and_slugs_are_accepted(job_id: str) -> None:
    assert RecruiteeConnector.validate_job_id(job_id) == job_id


MALFORMED = (
    "0123", "Senior-Dev", "senior--dev", "-dev", "dev-", "senior_dev", "senior.dev",
    "x" * 201, "2026-", "123-456", "développeur", "1.5", "%2Fx",
)  # fmt: skip


@pytest.mark.parametrize("job_id", MALFORMED)
async def test_malformed_ids_never_reach_the_network(job_id: str) -> None:
    fake = FakeAts(lambda request: httpx.Response(200, json={}))
    connector = RecruiteeConnector(ATS_SETTINGS, {"api_token": TOKEN}, http=fake.client())
    with pytest.raises(InvalidJobId):
        await connector.fetch_job(job_id)
    assert fake.requests == []


# -- any JSON gives a Job or a PayloadError ---------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=30,
)
question_like = st.fixed_dictionaries(
    {},
    optional={
        key: json_values
        for key in ("id", "kind", "body", "required", "position", "open_question_options")
    },
)
location_like = st.fixed_dictionaries(
    {},
    optional={
        key: json_values
        for key in ("id", "name", "city", "state", "country", "country_code", "postal_code")
    },
)
offer_like = st.fixed_dictionaries(
    {"id": st.just(7) | st.just("7") | json_values, "slug": st.just("dev") | json_values},
    optional={
        "title": st.just("Dev") | json_values,
        "open_questions": st.lists(question_like | json_values, max_size=4) | json_values,
        "locations": st.lists(location_like | json_values, max_size=3) | json_values,
        **{
            key: json_values
            for key in (
                "description", "requirements", "highlight", "translations", "status",
                "salary", "remote", "hybrid", "on_site", "employment_type_code",
                "department", "careers_url", "careers_apply_url", "published_at",
                "updated_at", "close_at", "options_cv", "options_phone",
                "location_question_visible", "locations_question_type", "company_name",
                "country_code", "city", "tags",
            )
        },
    },
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=st.fixed_dictionaries({"offer": offer_like}) | json_values,
    job_id=st.sampled_from(["7", "dev"]),
    authenticated=st.booleans(),
)
async def test_any_json_gives_a_job_or_a_payload_error(
    body: object, job_id: str, authenticated: bool
) -> None:
    credentials = {"api_token": TOKEN} if authenticated else {}
    connector = RecruiteeConnector(ATS_SETTINGS, credentials, http=answering(body).client())
    try:
        job = await connector.fetch_job(job_id)
    except PayloadError:
        return
    assert job.external_id == job_id
    assert job.title


# -- the conformance suite, once per way in ---------------------------------------------------


class TestRecruiteePublicConformance(ConnectorConformance):
    mode = "recruitee"
    way_in = "careers-site API"
    settings = {"company": "acme"}
    cassette_dir = CASSETTES / "recruitee"
    known_job = ("2700825", "found_public_2700825.yaml")
    unknown_job = ("999999999", "not_found_public.yaml")
    extra_malformed_ids = MALFORMED
    skip = {"bad_credentials": "the careers-site API is public and takes no credentials"}


class TestRecruiteeAtsConformance(ConnectorConformance):
    mode = "recruitee"
    way_in = "ATS API"
    settings = ATS_SETTINGS
    credentials = {"api_token": TOKEN}
    cassette_dir = CASSETTES / "recruitee"
    known_job = ("2705510", "found_ats_constructed_2705510.yaml")
    unknown_job = ("999999999", "not_found_ats.yaml")
    bad_credentials = ("2705510", "bad_credentials_ats.yaml")
    extra_malformed_ids = MALFORMED
