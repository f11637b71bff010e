"""Greenhouse Job Board connector: real recorded answers, mapped field by field."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
from embloy_ats import (
    ConfigurationError,
    HttpClient,
    InvalidJobId,
    JobNotFound,
    JobStatus,
    PayloadError,
    QuestionCategory,
    QuestionType,
    Visibility,
)
from embloy_ats.testing.conformance import ConnectorConformance
from embloy_ats_greenhouse import GreenhouseConnector
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
    assert job.questions == ()
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
    assert list(by_id) == ["location", "first_name", "resume", "question_2222"]
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
    embloy = job.to_embloy()
    assert embloy["application_options_attributes"][2]["question_type"] == "text"
    assert embloy["city"] == "New York"


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
    settings = {"board_token": "gongio"}
    cassette_dir = CASSETTES / "greenhouse"
    known_job = ("4679941006", "found_gongio_4679941006.yaml")
    unknown_job = ("999999999", "not_found.yaml")
    extra_malformed_ids = ("abc", "0123", "12.5", "-5")
    skip = {"bad_credentials": "the Job Board API is public and takes no credentials"}
