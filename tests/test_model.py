from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from embloy_ats import (
    Compensation,
    EmploymentType,
    Job,
    JobStatus,
    Location,
    Question,
    QuestionOption,
    QuestionType,
    Visibility,
    WorkplaceType,
    to_embloy,
    to_schema_org,
)
from embloy_ats.model import KEPT_JSON_DEPTH, KEPT_JSON_SIZE, PRUNED_DEEPER, PRUNED_LARGER
from pydantic import ValidationError

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def job(**fields: object) -> Job:
    base: dict[str, object] = {
        "connector": "greenhouse",
        "external_id": "123",
        "title": "Engineer",
        "fetched_at": NOW,
    }
    return Job.model_validate(base | fields)


def test_slug_follows_embloy_convention() -> None:
    assert job().slug == "greenhouse__123"


def test_a_wrong_slug_is_refused() -> None:
    with pytest.raises(ValidationError, match="slug must be"):
        job(slug="lever__123")


@pytest.mark.parametrize(
    ("dirty", "forbidden"),
    [
        ("<p>hi</p><script>alert(1)</script>", "<script"),
        ('<p onclick="steal()">hi</p>', "onclick"),
        ('<a href="javascript:alert(1)">x</a>', "javascript:"),
        ('<img src=x onerror="alert(1)">', "onerror"),
        ('<iframe src="https://evil.example"></iframe>', "<iframe"),
        ("<style>body{display:none}</style><p>x</p>", "<style"),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', "alert"),
    ],
)
def test_description_html_is_always_sanitised(dirty: str, forbidden: str) -> None:
    assert forbidden.lower() not in job(description_html=dirty).description_html.lower()


def test_sanitising_keeps_formatting_and_safe_links() -> None:
    html = '<h2>Role</h2><ul><li><strong>Ship</strong></li></ul><a href="https://x.example/a">a</a>'
    cleaned = job(description_html=html).description_html
    assert "<h2>Role</h2>" in cleaned
    assert "<li><strong>Ship</strong></li>" in cleaned
    assert 'href="https://x.example/a"' in cleaned
    assert 'rel="noopener noreferrer nofollow"' in cleaned


def test_description_text_is_derived_from_html() -> None:
    j = job(description_html="<p>One &amp; two</p><ul><li>a</li><li>b</li></ul>")
    assert j.description_text == "One & two\n\n- a\n\n- b"


def test_job_is_immutable() -> None:
    j = job()
    with pytest.raises(ValidationError):
        j.title = "other"  # type: ignore[misc]


def test_datetimes_must_carry_a_timezone() -> None:
    with pytest.raises(ValidationError):
        job(posted_at=datetime(2026, 1, 1, 12, 0))


@pytest.mark.parametrize("code", ["XX", "us", "USA", "U1"])
def test_country_codes_are_iso_alpha2(code: str) -> None:
    with pytest.raises(ValidationError):
        Location(country_code=code)
    with pytest.raises(ValidationError):
        job(applicant_location_requirements=(code,))


def test_currency_is_iso_4217_and_ranges_are_ordered() -> None:
    assert Compensation(currency="EUR", min_amount=Decimal(1)).currency == "EUR"
    with pytest.raises(ValidationError):
        Compensation(currency="EURO")
    with pytest.raises(ValidationError):
        Compensation(min_amount=Decimal(10), max_amount=Decimal(5))


def test_non_http_urls_are_refused() -> None:
    with pytest.raises(ValidationError):
        job(apply_url="javascript:alert(1)")
    assert job(apply_url=" https://x.example/apply ").apply_url == "https://x.example/apply"


ATS_TEXT = "zq7atstext"


@pytest.mark.parametrize(
    "build",
    [
        lambda: job(posting_url=f"javascript:{ATS_TEXT}"),
        lambda: job(apply_url=f"ftp://{ATS_TEXT}.example/"),
        lambda: job(applicant_location_requirements=(ATS_TEXT,)),
        lambda: job(external_id=ATS_TEXT, slug="greenhouse__1"),
        lambda: job(title=None, company=ATS_TEXT),
        lambda: Location(country_code=ATS_TEXT),
        lambda: Compensation(currency=ATS_TEXT),
        lambda: Question(id="q", label=ATS_TEXT, type=QuestionType.LINK, options=ATS_TEXT),
    ],
)
def test_a_refused_value_is_never_quoted(build: Any) -> None:
    """Values come from the ATS: a validation error names the field and the rule, never the
    value (it may be a candidate's data, or a secret the ATS echoed)."""
    with pytest.raises(ValidationError) as caught:
        build()
    assert ATS_TEXT not in str(caught.value)
    assert ATS_TEXT not in repr(caught.value)
    assert ATS_TEXT not in str(caught.value.errors(include_url=False, include_input=False))


def test_unknown_enum_values_fall_back() -> None:
    assert JobStatus.parse("Paused") is JobStatus.UNKNOWN
    assert JobStatus.parse("OPEN") is JobStatus.OPEN
    assert Visibility.parse(None) is Visibility.UNKNOWN
    assert EmploymentType.parse("zero-hours") is EmploymentType.OTHER
    assert EmploymentType.parse("Full-time") is EmploymentType.FULL_TIME
    assert QuestionType.parse("signature") is QuestionType.UNKNOWN


def test_question_ids_are_unique() -> None:
    q = Question(id="a", label="A", type=QuestionType.SHORT_TEXT)
    with pytest.raises(ValidationError, match="unique"):
        job(questions=(q, q))


def test_json_round_trip_is_lossless() -> None:
    j = job(
        compensation=(Compensation(min_amount=Decimal("50000.50"), currency="USD"),),
        locations=(Location(raw="Berlin, Germany", city="Berlin", country_code="DE"),),
        questions=(
            Question(
                id="q1",
                label="Pick",
                type=QuestionType.SINGLE_CHOICE,
                options=(QuestionOption(id="1", label="One"),),
            ),
        ),
        custom_fields={"level": "senior", "n": 3},
        raw={"/v1/x": {"a": [1, None, "é"]}},
    )
    assert Job.model_validate_json(j.model_dump_json()) == j


def test_to_embloy_maps_questions_and_listing() -> None:
    j = job(
        status=JobStatus.OPEN,
        visibility=Visibility.PUBLIC,
        description_html="<p>x</p>",
        locations=(Location(city="Berlin", postal_code="10115", country_code="DE"),),
        questions=(
            Question(id="cv", label="CV", type=QuestionType.FILE, required=True,
                     accepted_file_types=(".pdf",)),
            Question(id="why", label="Why?", type=QuestionType.LONG_TEXT),
            Question(id="yn", label="OK?", type=QuestionType.YES_NO,
                     options=(QuestionOption(id="1", label="Yes"),
                              QuestionOption(id="0", label="No"))),
            Question(id="pick", label="Pick", type=QuestionType.MULTIPLE_CHOICE,
                     options=(QuestionOption(id="a", label="A"),)),
        ),
    )  # fmt: skip
    e = to_embloy(j)
    assert e["job_slug"] == "greenhouse__123"
    assert e["job_status"] == "listed"
    assert (e["city"], e["postal_code"], e["country_code"]) == ("Berlin", "10115", "DE")
    assert [o["question_type"] for o in e["application_options_attributes"]] == [
        "file", "text", "yes_no", "multiple_choice",
    ]  # fmt: skip
    assert e["application_options_attributes"][0]["options"] == [".pdf"]
    assert e["application_options_attributes"][2]["options"] == []
    assert e["application_options_attributes"][3]["options"] == ["A"]
    assert to_embloy(job(status=JobStatus.CLOSED))["job_status"] == "unlisted"
    assert to_embloy(job(visibility=Visibility.INTERNAL))["job_status"] == "unlisted"


def test_to_schema_org_is_a_job_posting() -> None:
    j = job(
        company="Acme",
        posted_at=NOW,
        employment_type=EmploymentType.CONTRACT,
        workplace_type=WorkplaceType.REMOTE,
        applicant_location_requirements=("DE", "AT"),
        locations=(Location(city="Berlin", country_code="DE"),),
        compensation=(
            Compensation(min_amount=Decimal(60000), max_amount=Decimal(80000), currency="EUR",
                         interval="year"),
        ),
    )  # fmt: skip
    doc = to_schema_org(j)
    assert doc["@type"] == "JobPosting"
    assert doc["hiringOrganization"] == {"@type": "Organization", "name": "Acme"}
    assert doc["employmentType"] == "CONTRACTOR"
    assert doc["jobLocationType"] == "TELECOMMUTE"
    assert doc["jobLocation"][0]["address"]["addressCountry"] == "DE"
    assert doc["applicantLocationRequirements"][1] == {"@type": "Country", "name": "AT"}
    assert doc["baseSalary"]["value"] == {
        "@type": "QuantitativeValue", "minValue": 60000, "maxValue": 80000, "unitText": "YEAR",
    }  # fmt: skip
    assert doc["datePosted"] == "2026-11-28T12:00:00+00:00"


def nested(depth: int) -> Any:
    """JSON `depth` levels deep, objects and arrays in turn."""
    value: Any = "bottom"
    for level in range(depth):
        value = [value] if level % 2 else {"level": value}
    return value


def levels(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((levels(item) for item in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((levels(item) for item in value), default=0)
    return 0


@pytest.mark.parametrize("depth", range(199, 301))
@pytest.mark.parametrize("field", ["raw", "custom_fields"])
def test_deeply_nested_json_is_pruned_and_reads_back(field: str, depth: int) -> None:
    """pydantic writes at most 255 levels and reads back at most 200: every Job that can
    be built can be written and read back, deep JSON pruned to `KEPT_JSON_DEPTH`."""
    built = job(**{field: {"/jobs/1": nested(depth), "flat": "kept"}})
    kept = getattr(built, field)
    assert levels(kept["/jobs/1"]) == KEPT_JSON_DEPTH
    assert PRUNED_DEEPER in json.dumps(kept)
    assert kept["flat"] == "kept"
    again = Job.model_validate_json(built.model_dump_json())
    assert again == built


def test_json_within_the_bounds_is_kept_as_it_is() -> None:
    payload = {"jobs": [{"id": 1, "tags": ["a", "b"], "pay": None, "open": True}]}
    built = job(raw={"/jobs/1": payload, "/deep": nested(KEPT_JSON_DEPTH)})
    assert built.raw == {"/jobs/1": payload, "/deep": nested(KEPT_JSON_DEPTH)}


def test_json_over_the_size_kept_is_pruned_value_by_value() -> None:
    """Values are kept in order while they fit: the one that does not, and only it,
    becomes the marker."""
    half = "x" * (KEPT_JSON_SIZE // 2)
    built = job(raw={"/first": [half], "/second": {"text": half}, "/third": "small"})
    assert built.raw == {"/first": [half], "/second": PRUNED_LARGER, "/third": "small"}
    assert Job.model_validate_json(built.model_dump_json()) == built
    many = job(custom_fields={"list": list(range(KEPT_JSON_SIZE // 8))})
    assert many.custom_fields == {"list": PRUNED_LARGER}


def test_json_that_refers_to_itself_is_pruned_not_walked_forever() -> None:
    loop: list[Any] = []
    loop.append(loop)
    assert job(raw={"/loop": loop}).raw == {"/loop": PRUNED_LARGER}
