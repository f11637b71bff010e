"""Greenhouse Job Board API job (`GET /v1/boards/{board}/jobs/{id}?questions=true`) -> Job fields.

Shapes from Greenhouse's Job Board API docs ("Retrieve a job") and recorded answers; see
cassettes/greenhouse/PROVENANCE.md.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Any

from embloy_ats.contract import (
    Compensation,
    CompensationKind,
    JobStatus,
    Location,
    Question,
    QuestionCategory,
    QuestionOption,
    QuestionType,
    Visibility,
    WorkplaceType,
    geo,
    html,
    parsing,
    submitting,
    vocab,
)

# Greenhouse's documented attachment types for resume and cover letter uploads.
ATTACHMENT_TYPES = (".pdf", ".doc", ".docx", ".txt", ".rtf")
_FIELD_TYPES = {
    "input_text": QuestionType.SHORT_TEXT,
    "textarea": QuestionType.LONG_TEXT,
    "input_file": QuestionType.FILE,
    "multi_value_single_select": QuestionType.SINGLE_CHOICE,
    "multi_value_multi_select": QuestionType.MULTIPLE_CHOICE,
}
STANDARD_FIELDS = {
    "email": QuestionType.EMAIL,
    "phone": QuestionType.PHONE,
    "location": QuestionType.LOCATION,
}
LINK_LABEL_WORDS = ("linkedin", "website", "github", "portfolio", "url")
EMPLOYMENT_FIELD_NAMES = ("employment type", "time type", "job type")

#: the fields every Job Board application takes; first and last name and email are the
#: ones Greenhouse checks on every application.
STANDARD_QUESTIONS = (
    Question(id="first_name", label="First Name", type=QuestionType.SHORT_TEXT, required=True,
             category=QuestionCategory.STANDARD),
    Question(id="last_name", label="Last Name", type=QuestionType.SHORT_TEXT, required=True,
             category=QuestionCategory.STANDARD),
    Question(id="email", label="Email", type=QuestionType.EMAIL, required=True,
             category=QuestionCategory.STANDARD),
    Question(id="phone", label="Phone", type=QuestionType.PHONE,
             category=QuestionCategory.STANDARD),
    Question(id="resume", label="Resume", type=QuestionType.FILE,
             accepted_file_types=ATTACHMENT_TYPES, category=QuestionCategory.STANDARD),
    Question(id="cover_letter", label="Cover Letter", type=QuestionType.FILE,
             accepted_file_types=ATTACHMENT_TYPES, category=QuestionCategory.STANDARD),
)  # fmt: skip
#: consent questions are `data_compliance.<field>`; the field goes into that object.
CONSENT_PREFIX = "data_compliance."
#: a job's `data_compliance[]` flag -> the consent the application must then carry.
CONSENT_FIELDS = (
    ("requires_consent", "gdpr_consent_given", "Consent to the processing of my data (GDPR)"),
    ("requires_processing_consent", "gdpr_processing_consent_given",
     "Consent to the processing of my data for this application (GDPR)"),
    ("requires_retention_consent", "gdpr_retention_consent_given",
     "Consent to my data being kept for future openings (GDPR)"),
)  # fmt: skip
#: the question of each consent flag, built once (a question is immutable), as the
#: standard questions are: they are the same for every job that asks for them.
_CONSENTS = tuple(
    (flag, Question(id=CONSENT_PREFIX + field, label=label, type=QuestionType.YES_NO,
                    required=True, category=QuestionCategory.STANDARD, source_type=flag))
    for flag, field, label in CONSENT_FIELDS
)  # fmt: skip


def consent_questions(payload: dict[str, Any]) -> list[Question]:
    """The GDPR consents a job's `data_compliance[]` says an application must carry."""
    found: dict[str, Question] = {}
    for entry in parsing.objects(payload.get("data_compliance")):
        for flag, question in _CONSENTS:
            if parsing.flag(entry.get(flag)) is True:
                found.setdefault(question.id, question)
    return list(found.values())


def job_fields(payload: dict[str, Any]) -> dict[str, Any]:
    """Everything but identity and bookkeeping, which the connector adds."""
    raw_location = parsing.text(parsing.obj(payload.get("location")).get("name"))
    offices = [
        parsing.text(office.get("name")) for office in parsing.objects(payload.get("offices"))
    ]
    places = geo.split_locations(raw_location) or [name for name in offices if name]
    departments = [
        name
        for name in (
            parsing.text(d.get("name")) for d in parsing.objects(payload.get("departments"))
        )
        if name
    ]
    metadata = _metadata(payload.get("metadata"))
    content = parsing.text(payload.get("content")) or ""
    return {
        "title": parsing.text(payload.get("title")),
        "company": parsing.text(payload.get("company_name")),
        "requisition_code": parsing.text(payload.get("requisition_id")),
        "language": parsing.text(payload.get("language")),
        "description_html": html.decode_entities_once(content),
        # The Job Board API only serves published, public posts.
        "status": JobStatus.OPEN,
        "visibility": Visibility.PUBLIC,
        "employment_type": _employment(metadata),
        "workplace_type": workplace_from_places(places),
        "locations": tuple(location(place) for place in places),
        "department": departments[0] if departments else None,
        "compensation": tuple(
            pay_range(item) for item in parsing.objects(payload.get("pay_input_ranges"))
        ),
        "posting_url": parsing.text(payload.get("absolute_url")),
        "apply_url": parsing.text(payload.get("absolute_url")),
        "posted_at": parsing.timestamp(payload.get("first_published")),
        "updated_at": parsing.timestamp(payload.get("updated_at")),
        "closes_at": parsing.timestamp(payload.get("application_deadline")),
        "questions": _questions(payload),
        "custom_fields": metadata,
    }


def _metadata(value: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for item in parsing.objects(value):
        name = parsing.text(item.get("name"))
        if name is not None and item.get("value") is not None:
            fields[name] = item["value"]
    return fields


def _employment(metadata: dict[str, Any]) -> Any:
    for name, value in metadata.items():
        if name.casefold() in EMPLOYMENT_FIELD_NAMES:
            return vocab.employment_type(parsing.text(value))
    return None


def workplace_from_places(places: list[str]) -> WorkplaceType | None:
    kinds = {vocab.workplace_type(place) for place in places} - {None}
    if WorkplaceType.HYBRID in kinds:
        return WorkplaceType.HYBRID
    if kinds == {WorkplaceType.REMOTE}:
        return WorkplaceType.REMOTE
    return None


def location(raw: str) -> Location:
    return _place(raw) if len(raw) <= _KEPT_PLACE_CHARS else _place.__wrapped__(raw)


#: the longest place name whose Location `_place` keeps.
_KEPT_PLACE_CHARS = 256


@lru_cache(maxsize=1024)
def _place(raw: str) -> Location:
    """The Location a place's name makes. A board names the same places on many jobs, and
    a Location is immutable: each is made once (at most 1024 of them), from the name alone."""
    parsed = geo.parse_location(raw)
    return Location(
        raw=raw, city=parsed.city, region=parsed.region, country_code=parsed.country_code
    )


def pay_range(item: dict[str, Any]) -> Compensation:
    def amount(key: str) -> Decimal | None:
        cents = parsing.decimal(item.get(key))
        return None if cents is None else cents / 100

    low, high = parsing.amount_range(amount("min_cents"), amount("max_cents"))
    return Compensation(
        kind=CompensationKind.SALARY,
        min_amount=low,
        max_amount=high,
        currency=geo.currency_code(parsing.text(item.get("currency_type"))),
        raw=parsing.text(item.get("title")),
    )


def _questions(payload: dict[str, Any]) -> tuple[Question, ...]:
    found: dict[str, Question] = {}
    for group in parsing.objects(payload.get("location_questions")) + parsing.objects(
        payload.get("questions")
    ):
        question = _question(group)
        if question is not None and question.id not in found:
            found[question.id] = question
    for question in consent_questions(payload):
        found.setdefault(question.id, question)
    return submitting.with_standard_questions(tuple(found.values()), STANDARD_QUESTIONS)


def _question(group: dict[str, Any]) -> Question | None:
    fields = [f for f in parsing.objects(group.get("fields")) if f.get("type") != "input_hidden"]
    if not fields:
        return None
    field = fields[0]  # "Resume" offers a file or a pasted text: the file is the question
    name = parsing.text(field.get("name"))
    label = parsing.text(group.get("label"))
    if name is None or label is None:
        return None
    options = tuple(
        (value, text)
        for value, text in (
            (parsing.text(v.get("value")), parsing.text(v.get("label")))
            for v in parsing.objects(field.get("values"))
        )
        if value is not None and text is not None
    )
    description = parsing.text(group.get("description"))
    asked = (
        name,
        label,
        description,
        parsing.text(field.get("type")) or "unknown",
        parsing.flag(group.get("required")) or False,
        options,
    )
    size = len(label) + len(description or "") + sum(len(v) + len(t) for v, t in options)
    return _made(*asked) if size <= _KEPT_QUESTION_CHARS else _made.__wrapped__(*asked)


#: the text of a question `_made` keeps (its label, description and options, in characters)
_KEPT_QUESTION_CHARS = 4096


@lru_cache(maxsize=1024)
def _made(
    name: str,
    label: str,
    description: str | None,
    source_type: str,
    required: bool,
    options: tuple[tuple[str, str], ...],
) -> Question:
    """The question these parts make. A board asks the same questions of every job, and a
    question is immutable: each distinct one is built once (at most 1024 of at most
    `_KEPT_QUESTION_CHARS`), and is what its parts alone make, whoever's job asked it."""
    kind = STANDARD_FIELDS.get(name) or _FIELD_TYPES.get(source_type, QuestionType.UNKNOWN)
    if kind is QuestionType.SINGLE_CHOICE and {text.casefold() for _, text in options} == {
        "yes",
        "no",
    }:
        kind = QuestionType.YES_NO
    if kind is QuestionType.SHORT_TEXT and any(w in label.casefold() for w in LINK_LABEL_WORDS):
        kind = QuestionType.LINK
    return Question(
        id=name,
        label=label,
        description=html.decode_entities_once(description) if description else None,
        type=kind,
        required=required,
        options=tuple(QuestionOption(id=value, label=text) for value, text in options),
        accepted_file_types=ATTACHMENT_TYPES if kind is QuestionType.FILE else (),
        category=QuestionCategory.CUSTOM
        if name.startswith("question_")
        else QuestionCategory.STANDARD,
        source_type=source_type,
    )
