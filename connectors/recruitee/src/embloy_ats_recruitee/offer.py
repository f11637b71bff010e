"""A Recruitee offer (`{"offer": {...}}`, careers-site or ATS API) -> Job fields.

Pure functions over the decoded JSON. Both APIs describe an offer with the same core field
names (title, description, requirements, status, salary, locations, remote/hybrid/on_site,
open_questions, options_*), so one reader serves both; fields only one of them sends are
read where present. Shapes: cassettes/recruitee/PROVENANCE.md.
"""

from __future__ import annotations

import re
from typing import Any

from embloy_ats.contract import (
    NUMERIC_ID,
    Asked,
    Compensation,
    EmploymentType,
    JobStatus,
    JsonValue,
    Location,
    PayloadError,
    Question,
    QuestionCategory,
    QuestionOption,
    QuestionType,
    Visibility,
    WorkplaceType,
    geo,
    parsing,
    submitting,
    vocab,
)

from embloy_ats_recruitee.apply import STANDARD_QUESTIONS

# Recruitee's offer states: published on the careers site, on the internal one only, closed
# for applications, still a draft, or archived.
_STATES: dict[str, tuple[JobStatus, Visibility]] = {
    "published": (JobStatus.OPEN, Visibility.PUBLIC),
    "internal": (JobStatus.OPEN, Visibility.INTERNAL),
    "closed": (JobStatus.CLOSED, Visibility.UNKNOWN),
    "draft": (JobStatus.DRAFT, Visibility.UNKNOWN),
    "archived": (JobStatus.ARCHIVED, Visibility.UNKNOWN),
}
# `open_questions[].kind` -> our question types. `infobox` is text shown on the form, not
# a question; a `video` answer is an upload; a `legal` question is a consent, answered
# with a flag like a boolean one.
_KINDS = {
    "string": QuestionType.SHORT_TEXT,
    "text": QuestionType.LONG_TEXT,
    "boolean": QuestionType.YES_NO,
    "single_choice": QuestionType.SINGLE_CHOICE,
    "multi_choice": QuestionType.MULTIPLE_CHOICE,
    "file": QuestionType.FILE,
    "video": QuestionType.FILE,
    "date": QuestionType.DATE,
    "legal": QuestionType.YES_NO,
}
_NOT_QUESTIONS = frozenset({"infobox"})
# The form's standard fields, switched per offer with `options_<field>`: required/optional/off.
_STANDARD = (
    ("options_cv", "cv", "CV", QuestionType.FILE),
    ("options_cover_letter", "cover_letter", "Cover letter", QuestionType.LONG_TEXT),
    ("options_phone", "phone", "Phone", QuestionType.PHONE),
    ("options_photo", "photo", "Photo", QuestionType.FILE),
)
_LOCATION_QUESTION_TYPES = {
    "multiple_choice": QuestionType.MULTIPLE_CHOICE,
    "multi_choice": QuestionType.MULTIPLE_CHOICE,
    "single_choice": QuestionType.SINGLE_CHOICE,
}
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:[-_][A-Za-z]{2,4})?")
_UTC_SUFFIX = re.compile(r"\s*(?:UTC|GMT)\s*$", re.IGNORECASE)
# Offer fields kept as they are in `custom_fields` (when set): codes, hours, ids, counts.
_CUSTOM_KEYS = (
    "id", "slug", "guid", "kind", "status", "position", "employment_type_code",
    "employment_type", "category_code", "category", "experience_code", "experience",
    "education_code", "education", "min_hours", "max_hours", "min_hours_per_week",
    "max_hours_per_week", "number_of_openings", "tags", "offer_tags", "created_at",
    "closed_at", "options_cv", "options_cover_letter", "options_phone", "options_photo",
    "options_salutation", "options_title", "dynamic_fields",
)  # fmt: skip


def answered_offer(data: JsonValue, asked: Asked) -> dict[str, Any]:
    """The offer of `{"offer": {...}}`, which must be the one asked for: by its id, or by its
    slug when a slug was asked (the ATS API may leave the slug out)."""
    body = parsing.require_object(data, what="an offer answer")
    if "offer" not in body:
        what = "an error body" if "error" in body or "errors" in body else "no 'offer' object"
        raise PayloadError(f"answered {what} with a success status")
    found = parsing.require_object(body["offer"], what="an offer")
    parsing.require_text(found, "id", what="offer")
    if NUMERIC_ID.fullmatch(asked.job_id):
        parsing.require_id(found, "id", asked.job_id, what="offer")
    elif parsing.text(found.get("slug")) is not None:
        parsing.require_id(found, "slug", asked.job_id, what="offer")
    return found


def offer_fields(offer: dict[str, Any]) -> dict[str, Any]:
    """Everything but identity and bookkeeping, which the connector adds."""
    translation = _own_translation(offer)
    status_word = (parsing.text(offer.get("status")) or "").casefold()
    status, visibility = _STATES.get(status_word, (JobStatus.UNKNOWN, Visibility.UNKNOWN))
    locations = _locations(offer)
    return {
        "title": parsing.text(offer.get("title")) or parsing.text(translation[1].get("title")),
        "company": parsing.text(offer.get("company_name")),
        "language": translation[0],
        "description_html": _description(offer, translation[1]),
        "status": status,
        "visibility": visibility,
        "employment_type": _employment(offer),
        "workplace_type": _workplace(offer, locations),
        "locations": locations,
        "department": _department(offer.get("department")),
        "compensation": _salary(offer.get("salary")),
        "posting_url": parsing.text(offer.get("careers_url")) or parsing.text(offer.get("url")),
        "apply_url": parsing.text(offer.get("careers_apply_url")),
        "posted_at": timestamp(offer.get("published_at")),
        "updated_at": timestamp(offer.get("updated_at")),
        "closes_at": timestamp(offer.get("close_at")),
        # name and email lead: Recruitee asks them on every form, no offer lists them.
        "questions": submitting.with_standard_questions(questions(offer), STANDARD_QUESTIONS),
        "custom_fields": _custom_fields(offer),
    }


def timestamp(value: Any) -> Any:
    """Recruitee writes `2026-08-05 09:41:37 UTC`; ISO 8601 and epochs are read too."""
    if isinstance(value, str) and _UTC_SUFFIX.search(value):
        value = _UTC_SUFFIX.sub("", value) + "+00:00"
    return parsing.timestamp(value)


def _own_translation(offer: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """The offer's language: the translation whose title is the offer's own title."""
    translations = {
        key: parsing.obj(value)
        for key, value in parsing.obj(offer.get("translations")).items()
        if isinstance(key, str) and _LANGUAGE.fullmatch(key)
    }
    title = parsing.text(offer.get("title"))
    for key, value in translations.items():
        if title is not None and parsing.text(value.get("title")) == title:
            return key, value
    if len(translations) == 1:
        return next(iter(translations.items()))
    return None, {}


def _description(offer: dict[str, Any], translation: dict[str, Any]) -> str:
    """Highlight, description and requirements, in that order; Recruitee sends them as HTML."""
    parts = []
    for keys in (("highlight", "highlight_html"), ("description",), ("requirements",)):
        for key in keys:
            value = parsing.text(offer.get(key)) or parsing.text(translation.get(key))
            if value:
                parts.append(value)
                break
    return "\n".join(parts)


def _employment(offer: dict[str, Any]) -> EmploymentType | None:
    """`fulltime_permanent`, `parttime_fixed_term`...: the first word says the most."""
    code = parsing.text(offer.get("employment_type_code")) or parsing.text(
        offer.get("employment_type")
    )
    if code is None:
        return None
    words = code.replace("_", " ").replace("-", " ").split()
    if not words:
        return None
    first = vocab.employment_type(words[0])
    if first is not None and first is not EmploymentType.OTHER:
        return first
    return vocab.employment_type(" ".join(words))


def _workplace(offer: dict[str, Any], locations: tuple[Location, ...]) -> WorkplaceType | None:
    """The explicit flags win; only when none is set do the location names decide."""
    if parsing.flag(offer.get("hybrid")):
        return WorkplaceType.HYBRID
    if parsing.flag(offer.get("remote")):
        return WorkplaceType.REMOTE
    if parsing.flag(offer.get("on_site")):
        return WorkplaceType.ON_SITE
    names = [location.raw for location in locations if location.raw]
    kinds = {vocab.workplace_type(name) for name in names}
    if len(kinds) == 1 and None not in kinds:
        return kinds.pop()
    return None


def _locations(offer: dict[str, Any]) -> tuple[Location, ...]:
    found: list[Location] = []
    for item in parsing.objects(offer.get("locations")):
        location = _location(item, raw=parsing.text(item.get("name")))
        if location is not None and location not in found:
            found.append(location)
    if found:
        return tuple(found)
    # An offer without a `locations` list: its own top-level address fields.
    single = _location(offer, raw=parsing.text(offer.get("location")))
    return (single,) if single is not None else ()


def _location(item: dict[str, Any], *, raw: str | None) -> Location | None:
    code = geo.country_code(parsing.text(item.get("country_code"))) or geo.country_code(
        parsing.text(item.get("country"))
    )
    city = parsing.text(item.get("city"))
    region = (
        parsing.text(item.get("state"))
        or parsing.text(item.get("state_name"))
        or parsing.text(item.get("state_code"))
    )
    postal_code = parsing.text(item.get("postal_code"))
    street = parsing.text(item.get("street"))
    if not any((raw, city, region, postal_code, street, code)):
        return None
    return Location(
        raw=raw,
        street=street,
        city=city,
        region=region,
        postal_code=postal_code,
        country_code=code,
    )


def _department(value: Any) -> str | None:
    if isinstance(value, dict):
        return parsing.text(value.get("name"))
    return parsing.text(value)


def _salary(value: Any) -> tuple[Compensation, ...]:
    salary = parsing.obj(value)
    return parsing.salary(
        salary.get("min"),
        salary.get("max"),
        currency=salary.get("currency"),
        interval=vocab.pay_interval(salary.get("period")),
    )


def questions(offer: dict[str, Any]) -> tuple[Question, ...]:
    """The apply form: standard fields switched on, the location question, open questions."""
    found = {question.id: question for question in parsing.standard_questions(_STANDARD, offer)}
    location_question = _location_question(offer)
    if location_question is not None:
        found[location_question.id] = location_question
    ordered = sorted(
        enumerate(parsing.objects(offer.get("open_questions"))),
        key=lambda pair: (_position(pair[1].get("position")), pair[0]),
    )
    for _, item in ordered:
        question = _open_question(item)
        if question is not None and question.id not in found:
            found[question.id] = question
    return tuple(found.values())


def _position(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 1 << 30


def _location_question(offer: dict[str, Any]) -> Question | None:
    """Recruitee can ask which of the offer's locations the candidate prefers."""
    if parsing.flag(offer.get("location_question_visible")) is not True:
        return None
    label = parsing.text(offer.get("locations_question")) or "Preferred location"
    source_type = parsing.text(offer.get("locations_question_type")) or "unknown"
    options = tuple(
        QuestionOption(id=option_id, label=name)
        for option_id, name in (
            (parsing.text(item.get("id")), parsing.text(item.get("name")))
            for item in parsing.objects(offer.get("locations"))
        )
        if option_id is not None and name is not None
    )
    return Question(
        id="locations",
        label=label,
        type=_LOCATION_QUESTION_TYPES.get(source_type, QuestionType.UNKNOWN),
        required=parsing.flag(offer.get("locations_question_required")) or False,
        options=options,
        category=QuestionCategory.STANDARD,
        source_type=f"locations_question:{source_type}",
    )


def _open_question(item: dict[str, Any]) -> Question | None:
    question_id = parsing.text(item.get("id"))
    source_type = parsing.text(item.get("kind")) or "unknown"
    if question_id is None or source_type in _NOT_QUESTIONS:
        return None
    label = parsing.text(item.get("body")) or _translated_body(item.get("translations"))
    if label is None:
        return None
    options = tuple(
        QuestionOption(id=option_id, label=body)
        for option_id, body in (
            (parsing.text(option.get("id")), parsing.text(option.get("body")))
            for option in sorted(
                parsing.objects(item.get("open_question_options")),
                key=lambda option: _position(option.get("position")),
            )
        )
        if option_id is not None and body is not None
    )
    return Question(
        id=question_id,
        label=label,
        type=_KINDS.get(source_type, QuestionType.UNKNOWN),
        required=parsing.flag(item.get("required")) or False,
        options=options,
        category=QuestionCategory.CUSTOM,
        source_type=source_type,
    )


def _translated_body(value: Any) -> str | None:
    for translation in parsing.obj(value).values():
        body = parsing.text(parsing.obj(translation).get("body"))
        if body is not None:
            return body
    return None


def _custom_fields(offer: dict[str, Any]) -> dict[str, JsonValue]:
    fields: dict[str, JsonValue] = {}
    for key in _CUSTOM_KEYS:
        value = offer.get(key)
        if value is None or value == [] or value == {} or value == "":
            continue
        fields[key] = value
    # Free-text notes on the locations ("open to remote within the EU"): kept, not parsed.
    notes = [parsing.text(item.get("note")) for item in parsing.objects(offer.get("locations"))]
    if any(notes):
        fields["location_notes"] = list(dict.fromkeys(note for note in notes if note))
    return fields
