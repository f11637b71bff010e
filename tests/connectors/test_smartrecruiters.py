"""SmartRecruiters connector: the public Posting API and, with a key, its screening
questions; mapped field by field from replayed cassettes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
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
    QuestionCategory,
    QuestionType,
    Visibility,
    WorkplaceType,
)
from embloy_ats.testing.conformance import ConnectorConformance
from embloy_ats_smartrecruiters import SmartrecruitersConnector, configuration, posting
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import CASSETTES, FakeAts

SR = CASSETTES / "smartrecruiters"
UBISOFT = "744000151103220"
HIREVUE = "744000138728139"
NORDWIND = "744000412345678"
UNKNOWN = "744000999999999"
KEY = {"api_key": "sr-stand-in-key"}


@pytest.fixture
def vcr_cassette_dir() -> str:
    return str(SR)


def public(company: str) -> SmartrecruitersConnector:
    return SmartrecruitersConnector({"company_identifier": company}, http=HttpClient())


def with_key(company: str = "NordwindLogistik") -> SmartrecruitersConnector:
    return SmartrecruitersConnector({"company_identifier": company}, KEY, http=HttpClient())


# -- public Posting API ---------------------------------------------------------------------------


@pytest.mark.vcr(f"found_{UBISOFT}.yaml")
async def test_ubisoft_posting_maps_every_field() -> None:
    job = await public("Ubisoft2").fetch_job(UBISOFT)
    assert job.slug == f"smartrecruiters__{UBISOFT}"
    assert job.title == "Expert Technical Artist - Shader (F/H/NB)", "spaces collapsed"
    assert (job.company, job.requisition_code, job.language) == ("Ubisoft", "REF31464G", "en")
    assert (job.status, job.visibility) == (JobStatus.OPEN, Visibility.PUBLIC)
    assert job.employment_type is EmploymentType.FULL_TIME
    assert job.workplace_type is WorkplaceType.ON_SITE
    assert [loc.model_dump() for loc in job.locations] == [
        {"raw": "Annecy, Auvergne-Rhône-Alpes, France", "street": None, "city": "Annecy",
         "region": "Auvergne-Rhône-Alpes", "postal_code": None, "country_code": "FR"},
    ]  # fmt: skip
    assert job.department == "Ubisoft"
    assert job.compensation == ()
    assert job.posted_at == datetime(2026, 9, 22, 17, 49, 45, 760000, tzinfo=UTC)
    assert job.posting_url == (
        "https://jobs.smartrecruiters.com/Ubisoft2/744000151103220-expert-technical-artist-shader-f-h-nb-"
    )
    assert job.apply_url == job.posting_url + "?oga=true"
    # four sections, each under its own heading; entities decoded once
    assert job.description_html.count("<h3>") == 4
    assert "&amp;nbsp;" not in job.description_html
    assert "\xa0" in job.description_text or "&#xa0;" not in job.description_html
    assert job.custom_fields["experience_level"] == "Mid-Senior Level"
    assert job.custom_fields["function"] == "Art/Creative"
    assert job.custom_fields["industry"] == "Entertainment"
    tenant = job.custom_fields["custom"]
    assert isinstance(tenant, dict)
    assert tenant["Contract"] == "Permanent"
    assert tenant["Organizational Unit"] == "Annecy studio"
    assert job.custom_fields["uuid"] == "1aed9c28-3432-4498-852d-7c1b26286fc8"
    assert "Anna" not in json.dumps(job.custom_fields), "the recruiter's name is not mapped"
    # without a key: the fields every SmartRecruiters application takes
    assert [(q.id, q.type, q.required) for q in job.questions] == [
        ("firstName", QuestionType.SHORT_TEXT, True),
        ("lastName", QuestionType.SHORT_TEXT, True),
        ("email", QuestionType.EMAIL, True),
        ("phoneNumber", QuestionType.PHONE, False),
        ("resume", QuestionType.FILE, False),
        ("attachments", QuestionType.FILE, False),
        ("messageToHiringManager", QuestionType.LONG_TEXT, False),
    ]
    assert list(job.raw) == [f"/v1/companies/Ubisoft2/postings/{UBISOFT}"]


@pytest.mark.vcr(f"found_{HIREVUE}.yaml")
async def test_remote_part_time_internship_with_department() -> None:
    job = await public("HireVue").fetch_job(HIREVUE)
    assert job.title == "Data Science Intern | Fully Remote US"
    assert job.employment_type is EmploymentType.PART_TIME
    assert job.workplace_type is WorkplaceType.REMOTE
    assert [(loc.city, loc.region, loc.country_code) for loc in job.locations] == [
        ("Sandy", "UT", "US")
    ]
    assert job.department == "Data Science"
    assert job.custom_fields["experience_level"] == "Internship"
    assert "custom" not in job.custom_fields  # no customField in this answer


@pytest.mark.vcr(f"not_found_{UNKNOWN}.yaml")
async def test_unknown_posting_is_job_not_found() -> None:
    with pytest.raises(JobNotFound) as caught:
        await public("Ubisoft2").fetch_job(UNKNOWN)
    assert "company_identifier" in (caught.value.hint or "")


# -- with a key: screening questions --------------------------------------------------------------


@pytest.mark.vcr(f"questions_found_{NORDWIND}.yaml")
async def test_with_a_key_the_screening_questions_and_consent_are_read() -> None:
    job = await with_key().fetch_job(NORDWIND)
    assert job.title == "Lagerlogistiker (m/w/d)"
    assert job.workplace_type is WorkplaceType.HYBRID
    assert [loc.model_dump() for loc in job.locations] == [
        {"raw": "Hamburg, Germany", "street": "Am Sandtorkai 1", "city": "Hamburg",
         "region": None, "postal_code": "20457", "country_code": "DE"},
    ]  # fmt: skip
    assert job.employment_type is EmploymentType.PART_TIME
    assert (job.language, job.department) == ("de", "Lager & Versand")
    assert "Zusätzliche Informationen" not in job.description_html, "empty section left out"
    questions = {q.id: q for q in job.questions}
    assert [q.id for q in job.questions][:7] == [
        "firstName", "lastName", "email", "phoneNumber", "resume", "attachments",
        "messageToHiringManager",
    ]  # fmt: skip
    screening = [q for q in job.questions if q.category is not QuestionCategory.STANDARD]
    assert [(q.id.split(".")[1], q.type, q.required, q.category) for q in screening] == [
        ("f1", QuestionType.SINGLE_CHOICE, True, QuestionCategory.CUSTOM),
        ("f2", QuestionType.MULTIPLE_CHOICE, False, QuestionCategory.CUSTOM),
        ("f3", QuestionType.SHORT_TEXT, False, QuestionCategory.CUSTOM),
        ("f4", QuestionType.YES_NO, False, QuestionCategory.CUSTOM),
        ("f5", QuestionType.SINGLE_CHOICE, True, QuestionCategory.CUSTOM),
        ("f6", QuestionType.LONG_TEXT, False, QuestionCategory.CUSTOM),
        ("gender", QuestionType.SINGLE_CHOICE, False, QuestionCategory.EEO),
    ]
    shifts = questions["6a1f0c2d9e8b7a6f5e4d3c22.f2"]
    assert [(o.id, o.label) for o in shifts.options] == [
        ("early", "Früh"),
        ("late", "Spät"),
        ("night", "Nacht"),
    ]
    assert "Dreischichtbetrieb" in (shifts.description or ""), "INFORMATION text kept"
    assert shifts.source_type == "MULTI_SELECT"
    consent = questions[configuration.CONSENT]
    assert (consent.type, consent.required) == (QuestionType.YES_NO, True)
    assert "https://www.nordwind-logistik.example/datenschutz" in (consent.description or "")
    assert job.questions[-1] is consent
    assert list(job.raw) == [
        f"/v1/companies/NordwindLogistik/postings/{NORDWIND}",
        "/postings/5b0f3c2e-8a41-4d7b-9e26-1c3a5f7d9b04/configuration",
    ]


async def test_the_key_goes_in_x_smarttoken_and_the_configuration_by_uuid() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/configuration"):
            return httpx.Response(200, json={"questions": []})
        return httpx.Response(
            200,
            json={"id": NORDWIND, "name": "Picker", "uuid": "5b0f3c2e-8a41-4d7b-9e26-1c3a5f7d9b04"},
        )

    ats = FakeAts(handle)
    connector = SmartrecruitersConnector({"company_identifier": "Nordwind"}, KEY, http=ats.client())
    job = await connector.fetch_job(NORDWIND)
    assert job.title == "Picker"
    assert [r.url.path for r in ats.requests] == [
        f"/v1/companies/Nordwind/postings/{NORDWIND}",
        "/postings/5b0f3c2e-8a41-4d7b-9e26-1c3a5f7d9b04/configuration",
    ]
    assert {r.headers.get("x-smarttoken") for r in ats.requests} == {"sr-stand-in-key"}


@pytest.mark.parametrize(
    "uuid", [None, "", "../../admin", "5B0F3C2E-8A41-4D7B-9E26-1C3A5F7D9B04x", 42]
)
async def test_a_posting_without_a_well_formed_uuid_is_a_payload_error(uuid: Any) -> None:
    answer = {"id": NORDWIND, "name": "P", "uuid": uuid}
    ats = FakeAts(lambda request: httpx.Response(200, json=answer))
    connector = SmartrecruitersConnector({"company_identifier": "N"}, KEY, http=ats.client())
    with pytest.raises(PayloadError):
        await connector.fetch_job(NORDWIND)
    assert len(ats.requests) == 1, "no request built from an unchecked uuid"


@pytest.mark.vcr(f"questions_bad_key_{NORDWIND}.yaml")
async def test_a_refused_key_is_authentication_failed() -> None:
    with pytest.raises(AuthenticationFailed) as caught:
        await with_key().fetch_job(NORDWIND)
    assert "sr-stand-in-key" not in str(caught.value)
    assert "X-SmartToken" in (caught.value.hint or "")


async def test_another_posting_in_the_answer_is_refused() -> None:
    ats = FakeAts(lambda request: httpx.Response(200, json={"id": UBISOFT, "name": "Other"}))
    connector = SmartrecruitersConnector({"company_identifier": "N"}, http=ats.client())
    with pytest.raises(PayloadError):
        await connector.fetch_job(NORDWIND)


# -- ids, settings, mapping helpers ---------------------------------------------------------------


@pytest.mark.parametrize(
    "job_id",
    ["74400015110322", "7440001511032201", "\uff17" * 15, "744000151103220?x=1", "abc",
     "744000151103220-slug"],
)  # fmt: skip
async def test_malformed_ids_never_reach_the_network(job_id: str) -> None:
    ats = FakeAts(lambda request: httpx.Response(200, json={}))
    connector = SmartrecruitersConnector({"company_identifier": "N"}, http=ats.client())
    with pytest.raises(InvalidJobId):
        await connector.fetch_job(job_id)
    assert ats.requests == []


@pytest.mark.parametrize("company", ["", "a/b", "..", "x?y=1"])
def test_company_identifier_is_one_path_segment(company: str) -> None:
    with pytest.raises(ConfigurationError):
        SmartrecruitersConnector({"company_identifier": company})


def test_the_key_chooses_the_way_in_with_questions() -> None:
    assert public("N").way_in.name == "public Posting API"  # type: ignore[union-attr]
    assert with_key("N").way_in.name == "Posting API with screening questions"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        ({"city": "Poland", "region": "Remote", "country": "pl", "remote": True,
          "fullLocation": "Poland, Remote, Poland"},
         {"raw": "Poland, Remote, Poland", "street": None, "city": None, "region": None,
          "postal_code": None, "country_code": "PL"}),
        ({"city": "Singapore", "country": "sg", "remote": False,
          "fullLocation": "Singapore, , Singapore"},
         {"raw": "Singapore, Singapore", "street": None, "city": "Singapore", "region": None,
          "postal_code": None, "country_code": "SG"}),
        ({"city": "Bursa", "region": "Nilüfer", "country": "tr", "address": "Siyah cadde"},
         {"raw": None, "street": "Siyah cadde", "city": "Bursa", "region": "Nilüfer",
          "postal_code": None, "country_code": "TR"}),
        ({"country": "zz"}, None),
        ({}, None),
    ],
)  # fmt: skip
def test_locations_drop_placeholders_and_read_lower_case_iso_codes(
    place: dict[str, Any], expected: dict[str, Any] | None
) -> None:
    found = [loc.model_dump() for loc in posting.location(place)]
    assert found == ([expected] if expected else [])


@pytest.mark.parametrize(
    ("place", "expected"),
    [({"remote": True, "hybrid": False}, WorkplaceType.REMOTE),
     ({"remote": False, "hybrid": True}, WorkplaceType.HYBRID),
     ({"remote": False, "hybrid": False}, WorkplaceType.ON_SITE),
     ({}, None)],
)  # fmt: skip
def test_workplace_from_the_location_flags(place: dict[str, Any], expected: Any) -> None:
    assert posting.workplace(place) is expected


@pytest.mark.parametrize(
    ("kind", "expected"),
    [({"id": "permanent", "label": "Full-time"}, EmploymentType.FULL_TIME),
     ({"id": "contract", "label": "Contract"}, EmploymentType.CONTRACT),
     ({"id": "intern", "label": "Intern"}, EmploymentType.INTERNSHIP),
     ({"id": "part-time", "label": "Part-time"}, EmploymentType.PART_TIME),
     ({}, None)],
)  # fmt: skip
def test_employment_types(kind: dict[str, Any], expected: Any) -> None:
    assert posting.employment(kind) is expected


def test_inactive_posting_is_closed() -> None:
    assert posting.status(False) is JobStatus.CLOSED
    assert posting.status(None) is JobStatus.UNKNOWN


def test_configuration_read_defensively() -> None:
    found = configuration.questions({
        "questions": [
            {"id": "q.1", "fields": [{"id": "f", "type": "INPUT_TEXT", "label": "dotted id"}]},
            {"id": "q2", "fields": [{"id": "f", "type": "FANCY", "label": "Unknown type"},
                                    {"type": "TEXTAREA", "label": "no id"},
                                    {"id": "f", "type": "TEXTAREA", "label": "duplicate"}]},
            "not an object",
        ],
        "privacyPolicies": [{"url": "javascript:alert(1)"}],
    })  # fmt: skip
    assert [(q.id, q.type) for q in found] == [("q2.f", QuestionType.UNKNOWN)]


# -- property tests -------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=10,
)
section = st.fixed_dictionaries({}, optional={"title": json_values, "text": json_values})
sr_posting = st.fixed_dictionaries(
    {"id": st.just(NORDWIND)},
    optional={
        "name": json_values | st.text(min_size=1, max_size=30),
        "uuid": json_values | st.uuids().map(str),
        "refNumber": json_values,
        "company": st.fixed_dictionaries({}, optional={"name": json_values}) | json_values,
        "location": st.fixed_dictionaries({}, optional={
            k: json_values | st.sampled_from(["de", "pl", "Remote", "Singapore", ""])
            for k in ("city", "region", "country", "address", "postalCode", "fullLocation")
        } | {"remote": json_values, "hybrid": json_values}) | json_values,
        "jobAd": st.fixed_dictionaries({"sections": st.dictionaries(
            st.sampled_from(posting.SECTIONS), section, max_size=4) | json_values}) | json_values,
        "typeOfEmployment": st.fixed_dictionaries({}, optional={"id": json_values,
                                                                "label": json_values}),
        "releasedDate": json_values | st.datetimes().map(lambda d: d.isoformat() + "Z"),
        "active": json_values, "visibility": json_values, "customField": json_values,
        "postingUrl": json_values, "applyUrl": json_values, "department": json_values,
    },
)  # fmt: skip
field = st.fixed_dictionaries(
    {},
    optional={"id": json_values | st.text(max_size=5), "label": json_values,
              "type": st.sampled_from([*configuration.FIELD_TYPES, "INFORMATION", "X"])
              | json_values,
              "required": json_values, "complianceType": json_values,
              "values": st.lists(st.fixed_dictionaries({}, optional={"id": json_values,
                                                                     "label": json_values}),
                                 max_size=3) | json_values},
)  # fmt: skip
sr_configuration = st.fixed_dictionaries(
    {},
    optional={
        "questions": st.lists(st.fixed_dictionaries({}, optional={
            "id": json_values | st.text(max_size=5), "label": json_values,
            "fields": st.lists(field, max_size=3) | json_values}), max_size=3) | json_values,
        "privacyPolicies": json_values,
    },
)  # fmt: skip


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=sr_posting | json_values)
async def test_any_public_json_gives_a_job_or_a_payload_error(body: object) -> None:
    content = json.dumps(body).encode()
    ats = FakeAts(lambda request: httpx.Response(200, content=content))
    connector = SmartrecruitersConnector({"company_identifier": "N"}, http=ats.client())
    try:
        job = await connector.fetch_job(NORDWIND)
    except PayloadError:
        return
    assert job.external_id == NORDWIND
    assert job.title


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(posting_body=sr_posting | json_values, config_body=sr_configuration | json_values)
async def test_any_json_with_a_key_gives_a_job_or_a_payload_error(
    posting_body: object, config_body: object
) -> None:
    bodies = {"posting": json.dumps(posting_body).encode(),
              "config": json.dumps(config_body).encode()}  # fmt: skip

    def handle(request: httpx.Request) -> httpx.Response:
        key = "config" if request.url.path.endswith("/configuration") else "posting"
        return httpx.Response(200, content=bodies[key])

    ats = FakeAts(handle)
    connector = SmartrecruitersConnector({"company_identifier": "N"}, KEY, http=ats.client())
    try:
        job = await connector.fetch_job(NORDWIND)
    except PayloadError:
        return
    assert job.title
    assert len({q.id for q in job.questions}) == len(job.questions)


# -- the conformance suite, once per way in -------------------------------------------------------


class TestSmartrecruitersPublicConformance(ConnectorConformance):
    mode = "smartrecruiters"
    way_in = "public Posting API"
    settings = {"company_identifier": "Ubisoft2"}
    cassette_dir = SR
    known_job = (UBISOFT, f"found_{UBISOFT}.yaml")
    unknown_job = (UNKNOWN, f"not_found_{UNKNOWN}.yaml")
    extra_malformed_ids = (
        "74400015110322", "744000151103220-expert", "1aed9c28-3432-4498-852d-7c1b26286fc8",
    )  # fmt: skip
    skip = {"bad_credentials": "the public Posting API takes no credentials"}


class TestSmartrecruitersQuestionsConformance(ConnectorConformance):
    mode = "smartrecruiters"
    way_in = "Posting API with screening questions"
    settings = {"company_identifier": "NordwindLogistik"}
    credentials = KEY
    cassette_dir = SR
    known_job = (NORDWIND, f"questions_found_{NORDWIND}.yaml")
    unknown_job = (UNKNOWN, f"questions_not_found_{UNKNOWN}.yaml")
    bad_credentials = (NORDWIND, f"questions_bad_key_{NORDWIND}.yaml")
    extra_malformed_ids = ("74400015110322",)


# -- verify ------------------------------------------------------------------------------------


@pytest.mark.parametrize("credentials", [{}, KEY])
async def test_verify_lists_one_posting_of_the_company(credentials: dict[str, str]) -> None:
    ats = FakeAts(lambda request: httpx.Response(200, json={"content": [], "totalFound": 0}))
    connector = SmartrecruitersConnector(
        {"company_identifier": "Ubisoft2"}, credentials, http=ats.client()
    )
    checked = await connector.verify()
    assert "/v1/companies/Ubisoft2/postings?limit=1" in checked
    [request] = ats.requests
    assert (request.method, request.url.path, request.url.query) == (
        "GET", "/v1/companies/Ubisoft2/postings", b"limit=1",
    )  # fmt: skip


async def test_verify_404_names_the_company_as_a_setup_problem() -> None:
    ats = FakeAts(lambda request: httpx.Response(404))
    connector = SmartrecruitersConnector({"company_identifier": "Ubisoft"}, http=ats.client())
    with pytest.raises(ConfigurationError) as caught:
        await connector.verify()
    assert "'Ubisoft'" in caught.value.message
