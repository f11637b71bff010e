"""Personio connector: the career-site XML feed, one position picked and mapped field by field.

The cassettes are feeds of our own in the two shapes we hold (Personio's docs example and a
recorded feed): see cassettes/personio/PROVENANCE.md.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from embloy_ats import (
    ConfigurationError,
    EmbloyAtsError,
    EmploymentType,
    HttpClient,
    Job,
    JobNotFound,
    JobStatus,
    PayloadError,
    QuestionType,
    Visibility,
    WorkplaceType,
)
from embloy_ats.testing.conformance import ConnectorConformance
from embloy_ats_personio import PersonioConnector
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import CASSETTES, FakeAts

PERSONIO = CASSETTES / "personio"
KNOWN_JOB_ID = "2604417"
UNKNOWN_JOB_ID = "9999999"
FEED = {"company": "nordlicht"}


class TestPersonioConformance(ConnectorConformance):
    mode = "personio"
    way_in = "career-site XML feed"
    settings = FEED
    cassette_dir = PERSONIO
    known_job = (KNOWN_JOB_ID, f"found_feed_shape_{KNOWN_JOB_ID}.yaml")
    unknown_job = (UNKNOWN_JOB_ID, f"not_found_{UNKNOWN_JOB_ID}.yaml")
    extra_malformed_ids = ("2604417a", "-1", "1e5", "0x1F")
    verify_success_body = b'<?xml version="1.0" encoding="UTF-8"?><workzag-jobs></workzag-jobs>'
    skip = {
        "bad_credentials": "the XML feed is public; the credentials only submit applications",
    }


@pytest.fixture
def vcr_cassette_dir() -> str:
    return str(PERSONIO)


def feed(**settings: str) -> PersonioConnector:
    return PersonioConnector({**FEED, **settings}, http=HttpClient())


def serving(body: bytes, status: int = 200) -> FakeAts:
    return FakeAts(lambda request: httpx.Response(status, content=body))


def position_xml(**fields: str) -> bytes:
    inner = "".join(f"<{key}>{value}</{key}>" for key, value in fields.items())
    return f"<workzag-jobs><position>{inner}</position></workzag-jobs>".encode()


@pytest.mark.vcr(f"found_feed_shape_{KNOWN_JOB_ID}.yaml")
async def test_a_feed_position_maps_every_field() -> None:
    job = await feed().fetch_job(KNOWN_JOB_ID)
    assert (job.external_id, job.slug) == (KNOWN_JOB_ID, f"personio__{KNOWN_JOB_ID}")
    assert job.title == "Senior Backend Engineer (m/w/d)"
    assert (job.company, job.department, job.team) == (
        "Nordlicht Software GmbH", "Engineering - Platform", "Tech Roles",
    )  # fmt: skip
    assert (job.language, job.status, job.visibility) == ("de", JobStatus.OPEN, Visibility.PUBLIC)
    assert job.employment_type is EmploymentType.FULL_TIME  # permanent, full-time
    assert job.workplace_type is None  # offices only: unsaid
    assert [(loc.raw, loc.city, loc.country_code) for loc in job.locations] == [
        ("Köln", "Köln", None), ("Leipzig", "Leipzig", None),
    ]  # fmt: skip
    assert job.posted_at == datetime(2026, 10, 14, 7, 30, tzinfo=UTC)
    assert job.posting_url == f"https://nordlicht.jobs.personio.de/job/{KNOWN_JOB_ID}"
    assert job.apply_url is None
    assert job.compensation == ()
    assert job.closes_at is None
    text = job.description_text
    assert text.index("Wer wir sind") < text.index("Deine Aufgaben") < text.index("Das bringst")
    assert "<h3>Wer wir sind</h3>" in job.description_html
    assert "style=" not in job.description_html
    assert "verteilten Systemen & Datenbanken" in text  # the CDATA's entity, decoded once
    assert job.custom_fields == {
        "id": KNOWN_JOB_ID, "subcompany": "Nordlicht Software GmbH",
        "recruitingCategory": "Tech Roles", "employmentType": "permanent",
        "seniority": "experienced", "schedule": "full-time", "yearsOfExperience": "5-7",
        "occupation": "software_and_web_development", "occupationCategory": "it_and_software",
    }  # fmt: skip
    assert [(q.id, q.type, q.required) for q in job.questions] == [
        ("first_name", QuestionType.SHORT_TEXT, True),
        ("last_name", QuestionType.SHORT_TEXT, True),
        ("email", QuestionType.EMAIL, True),
        ("phone", QuestionType.PHONE, False),
        ("cv", QuestionType.FILE, False),
        ("cover-letter", QuestionType.FILE, False),
        ("message", QuestionType.LONG_TEXT, False),
        ("available_from", QuestionType.DATE, False),
        ("salary_expectations", QuestionType.SHORT_TEXT, False),
    ]


@pytest.mark.vcr(f"found_feed_shape_{KNOWN_JOB_ID}.yaml")
async def test_the_job_keeps_its_own_position_and_none_of_the_others() -> None:
    job = await feed().fetch_job(KNOWN_JOB_ID)
    ((path, kept),) = job.raw.items()
    assert path == "/xml?language=de"
    assert kept["id"] == KNOWN_JOB_ID
    assert kept["additionalOffices"] == ["Leipzig"]
    kept_text = str(job.model_dump())
    for other in ("2598101", "1187420", "2611003", "Werkstudent", "Wien"):
        assert other not in kept_text


@pytest.mark.vcr(f"found_feed_shape_{KNOWN_JOB_ID}.yaml")
async def test_a_remote_office_is_remote_work_and_intern_an_internship() -> None:
    job = await feed().fetch_job("2598101")
    assert job.workplace_type is WorkplaceType.REMOTE
    assert job.locations == ()
    assert job.employment_type is EmploymentType.INTERNSHIP
    assert job.department == "People & Culture"  # an XML entity, decoded once


@pytest.mark.vcr(f"found_feed_shape_{KNOWN_JOB_ID}.yaml")
async def test_freelance_is_contract_work_and_a_missing_field_is_left_out() -> None:
    job = await feed().fetch_job("1187420")
    assert job.employment_type is EmploymentType.CONTRACT
    assert job.company == "Nordlicht Austria GmbH"
    assert "yearsOfExperience" not in job.custom_fields
    assert [loc.city for loc in job.locations] == ["Wien"]


@pytest.mark.vcr("found_docs_shape_7301.yaml")
async def test_the_docs_shape_on_the_com_domain() -> None:
    """No XML prolog, indented CDATA, an offset without a colon, keywords, part-time."""
    job = await PersonioConnector(
        {"company": "teamhafen", "domain": "com"}, http=HttpClient()
    ).fetch_job("7301")
    assert job.title == "Teamassistenz Office & Empfang (m/w/d)"
    assert job.posted_at == datetime(2026, 3, 2, 9, 15, tzinfo=timezone(timedelta(hours=1)))
    assert job.employment_type is EmploymentType.PART_TIME  # permanent, part-time
    assert job.posting_url == "https://teamhafen.jobs.personio.com/job/7301"
    assert [loc.city for loc in job.locations] == ["Hamburg"]
    assert job.company is None  # no subcompany
    assert job.custom_fields["keywords"] == ["assistenz", "organisation", "empfang", "Teilzeit"]
    html = job.description_html
    assert "<script" not in html
    assert "alert(1)" not in html
    assert "Empfang &amp; Post" in html  # the CDATA's `&amp;` stays one HTML entity
    assert "Empfang & Post" in job.description_text
    assert "<h3>Dein Profil &amp; was du mitbringst</h3>" in html  # the name escaped once
    assert '<a href="https://example.com/lieferanten"' in html


@pytest.mark.vcr(f"not_found_{UNKNOWN_JOB_ID}.yaml")
async def test_an_id_absent_from_the_feed_is_not_found() -> None:
    with pytest.raises(JobNotFound) as caught:
        await feed().fetch_job(UNKNOWN_JOB_ID)
    assert (caught.value.connector, caught.value.job_id) == ("personio", UNKNOWN_JOB_ID)
    assert caught.value.status_code == 200


async def test_the_language_and_domain_settings_choose_the_feed() -> None:
    ats = serving(position_xml(id="12", name="Engineer"))
    connector = PersonioConnector(
        {"company": "acme", "domain": "com", "language": "en"}, http=ats.client()
    )
    job = await connector.fetch_job("12")
    (request,) = ats.requests
    assert str(request.url) == "https://acme.jobs.personio.com/xml?language=en"
    assert job.language == "en"


async def test_an_html_page_instead_of_a_feed_is_a_setup_problem() -> None:
    page = b"<!DOCTYPE html><html><head><title>Personio</title></head><body></body></html>"
    connector = PersonioConnector(FEED, http=serving(page).client())
    with pytest.raises(ConfigurationError) as caught:
        await connector.fetch_job("12")
    assert "HTML page" in caught.value.message
    with pytest.raises(ConfigurationError):
        await connector.verify()


async def test_verify_reads_the_feed() -> None:
    ats = serving(b"<?xml version='1.0'?><workzag-jobs></workzag-jobs>")
    said = await PersonioConnector(FEED, http=ats.client()).verify()
    assert "GET https://nordlicht.jobs.personio.de/xml?language=de answered" in said


@pytest.mark.parametrize(
    "body",
    [
        # billion laughs
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b"<workzag-jobs><position><id>12</id><name>&b;</name></position></workzag-jobs>",
        # an external entity
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b"<workzag-jobs><position><id>12</id><name>&e;</name></position></workzag-jobs>",
        b"<workzag-jobs><position><id>12</id><name>cut",  # truncated
        b"<rss><position><id>12</id><name>x</name></position></rss>",  # not a feed
        b"<workzag-jobs><position><id>12</id><name>"
        + b"<a>" * 40
        + b"x"
        + b"</a>" * 40
        + b"</name></position></workzag-jobs>",  # nested too deep
    ],
    ids=["entity-expansion", "external-entity", "truncated", "another-root", "too-deep"],
)
async def test_hostile_or_broken_xml_is_a_payload_error(body: bytes) -> None:
    connector = PersonioConnector(FEED, http=serving(body).client())
    with pytest.raises(PayloadError) as caught:
        await connector.fetch_job("12")
    assert "passwd" not in str(caught.value)
    assert "aaaa" not in str(caught.value)


async def test_a_feed_over_the_size_cap_is_refused() -> None:
    cap = PersonioConnector.max_body_bytes
    assert cap is not None
    big = position_xml(id="12", name="x" * 64) + b" " * cap
    connector = PersonioConnector(FEED, http=serving(big).client())
    with pytest.raises(PayloadError, match="more than"):
        await connector.fetch_job("12")


def test_submit_credentials_go_together_and_need_a_company_id() -> None:
    with pytest.raises(ConfigurationError, match="go together"):
        PersonioConnector(FEED, {"client_id": "id-only"})
    with pytest.raises(ConfigurationError, match="company_id"):
        PersonioConnector(FEED, {"client_id": "a", "client_secret": "b"})
    connector = PersonioConnector(
        {**FEED, "company_id": "4711"}, {"client_id": "a", "client_secret": "b"}
    )
    assert connector.way_in is not None
    assert connector.way_in.name == "career-site XML feed"


def test_settings_refuse_another_domain_or_language() -> None:
    with pytest.raises(ConfigurationError):
        PersonioConnector({**FEED, "domain": "evil.example"})
    with pytest.raises(ConfigurationError):
        PersonioConnector({**FEED, "language": "xx"})
    with pytest.raises(ConfigurationError):
        PersonioConnector({"company": "a.b"})


_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(["id", "name", "office", "employmentType", "schedule",
                              "createdAt", "keywords", "department"]), max_size=8),
    st.lists(_TEXT, min_size=8, max_size=8),
    st.binary(max_size=60),
)  # fmt: skip
async def test_any_feed_gives_a_job_or_a_typed_error(
    tags: list[str], values: list[str], noise: bytes
) -> None:
    from xml.sax.saxutils import escape

    pairs = zip(tags, values, strict=False)
    inner = "".join(f"<{tag}>{escape(value)}</{tag}>" for tag, value in pairs)
    for body in (
        f"<workzag-jobs><position><id>12</id>{inner}</position></workzag-jobs>".encode(),
        noise,
        b"<workzag-jobs><position>" + noise + b"</position></workzag-jobs>",
    ):
        connector = PersonioConnector(FEED, http=serving(body).client())
        outcome: Job | EmbloyAtsError
        try:
            outcome = await connector.fetch_job("12")
        except EmbloyAtsError as exc:
            outcome = exc
        if isinstance(outcome, EmbloyAtsError):
            assert outcome.connector == "personio"
            shown = [value for value in values if len(value) > 3 and value in outcome.message]
            assert not shown, "feed text in an error message"
        else:
            assert outcome.title
            assert outcome.external_id == "12"


def test_cassettes_exist() -> None:
    assert sorted(p.name for p in Path(PERSONIO).glob("*.yaml")) == [
        "found_docs_shape_7301.yaml",
        f"found_feed_shape_{KNOWN_JOB_ID}.yaml",
        f"not_found_{UNKNOWN_JOB_ID}.yaml",
    ]
