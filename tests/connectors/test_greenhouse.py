"""Greenhouse connector: the Job Board API (real recorded answers) and Harvest API v3
(constructed answers in the v3 shapes), mapped field by field; the Harvest token handling."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar

import httpx
import pytest
from embloy_ats import (
    AuthenticationFailed,
    AuthKind,
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
    Timeouts,
    Visibility,
    WorkplaceType,
    to_embloy,
)
from embloy_ats.testing.conformance import ConnectorConformance
from embloy_ats_greenhouse import GreenhouseConnector, job_board
from embloy_ats_greenhouse.harvest import HarvestAnswers, job_fields
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import CASSETTES, FakeAts


@pytest.fixture
def vcr_cassette_dir() -> str:
    return str(CASSETTES / "greenhouse")


def connector(board: str) -> GreenhouseConnector:
    return GreenhouseConnector({"board_token": board}, http=HttpClient())


@pytest.mark.vcr("found_gongio_4679941006.yaml")
async def test_modern_job_maps_every_field() -> None:
    job = await connector("gongio").fetch_job("4679941006")
    assert job.slug == "greenhouse__4679941006"
    assert job.title == "Commercial Revenue Architect"
    assert job.company == "Gong.io"
    assert job.requisition_code == "77"
    assert job.language == "en"
    assert (job.status, job.visibility) == (JobStatus.OPEN, Visibility.PUBLIC)
    assert [loc.city for loc in job.locations] == [
        "Austin", "Chicago", "New York City", "Salt Lake City", "San Francisco",
    ]  # fmt: skip
    assert all(loc.raw == loc.city for loc in job.locations)
    assert job.department == "Customer Success"
    assert job.posted_at == datetime(2026, 5, 7, 18, 53, 31, tzinfo=UTC)
    assert job.updated_at == datetime(2026, 7, 16, 18, 44, 23, tzinfo=UTC)
    assert job.closes_at is None
    assert job.posting_url == "https://job-boards.greenhouse.io/gongio/jobs/4679941006"
    # content arrives entity-encoded; it is decoded once and sanitised
    assert job.description_html.startswith("<div><p>Trimmed for fixture.</p>")
    assert "Education &amp; learning stipend." in job.description_html
    assert "style=" not in job.description_html
    assert "The annual OTE for this position is $90,000 - $120,000 USD." in job.description_text
    assert job.custom_fields == {}  # every metadata value is null in this answer
    # no questions in this answer: the ones every Job Board application takes
    assert [(q.id, q.type, q.required) for q in job.questions] == [
        ("first_name", QuestionType.SHORT_TEXT, True),
        ("last_name", QuestionType.SHORT_TEXT, True),
        ("email", QuestionType.EMAIL, True),
        ("phone", QuestionType.PHONE, False),
        ("resume", QuestionType.FILE, False),
        ("cover_letter", QuestionType.FILE, False),
    ]
    assert list(job.raw) == [
        "/v1/boards/gongio/jobs/4679941006?questions=true&pay_transparency=true"
    ]


@pytest.mark.vcr("found_docs_example_44444.yaml")
async def test_questions_pay_and_metadata_are_mapped() -> None:
    job = await connector("acme").fetch_job("44444")
    assert job.requisition_code == "50"
    assert job.locations[0].model_dump() == {
        "raw": "San Francisco, CA", "street": None, "city": "San Francisco", "region": "CA",
        "postal_code": None, "country_code": "US",
    }  # fmt: skip
    (pay,) = job.compensation
    assert (pay.min_amount, pay.max_amount, pay.currency) == (
        Decimal(50000), Decimal(75000), "USD",
    )  # fmt: skip
    assert pay.raw == "NYC Salary Range"
    assert job.custom_fields == {"Field Name": "Some value"}
    # the docs' content is encoded twice: one decoding leaves the inner tags as text
    assert "&lt;p&gt;Any HTML included" in job.description_html
    assert "<p>Any HTML included" in job.description_text
    by_id = {q.id: q for q in job.questions}
    assert list(by_id) == [
        "first_name", "last_name", "email", "phone", "resume", "cover_letter",
        "location", "question_2222",
        # the job's data_compliance requires all three consents
        "data_compliance.gdpr_consent_given",
        "data_compliance.gdpr_processing_consent_given",
        "data_compliance.gdpr_retention_consent_given",
    ]  # fmt: skip
    assert by_id["resume"].required is True, "the job's own question wins over the standard one"
    assert by_id["last_name"].required is True
    consent = by_id["data_compliance.gdpr_consent_given"]
    assert (consent.type, consent.required, consent.source_type) == (
        QuestionType.YES_NO, True, "requires_consent",
    )  # fmt: skip
    assert by_id["location"].type is QuestionType.LOCATION
    assert by_id["location"].required is True
    assert by_id["first_name"].type is QuestionType.SHORT_TEXT
    assert by_id["first_name"].category is QuestionCategory.STANDARD
    assert by_id["resume"].type is QuestionType.FILE
    assert ".pdf" in by_id["resume"].accepted_file_types
    apples = by_id["question_2222"]
    assert (apples.type, apples.required, apples.category) == (
        QuestionType.YES_NO, False, QuestionCategory.CUSTOM,
    )  # fmt: skip
    assert [(o.id, o.label) for o in apples.options] == [("0", "No"), ("1", "Yes")]
    assert apples.source_type == "multi_value_single_select"


@pytest.mark.vcr("found_generalassembly_721.yaml")
async def test_legacy_answer_with_standard_and_custom_questions() -> None:
    job = await connector("generalassembly").fetch_job("721")
    assert job.title == "Application developer"
    assert job.company is None
    assert (job.locations[0].city, job.locations[0].region) == ("New York", "NY")
    assert job.department is None
    types = {q.id: (q.type, q.required) for q in job.questions}
    assert types == {
        "first_name": (QuestionType.SHORT_TEXT, True),
        "last_name": (QuestionType.SHORT_TEXT, True),
        "email": (QuestionType.EMAIL, True),
        "phone": (QuestionType.PHONE, False),
        "resume": (QuestionType.FILE, False),
        "cover_letter": (QuestionType.FILE, False),
        "question_2720": (QuestionType.LINK, False),
        "question_2721": (QuestionType.LINK, False),
        "question_2722": (QuestionType.SHORT_TEXT, False),
    }
    embloy = to_embloy(job)
    assert embloy["application_options_attributes"][2]["question_type"] == "text"
    assert embloy["city"] == "New York"


def test_a_question_is_built_once_and_only_a_small_one_is_kept() -> None:
    """Each distinct question of a board is built once (a question is immutable); one over
    the kept size is built every time, so what is kept stays bounded."""
    group = {"label": "Portfolio", "required": True,
             "fields": [{"name": "question_77", "type": "input_text"}]}  # fmt: skip
    first, again = job_board._question(group), job_board._question(dict(group))
    assert first is again
    assert first is not None
    assert (first.type, first.required) == (QuestionType.LINK, True)
    huge = {**group, "description": "x" * job_board._KEPT_QUESTION_CHARS}
    kept = job_board._made.cache_info().currsize
    built = job_board._question(huge)
    assert built is not None
    assert built.description == "x" * job_board._KEPT_QUESTION_CHARS
    assert job_board._made.cache_info().currsize == kept
    assert job_board._question(huge) is not built


def test_a_place_is_made_once_and_only_a_short_name_is_kept() -> None:
    first = job_board.location("Berlin, Germany")
    assert first is job_board.location("Berlin, Germany")
    assert (first.city, first.country_code) == ("Berlin", "DE")
    long_name = "Berlin, " + "x" * job_board._KEPT_PLACE_CHARS
    kept = job_board._place.cache_info().currsize
    assert job_board.location(long_name).raw == long_name
    assert job_board._place.cache_info().currsize == kept


@pytest.mark.vcr("not_found.yaml")
async def test_unknown_job_is_job_not_found() -> None:
    with pytest.raises(JobNotFound) as caught:
        await connector("gongio").fetch_job("999999999")
    assert (caught.value.connector, caught.value.job_id, caught.value.status_code) == (
        "greenhouse", "999999999", 404,
    )  # fmt: skip


@pytest.mark.parametrize("job_id", ["../1", "1/2", "abc", "12?x=1", "%2F12"])
async def test_malformed_ids_never_reach_the_network(job_id: str) -> None:
    ats = FakeAts(lambda request: httpx.Response(200, json={}))
    gh = GreenhouseConnector({"board_token": "acme"}, http=ats.client())
    with pytest.raises(InvalidJobId):
        await gh.fetch_job(job_id)
    assert ats.requests == []


def test_board_token_is_required_and_checked() -> None:
    with pytest.raises(ConfigurationError, match="board_token"):
        GreenhouseConnector({})
    with pytest.raises(ConfigurationError, match="board_token"):
        GreenhouseConnector({"board_token": "../admin"})
    with pytest.raises(ConfigurationError, match="not_a_setting"):
        GreenhouseConnector({"board_token": "a", "not_a_setting": "1"})


async def test_base_url_override_builds_every_path_on_it() -> None:
    ats = FakeAts(lambda request: httpx.Response(404))
    gh = GreenhouseConnector(
        {"board_token": "acme", "base_url": "https://sandbox.example.com/gh/"}, http=ats.client()
    )
    with pytest.raises(JobNotFound):
        await gh.fetch_job("1")
    assert str(ats.requests[0].url) == (
        "https://sandbox.example.com/gh/v1/boards/acme/jobs/1?questions=true&pay_transparency=true"
    )


async def test_an_answer_for_another_job_is_refused() -> None:
    ats = FakeAts(lambda request: httpx.Response(200, json={"id": 2, "title": "Other"}))
    gh = GreenhouseConnector({"board_token": "acme"}, http=ats.client())
    with pytest.raises(PayloadError, match="when asked for"):
        await gh.fetch_job("1")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=30,
)
greenhouse_like = st.fixed_dictionaries(
    {"id": st.just(7) | st.just("7") | json_values},
    optional={
        key: json_values
        for key in (
            "title", "content", "location", "offices", "departments", "questions",
            "location_questions", "pay_input_ranges", "metadata", "updated_at",
            "first_published", "application_deadline", "absolute_url", "company_name",
        )
    },
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=greenhouse_like | json_values)
async def test_any_json_gives_a_job_or_a_payload_error(body: object) -> None:
    content = json.dumps(body).encode()
    ats = FakeAts(lambda request: httpx.Response(200, content=content))
    gh = GreenhouseConnector({"board_token": "acme"}, http=ats.client())
    try:
        job = await gh.fetch_job("7")
    except PayloadError:
        return
    assert job.external_id == "7"
    assert job.title


class TestGreenhouseConformance(ConnectorConformance):
    mode = "greenhouse"
    way_in = "Job Board API"
    settings = {"board_token": "gongio"}
    cassette_dir = CASSETTES / "greenhouse"
    known_job = ("4679941006", "found_gongio_4679941006.yaml")
    unknown_job = ("999999999", "not_found.yaml")
    extra_malformed_ids = ("abc", "0123", "12.5", "-5")
    skip = {"bad_credentials": "the Job Board API is public and takes no credentials"}


# == Harvest API v3 (client_id + client_secret) ==============================================

HARVEST_CREDENTIALS = {"client_id": "harvest-test-client", "client_secret": "harvest-test-secret"}


def harvest(settings: dict[str, str] | None = None, http: HttpClient | None = None) -> Any:
    return GreenhouseConnector(settings or {}, HARVEST_CREDENTIALS, http=http or HttpClient())


@pytest.mark.vcr("harvest_found_123.yaml")
async def test_harvest_post_job_pay_locations_and_questions_are_mapped() -> None:
    job = await harvest().fetch_job("123")
    assert (job.slug, job.title, job.requisition_code, job.language) == (
        "greenhouse__123", "Software Engineer", "abc123", "en",
    )  # fmt: skip
    assert job.company is None  # v3 job and post objects carry no company name
    assert (job.status, job.visibility) == (JobStatus.OPEN, Visibility.PUBLIC)
    assert job.employment_type is EmploymentType.FULL_TIME  # custom field "Time type"
    assert job.workplace_type is None  # two offices, nothing says remote or hybrid
    # the post's own location, then its extra locations (one names office 47013)
    assert [(loc.raw, loc.city, loc.region, loc.country_code) for loc in job.locations] == [
        ("New York, NY", "New York", "NY", "US"),
        ("San Francisco, CA, United States", "San Francisco", "CA", "US"),
    ]
    assert job.department == "Engineering"
    # pay ranges in pay-input priority order, cents -> amounts, input titles as raw
    assert [(c.min_amount, c.max_amount, c.currency, c.raw) for c in job.compensation] == [
        (Decimal(120000), Decimal(155000), "USD", "New York Salary Range"),
        (Decimal(130000), Decimal(160000), "USD", "San Francisco Salary Range"),
    ]
    assert all(c.interval is None for c in job.compensation)
    assert job.posting_url == job.apply_url == "https://job-boards.greenhouse.io/acme/jobs/123"
    assert job.posted_at == datetime(2023, 4, 3, 18, 6, 18, tzinfo=UTC)
    assert job.updated_at == datetime(2024, 12, 2, 9, 15, tzinfo=UTC)  # the job's, later
    assert job.closes_at is None
    assert job.description_html == "<p>We\u2019re looking for the next big innovator.</p>"
    # null custom fields are left out; the others keep their value, by field name
    assert job.custom_fields == {
        "Time type": "Full-Time",
        "Maximum Budget": "$81.5k",
        "Salary Range": {"min_value": 70000, "max_value": 90000, "unit": "USD"},
    }
    by_id = {q.id: q for q in job.questions}
    assert list(by_id) == [
        "first_name",
        "last_name",
        "email",
        "phone",
        "resume",
        "cover_letter",
        "question_234567",
        "question_345678[]",
        "question_45678",
        "question_56789",
        "demographic_question_300",
        "demographic_question_301",
    ]  # fmt: skip  (the hidden question and the inactive demographic question are left out)
    assert (by_id["email"].type, by_id["phone"].type, by_id["phone"].required) == (
        QuestionType.EMAIL, QuestionType.PHONE, False,
    )  # fmt: skip
    resume = by_id["resume"]
    assert (resume.type, resume.required, resume.category) == (
        QuestionType.FILE, True, QuestionCategory.STANDARD,
    )  # fmt: skip
    assert resume.accepted_file_types == (".pdf", ".doc", ".docx", ".txt", ".rtf")
    worked = by_id["question_234567"]
    assert (worked.type, worked.required, worked.category, worked.source_type) == (
        QuestionType.YES_NO, False, QuestionCategory.CUSTOM, "boolean",
    )  # fmt: skip
    assert [(o.id, o.label) for o in worked.options] == [("0", "No"), ("1", "Yes")]
    assert worked.description == "<p>Please select Yes or No.</p>"
    applied = by_id["question_345678[]"]
    assert applied.type is QuestionType.MULTIPLE_CHOICE
    assert [(o.id, o.label) for o in applied.options] == [
        ("862", "Yes"), ("863", "No"), ("864", "Maybe"),
    ]  # fmt: skip
    assert (by_id["question_45678"].type, by_id["question_45678"].required) == (
        QuestionType.LINK, True,
    )  # fmt: skip
    heard = by_id["question_56789"]
    assert (heard.type, heard.required) == (QuestionType.SINGLE_CHOICE, True)
    assert [o.id for o in heard.options] == ["901", "902", "903"]
    gender = by_id["demographic_question_300"]
    assert (gender.type, gender.required, gender.category, gender.label) == (
        QuestionType.SINGLE_CHOICE, True, QuestionCategory.DEMOGRAPHIC,
        "What is your gender identity?",
    )  # fmt: skip
    # answer options by sort order, the inactive one left out
    assert [(o.id, o.label) for o in gender.options] == [
        ("4001", "Woman"), ("4002", "Man"), ("4003", "I prefer to self-describe"),
    ]  # fmt: skip
    background = by_id["demographic_question_301"]
    assert (background.type, background.required) == (QuestionType.MULTIPLE_CHOICE, False)
    assert [o.label for o in background.options] == [
        "Asian", "Hispanic or Latino", "I prefer not to answer",
    ]  # fmt: skip
    assert list(job.raw) == [
        "/v3/job_posts?ids=123",
        "/v3/jobs?ids=1234",
        "/v3/job_post_locations?job_post_ids=123",
        "/v3/pay_input_ranges?job_post_ids=123",
        "/v3/demographic_questions?demographic_question_set_ids=999",
        "/v3/departments?ids=25907",
        "/v3/offices?ids=47012%2C47013",
        "/v3/pay_inputs?ids=21%2C22",
        "/v3/demographic_answer_options?demographic_question_ids=300%2C301%2C302",
    ]
    assert "test-access-a" not in json.dumps(job.raw)  # the token answer is not kept


@pytest.mark.vcr("harvest_found_5678.yaml")
async def test_harvest_internal_post_of_a_confidential_draft_in_german() -> None:
    job = await harvest().fetch_job("5678")
    assert job.title == "Backend-Entwickler:in Zahlungsverkehr (m/w/d)"
    assert job.language == "de"
    assert job.requisition_code is None
    # a draft job, confidential (wins over the post being internal and not live)
    assert (job.status, job.visibility) == (JobStatus.DRAFT, Visibility.CONFIDENTIAL)
    assert job.employment_type is EmploymentType.PART_TIME  # "Teilzeit"
    assert job.workplace_type is WorkplaceType.REMOTE
    assert [(loc.raw, loc.city, loc.country_code) for loc in job.locations] == [
        ("Remote - Deutschland", None, "DE"),
        ("Remote - Österreich", None, "AT"),
    ]
    assert job.department is None
    assert job.compensation == ()
    assert (job.posting_url, job.apply_url, job.posted_at) == (None, None, None)
    assert job.updated_at == datetime(2026, 2, 12, 10, 5, tzinfo=UTC)
    # an internal post shows its internal content
    assert job.description_html.startswith("<p>Intern ausgeschrieben:")
    assert "Vollständig remote in Deutschland oder Österreich" in job.description_text
    assert "Verstärkung" not in job.description_text
    assert job.custom_fields == {"Time type": "Teilzeit"}
    types = {q.id: (q.type, q.required, q.label) for q in job.questions}
    assert types == {
        "first_name": (QuestionType.SHORT_TEXT, True, "Vorname"),
        "last_name": (QuestionType.SHORT_TEXT, True, "Nachname"),
        "email": (QuestionType.EMAIL, True, "E-Mail"),
        "phone": (QuestionType.PHONE, False, "Phone"),
        "resume": (QuestionType.FILE, True, "Lebenslauf"),
        "cover_letter": (QuestionType.FILE, False, "Cover Letter"),
        "question_700001": (QuestionType.LONG_TEXT, True, "Ab wann kannst du anfangen?"),
        "question_700002": (
            QuestionType.SINGLE_CHOICE, True, "Hast du eine Arbeitserlaubnis für die EU?",
        ),
    }  # fmt: skip
    permit = job.questions[-1]
    assert [(o.id, o.label) for o in permit.options] == [("9101", "Ja"), ("9102", "Nein")]
    # no demographic set, department, office or pay range: those lists are not asked for
    assert list(job.raw) == [
        "/v3/job_posts?ids=5678",
        "/v3/jobs?ids=8765",
        "/v3/job_post_locations?job_post_ids=5678",
        "/v3/pay_input_ranges?job_post_ids=5678",
    ]


def test_harvest_closing_time_is_not_an_application_deadline() -> None:
    """Harvest's `closed_at` records when the job was closed inside Greenhouse: an internal
    event, not a deadline the posting states (`closes_at`; v3 has none)."""
    fields = job_fields(
        HarvestAnswers(
            post={"id": 5, "title": "Engineer", "job_id": 77, "live": True},
            job={"id": 77, "status": "open", "closed_at": "2025-01-31T09:00:00Z"},
        )
    )
    assert fields.get("closes_at") is None


@pytest.mark.vcr("harvest_not_found.yaml")
async def test_harvest_empty_list_is_job_not_found() -> None:
    with pytest.raises(JobNotFound) as caught:
        await harvest().fetch_job("999999999")
    assert (caught.value.connector, caught.value.job_id) == ("greenhouse", "999999999")


@pytest.mark.vcr("harvest_bad_credentials.yaml")
async def test_harvest_refused_client_credentials_are_authentication_failed() -> None:
    with pytest.raises(AuthenticationFailed) as caught:
        await harvest().fetch_job("123")
    assert caught.value.status_code == 401
    assert "token endpoint" in str(caught.value)
    for secret in HARVEST_CREDENTIALS.values():
        assert secret not in str(caught.value)
        assert secret not in repr(caught.value)


# -- the token: Basic client auth, cached, shared, renewed, refreshed once on a 401 ----------


class HarvestFake:
    """A Harvest v3 + token endpoint fake: counts token requests, refuses listed tokens."""

    def __init__(
        self,
        tokens: tuple[str, ...] = ("test-access-a", "test-access-b", "test-access-c"),
        *,
        refused: frozenset[str] = frozenset(),
        token_status: int = 200,
        token_extra: dict[str, Any] | None = None,
        token_delay: float = 0.0,
        refusal_delay: float = 0.0,
        lists: dict[str, Any] | None = None,
    ) -> None:
        self.tokens = list(tokens)
        self.refused = refused
        self.token_status = token_status
        self.token_extra = {"expires_in": 3600} if token_extra is None else token_extra
        self.token_delay = token_delay
        #: the n-th refusal is answered after n * refusal_delay s (401s arriving over time).
        self.refusal_delay = refusal_delay
        self.refusals = 0
        self.lists = lists or {}
        self.token_requests: list[httpx.Request] = []
        self.api_requests: list[httpx.Request] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/token"):
            self.token_requests.append(request)
            if self.token_delay:
                await asyncio.sleep(self.token_delay)
            if self.token_status != 200:
                return httpx.Response(self.token_status, json={"error": "invalid_client"})
            token = self.tokens[min(len(self.token_requests), len(self.tokens)) - 1]
            return httpx.Response(200, json={"access_token": token, **self.token_extra})
        self.api_requests.append(request)
        sent = request.headers.get("authorization", "").removeprefix("Bearer ")
        if sent in self.refused:
            self.refusals += 1
            await asyncio.sleep(self.refusals * self.refusal_delay)
            return httpx.Response(401)
        path = request.url.path
        path = path[path.index("/v3/") :] if "/v3/" in path else path
        if path in self.lists:
            answer = self.lists[path]
            return answer(request) if callable(answer) else httpx.Response(200, json=answer)
        if path == "/v3/job_posts":
            ident = int(request.url.params["ids"])
            return httpx.Response(200, json=[{"id": ident, "title": f"Post {ident}", "job_id": 77}])
        if path == "/v3/jobs":
            return httpx.Response(200, json=[{"id": 77, "status": "open"}])
        return httpx.Response(200, json=[])

    def client(self, **kwargs: Any) -> HttpClient:
        kwargs.setdefault("timeouts", Timeouts(attempt=2.0))
        return HttpClient(transport=httpx.MockTransport(self), **kwargs)


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


async def test_token_request_uses_basic_client_auth_and_the_form_grant() -> None:
    fake = HarvestFake()
    job = await harvest({"user_id": "4242"}, fake.client()).fetch_job("5")
    assert job.title == "Post 5"
    (token,) = fake.token_requests
    assert (token.method, str(token.url)) == ("POST", "https://auth.greenhouse.io/token")
    assert token.headers["authorization"] == basic("harvest-test-client", "harvest-test-secret")
    assert token.headers["content-type"] == "application/x-www-form-urlencoded"
    assert token.content == b"grant_type=client_credentials&sub=4242"
    assert b"harvest-test" not in token.content  # the secret travels only in the Basic header
    assert {r.headers["authorization"] for r in fake.api_requests} == {"Bearer test-access-a"}
    assert {r.url.host for r in fake.api_requests} == {"harvest.greenhouse.io"}


async def test_without_user_id_no_sub_is_sent() -> None:
    fake = HarvestFake()
    await harvest(http=fake.client()).fetch_job("5")
    assert fake.token_requests[0].content == b"grant_type=client_credentials"


async def test_one_token_request_for_concurrent_fetches() -> None:
    fake = HarvestFake(token_delay=0.05)  # the token answer is slow: all fetches wait on it
    gh = harvest(http=fake.client())
    jobs = await asyncio.gather(*(gh.fetch_job(str(n)) for n in range(1, 9)))
    assert [job.title for job in jobs] == [f"Post {n}" for n in range(1, 9)]
    assert len(fake.token_requests) == 1
    assert len(fake.api_requests) == 8 * 4  # post, job, locations, pay ranges per fetch
    # and later fetches reuse the cached token
    await gh.fetch_job("9")
    assert len(fake.token_requests) == 1


async def test_a_401_refreshes_the_token_once_and_retries() -> None:
    fake = HarvestFake(refused=frozenset({"test-access-a"}))
    job = await harvest(http=fake.client()).fetch_job("5")
    assert job.title == "Post 5"
    assert len(fake.token_requests) == 2
    sent = [r.headers["authorization"] for r in fake.api_requests]
    assert sent[0] == "Bearer test-access-a"
    assert set(sent[1:]) == {"Bearer test-access-b"}


async def test_concurrent_401s_share_one_refresh() -> None:
    fake = HarvestFake(refused=frozenset({"test-access-a"}))
    gh = harvest(http=fake.client())
    await gh.fetch_job("1")  # token a is refused once: b is fetched and cached
    assert len(fake.token_requests) == 2
    # b is revoked; five fetches sent with it get their 401s one after another, the later
    # ones after c has been fetched: those must not throw c away and fetch a d, e, ...
    fake.refused = frozenset({"test-access-b"})
    fake.token_delay, fake.refusal_delay = 0.005, 0.02
    jobs = await asyncio.gather(*(gh.fetch_job(str(n)) for n in range(2, 7)))
    assert [job.title for job in jobs] == [f"Post {n}" for n in range(2, 7)]
    assert fake.refusals == 1 + 5
    assert len(fake.token_requests) == 3  # one refresh (c) for all five
    retried = [r for r in fake.api_requests[-25:] if r.url.path == "/v3/job_posts"]
    assert {r.headers["authorization"] for r in retried[-5:]} == {"Bearer test-access-c"}


async def test_a_token_refused_twice_is_authentication_failed() -> None:
    fake = HarvestFake(refused=frozenset({"test-access-a", "test-access-b"}))
    with pytest.raises(AuthenticationFailed) as caught:
        await harvest(http=fake.client()).fetch_job("5")
    assert caught.value.status_code == 401
    assert (len(fake.token_requests), len(fake.api_requests)) == (2, 2)


async def test_refused_client_credentials_fail_every_waiting_fetch_with_one_request() -> None:
    fake = HarvestFake(token_status=401, token_delay=0.02)
    gh = harvest(http=fake.client())
    outcomes = await asyncio.gather(
        *(gh.fetch_job(str(n)) for n in range(1, 6)), return_exceptions=True
    )
    assert all(isinstance(outcome, AuthenticationFailed) for outcome in outcomes)
    assert len(fake.token_requests) == 1
    assert fake.api_requests == []


@pytest.mark.parametrize("status", [400, 401])
async def test_token_endpoint_refusals_are_authentication_failed(status: int) -> None:
    fake = HarvestFake(token_status=status)
    with pytest.raises(AuthenticationFailed, match="token endpoint"):
        await harvest(http=fake.client()).fetch_job("5")


async def test_a_token_answer_without_access_token_is_a_payload_error() -> None:
    fake = HarvestFake(tokens=("",))
    with pytest.raises(PayloadError, match="access_token"):
        await harvest(http=fake.client()).fetch_job("5")


class FakeClock:
    def __init__(self) -> None:
        self.mono = 1000.0
        self.start = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.mono - 1000.0)

    def monotonic(self) -> float:
        return self.mono

    async def sleep(self, seconds: float) -> None:
        self.mono += seconds


@pytest.mark.parametrize(
    ("answer", "lifetime"),
    [
        ({"expires_in": 3600}, 3600),
        ({"expires_at": "2026-05-01T12:10:00.000Z"}, 600),  # what the live endpoint sends
        ({"expires": "2026-05-01T12:10:00Z"}, 600),  # the transition endpoint's field
        ({}, 3600),  # nothing said: one hour
    ],
)
async def test_the_token_is_renewed_shortly_before_it_expires(
    answer: dict[str, Any], lifetime: int
) -> None:
    clock = FakeClock()
    fake = HarvestFake(token_extra=answer)
    gh = harvest(http=fake.client(clock=clock))
    await gh.fetch_job("1")
    clock.mono += lifetime - 61  # still more than the 60 s margin left
    await gh.fetch_job("2")
    assert len(fake.token_requests) == 1
    clock.mono += 2  # within the margin: renewed before it runs out
    await gh.fetch_job("3")
    assert len(fake.token_requests) == 2
    assert fake.api_requests[-1].headers["authorization"] == "Bearer test-access-b"


async def test_a_token_said_to_be_expired_already_is_still_reused_briefly() -> None:
    clock = FakeClock()  # e.g. our clock runs ahead of Greenhouse's
    fake = HarvestFake(token_extra={"expires_at": "2026-05-01T11:00:00Z"})
    gh = harvest(http=fake.client(clock=clock))
    await gh.fetch_job("1")
    await gh.fetch_job("2")
    assert len(fake.token_requests) == 1


# -- Harvest lists: pagination, scopes, odd answers -------------------------------------------


async def test_list_pages_are_followed_with_the_cursor_alone_on_our_own_host() -> None:
    def locations(request: httpx.Request) -> httpx.Response:
        if "cursor" not in request.url.params:
            return httpx.Response(
                200,
                json=[{"type": "free_text", "plain_text_location": "Berlin, Germany"}],
                headers={"Link": '<https://elsewhere.example/v3/x?cursor=c2>; rel="next"'},
            )
        return httpx.Response(
            200, json=[{"type": "free_text", "plain_text_location": "Wien, Österreich"}]
        )

    fake = HarvestFake(lists={"/v3/job_post_locations": locations})
    job = await harvest(http=fake.client()).fetch_job("5")
    assert [(loc.city, loc.country_code) for loc in job.locations] == [
        ("Berlin", "DE"), ("Wien", "AT"),
    ]  # fmt: skip
    pages = [r for r in fake.api_requests if r.url.path == "/v3/job_post_locations"]
    assert [str(r.url) for r in pages] == [
        "https://harvest.greenhouse.io/v3/job_post_locations?job_post_ids=5",
        "https://harvest.greenhouse.io/v3/job_post_locations?cursor=c2",
    ]


async def test_a_list_scope_not_granted_leaves_that_field_empty() -> None:
    fake = HarvestFake(
        lists={
            "/v3/job_posts": [{"id": 5, "title": "Post 5", "job_id": 77}],
            "/v3/jobs": [{"id": 77, "status": "closed", "department_id": 3}],
            "/v3/pay_input_ranges": lambda request: httpx.Response(403),
            "/v3/departments": [{"id": 3, "name": "Sales"}],
        }
    )
    job = await harvest(http=fake.client()).fetch_job("5")
    assert (job.status, job.department, job.compensation) == (JobStatus.CLOSED, "Sales", ())


async def test_the_job_list_is_needed_a_403_there_is_permission_denied() -> None:
    fake = HarvestFake(lists={"/v3/jobs": lambda request: httpx.Response(403)})
    with pytest.raises(PermissionDenied):
        await harvest(http=fake.client()).fetch_job("5")


async def test_harvest_answer_for_another_post_is_refused() -> None:
    fake = HarvestFake(lists={"/v3/job_posts": [{"id": 6, "title": "Other"}]})
    with pytest.raises(PayloadError, match="when asked for"):
        await harvest(http=fake.client()).fetch_job("5")


async def test_harvest_post_list_that_is_not_a_list_is_a_payload_error() -> None:
    fake = HarvestFake(lists={"/v3/job_posts": {"id": 5, "title": "Post 5"}})
    with pytest.raises(PayloadError, match="JSON array"):
        await harvest(http=fake.client()).fetch_job("5")


async def test_harvest_base_url_override_serves_the_token_and_the_api() -> None:
    fake = HarvestFake()
    gh = harvest({"base_url": "https://sandbox.example.com/gh/"}, fake.client())
    await gh.fetch_job("5")
    assert str(fake.token_requests[0].url) == "https://sandbox.example.com/gh/token"
    assert str(fake.api_requests[0].url) == "https://sandbox.example.com/gh/v3/job_posts?ids=5"


@pytest.mark.parametrize(
    ("post", "job", "expected"),
    [
        ({"live": True, "internal": False}, {"status": "open"}, ("open", "public")),
        ({"live": False, "internal": False}, {"status": "open"}, ("open", "unlisted")),
        ({"live": True, "internal": True}, {"status": "open"}, ("open", "internal")),
        ({"live": True}, {"status": "open", "confidential": True}, ("open", "confidential")),
        ({"live": True}, {"status": "closed"}, ("closed", "public")),
        ({"live": False}, {"status": "draft"}, ("draft", "unlisted")),
        ({"active": False, "live": True}, {"status": "open"}, ("archived", "public")),
        ({}, {"status": "on_hold"}, ("unknown", "unknown")),
    ],
)
def test_harvest_states_map_to_status_and_visibility(
    post: dict[str, Any], job: dict[str, Any], expected: tuple[str, str]
) -> None:
    from embloy_ats_greenhouse import harvest as mapping

    assert (mapping.status(post, job), mapping.visibility(post, job)) == expected


# -- settings and credentials ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        ({"client_id": "harvest-test-client"}, "client_secret"),
        ({"client_secret": "harvest-test-secret"}, "client_id"),
    ],
)
def test_one_harvest_credential_alone_is_refused_clearly(
    given: dict[str, str], missing: str
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        GreenhouseConnector({"board_token": "acme"}, given)
    message = str(caught.value)
    assert f"{missing} is missing" in message
    assert "together" in message
    assert "harvest-test" not in message
    assert "harvest-test" not in repr(caught.value)


def test_credentials_choose_the_way_in() -> None:
    public = GreenhouseConnector({"board_token": "acme"})
    assert public.base_url == "https://boards-api.greenhouse.io"
    assert public.rate_limit_policy() == GreenhouseConnector.rate_limit
    private = harvest()  # no board_token needed with Harvest credentials
    assert private.base_url == "https://harvest.greenhouse.io"
    policy = private.rate_limit_policy()
    assert (policy.requests, policy.per_seconds) == (50, 30.0)
    assert private.auth.kind is AuthKind.OAUTH2_CLIENT_CREDENTIALS
    shown = repr(private) + repr(private.auth) + repr(private.credentials)
    assert "harvest-test" not in shown
    # a blank credential is a mistake, refused: it never silently picks another way in
    with pytest.raises(ConfigurationError, match="client_id is empty"):
        GreenhouseConnector({"board_token": "acme"}, {"client_id": "", "client_secret": ""})
    with pytest.raises(ConfigurationError, match="client_secret is empty") as caught:
        GreenhouseConnector({}, {"client_id": "harvest-test-client", "client_secret": "  "})
    assert "harvest-test" not in str(caught.value)


def test_user_id_is_numeric_and_only_for_harvest() -> None:
    with pytest.raises(ConfigurationError, match="user_id"):
        harvest({"user_id": "admin"})
    with pytest.raises(ConfigurationError, match="user_id"):
        GreenhouseConnector({"board_token": "acme", "user_id": "4242"})
    with pytest.raises(ConfigurationError, match="board_token"):
        GreenhouseConnector({}, {})


# -- any JSON in any v3 list gives a Job or a PayloadError -------------------------------------

post_like = st.fixed_dictionaries(
    {"id": st.just(7) | st.just("7") | json_values},
    optional={
        key: json_values
        for key in (
            "title", "content", "internal_content", "internal", "live", "active", "location",
            "questions", "public_url", "first_published_at", "updated_at", "language",
            "demographic_question_set_id",
        )
    }
    | {"job_id": st.just(77) | json_values},
)  # fmt: skip
small_id = st.sampled_from([1, 2, 3, 77]) | json_values
listed = st.lists(
    st.fixed_dictionaries(
        {},
        optional={
            key: small_id if key.endswith("id") else json_values
            for key in (
                "id", "name", "location", "type", "office_id", "plain_text_location",
                "pay_input_id", "min_cents", "max_cents", "currency_type", "title", "priority",
                "sort_order", "active", "required", "answer_type", "demographic_question_id",
            )
        },
    ),
    max_size=3,
)  # fmt: skip
job_like = st.fixed_dictionaries(
    {"id": st.just(77)},
    optional={
        key: json_values
        for key in (
            "name", "status", "confidential", "custom_fields", "department_id", "office_ids",
            "closed_at", "updated_at", "requisition_id",
        )
    },
)  # fmt: skip
enrichment_paths = (
    "/v3/job_post_locations", "/v3/pay_input_ranges", "/v3/demographic_questions",
    "/v3/departments", "/v3/offices", "/v3/pay_inputs", "/v3/demographic_answer_options",
)  # fmt: skip
harvest_world = st.fixed_dictionaries(
    {
        "/v3/job_posts": st.lists(post_like, max_size=2) | json_values,
        "/v3/jobs": st.lists(job_like, max_size=2) | json_values,
    },
    optional={path: listed | json_values for path in enrichment_paths},
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world=harvest_world)
async def test_any_harvest_json_gives_a_job_or_a_payload_error(world: dict[str, Any]) -> None:
    bodies = {path: json.dumps(body).encode() for path, body in world.items()}

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/token":
            return httpx.Response(200, json={"access_token": "test-access-a"})
        return httpx.Response(200, content=bodies.get(request.url.path, b"[]"))

    http = HttpClient(transport=httpx.MockTransport(answer), timeouts=Timeouts(attempt=2.0))
    try:
        job = await harvest(http=http).fetch_job("7")
    except PayloadError:
        return
    except JobNotFound:
        posts = world["/v3/job_posts"]
        assert isinstance(posts, list)
        assert not [p for p in posts if isinstance(p, dict)]
        return
    assert job.external_id == "7"
    assert job.title


class TestGreenhouseHarvestConformance(ConnectorConformance):
    mode = "greenhouse"
    way_in = "Harvest API v3"
    settings: ClassVar[Mapping[str, str]] = {}
    credentials: ClassVar[Mapping[str, str]] = HARVEST_CREDENTIALS
    cassette_dir = CASSETTES / "greenhouse"
    known_job = ("123", "harvest_found_123.yaml")
    unknown_job = ("999999999", "harvest_not_found.yaml")
    bad_credentials = ("123", "harvest_bad_credentials.yaml")
    extra_malformed_ids = ("abc", "0123", "12.5", "-5")
