"""Greenhouse Harvest API v3 answers -> Job fields.

v3 has no single-record GET: every object comes from a list endpoint filtered by id, and
parents do not embed their children. A job post (`/v3/job_posts`) names its job
(`/v3/jobs`); the job names its department and offices by id; pay ranges, extra locations
and demographic questions are lists of their own. `HarvestAnswers` holds them all; the
functions here read them tolerantly (shapes from Greenhouse's v3 OpenAPI schemas, see
cassettes/greenhouse/PROVENANCE.md) and never fetch anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from embloy_ats.contract import (
    NUMERIC_ID,
    Compensation,
    JobStatus,
    Question,
    QuestionCategory,
    QuestionOption,
    QuestionType,
    Visibility,
    geo,
    parsing,
    submitting,
    vocab,
)

from embloy_ats_greenhouse.job_board import (
    ATTACHMENT_TYPES,
    EMPLOYMENT_FIELD_NAMES,
    LINK_LABEL_WORDS,
    STANDARD_FIELDS,
    STANDARD_QUESTIONS,
    location,
    pay_range,
    workplace_from_places,
)

_ANSWER_TYPES = {
    "short_text": QuestionType.SHORT_TEXT,
    "long_text": QuestionType.LONG_TEXT,
    "boolean": QuestionType.YES_NO,
    "single_select": QuestionType.SINGLE_CHOICE,
    "multi_select": QuestionType.MULTIPLE_CHOICE,
    "attachment": QuestionType.FILE,
}
_DEMOGRAPHIC_TYPES = {
    "multi_value_single_select": QuestionType.SINGLE_CHOICE,
    "multi_value_multi_select": QuestionType.MULTIPLE_CHOICE,
}
#: the key Greenhouse gives its built-in employment type custom field.
_EMPLOYMENT_FIELD_KEY = "employment_type"


@dataclass(frozen=True)
class HarvestAnswers:
    """Everything fetched for one job post, each list already decoded (may be empty)."""

    post: dict[str, Any]
    job: dict[str, Any] = field(default_factory=dict)
    departments: list[dict[str, Any]] = field(default_factory=list)
    offices: list[dict[str, Any]] = field(default_factory=list)
    post_locations: list[dict[str, Any]] = field(default_factory=list)
    pay_ranges: list[dict[str, Any]] = field(default_factory=list)
    pay_inputs: list[dict[str, Any]] = field(default_factory=list)
    demographic_questions: list[dict[str, Any]] = field(default_factory=list)
    demographic_options: list[dict[str, Any]] = field(default_factory=list)


# -- ids that lead to the next requests (validated: they go into query strings) ---------------


def ref_id(value: Any) -> str | None:
    """A Greenhouse record id (a positive integer) as text, else None."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    text = str(value).strip()
    return text if text.isascii() and NUMERIC_ID.fullmatch(text) else None


def ref_ids(values: Any) -> list[str]:
    """Distinct valid ids, ascending (a stable query string)."""
    items = values if isinstance(values, list) else [values]
    found = {ident for ident in (ref_id(item) for item in items) if ident is not None}
    return sorted(found, key=int)


def office_ids(job: dict[str, Any], post_locations: list[dict[str, Any]]) -> list[str]:
    """The job's offices and the offices the post's locations name."""
    from_job = job.get("office_ids")
    values = list(from_job) if isinstance(from_job, list) else []
    return ref_ids(values + [item.get("office_id") for item in post_locations])


# -- the mapping -------------------------------------------------------------------------------


def job_fields(answers: HarvestAnswers) -> dict[str, Any]:
    """Everything but identity and bookkeeping, which the connector adds."""
    post, job = answers.post, answers.job
    places = _places(answers)
    custom = _custom_fields(job)
    internal = parsing.flag(post.get("internal")) is True
    content = parsing.text(post.get("internal_content")) if internal else None
    content = content or parsing.text(post.get("content")) or ""
    updated = [
        stamp
        for stamp in (
            parsing.timestamp(post.get("updated_at")),
            parsing.timestamp(job.get("updated_at")),
        )
        if stamp is not None
    ]
    return {
        "title": parsing.text(post.get("title")) or parsing.text(job.get("name")),
        "requisition_code": parsing.text(job.get("requisition_id")),
        "language": parsing.text(post.get("language")),
        "description_html": content,
        "status": status(post, job),
        "visibility": visibility(post, job),
        "employment_type": _employment(job),
        "workplace_type": workplace_from_places(places),
        "locations": tuple(location(place) for place in places),
        "department": _department(answers),
        "compensation": _compensation(answers),
        "posting_url": parsing.text(post.get("public_url")),
        "apply_url": parsing.text(post.get("public_url")),
        "posted_at": parsing.timestamp(post.get("first_published_at")),
        "updated_at": max(updated) if updated else None,
        # no `closes_at`: the job's `closed_at` is an internal event, not a stated deadline
        "questions": _questions(answers),
        "custom_fields": custom,
    }


def status(post: dict[str, Any], job: dict[str, Any]) -> JobStatus:
    """The job's `open`/`draft`/`closed`; a deleted post (`active: false`) is archived."""
    if parsing.flag(post.get("active")) is False:
        return JobStatus.ARCHIVED
    return JobStatus.parse(job.get("status"))


def visibility(post: dict[str, Any], job: dict[str, Any]) -> Visibility:
    """Most restrictive first: confidential job, internal post, post not live, live post."""
    if parsing.flag(job.get("confidential")) is True:
        return Visibility.CONFIDENTIAL
    if parsing.flag(post.get("internal")) is True:
        return Visibility.INTERNAL
    live = parsing.flag(post.get("live"))
    if live is None:
        return Visibility.UNKNOWN
    return Visibility.PUBLIC if live else Visibility.UNLISTED


def _places(answers: HarvestAnswers) -> list[str]:
    """Where the post says the job is; the job's offices only when the post says nothing."""
    offices = {ref_id(o.get("id")): o for o in answers.offices if ref_id(o.get("id"))}

    def office_text(ident: Any) -> str | None:
        office = offices.get(ref_id(ident), {})
        return parsing.text(office.get("location")) or parsing.text(office.get("name"))

    texts: list[str | None] = [parsing.text(parsing.obj(answers.post.get("location")).get("name"))]
    for item in answers.post_locations:
        if parsing.text(item.get("type")) == "office" and ref_id(item.get("office_id")):
            texts.append(office_text(item.get("office_id")))
        else:
            texts.append(parsing.text(item.get("plain_text_location")))
    if not any(texts):
        job_offices = answers.job.get("office_ids")
        texts = [office_text(i) for i in job_offices] if isinstance(job_offices, list) else []
    places: dict[str, str] = {}
    for text in texts:
        for place in geo.split_locations(text):
            places.setdefault(place.casefold(), place)
    return list(places.values())


def _department(answers: HarvestAnswers) -> str | None:
    wanted = ref_id(answers.job.get("department_id"))
    for department in answers.departments:
        if wanted is not None and ref_id(department.get("id")) == wanted:
            return parsing.text(department.get("name"))
    return None


def _compensation(answers: HarvestAnswers) -> tuple[Compensation, ...]:
    inputs = {ref_id(i.get("id")): i for i in answers.pay_inputs if ref_id(i.get("id"))}

    def order(item: dict[str, Any]) -> tuple[int, int]:
        pay_input = inputs.get(ref_id(item.get("pay_input_id")), {})
        priority = pay_input.get("priority")
        rank = priority if isinstance(priority, int) and not isinstance(priority, bool) else 0
        return rank, int(ref_id(item.get("id")) or 0)

    return tuple(
        pay_range({**item, "title": inputs.get(ref_id(item.get("pay_input_id")), {}).get("title")})
        for item in sorted(answers.pay_ranges, key=order)
    )


def _custom_fields(job: dict[str, Any]) -> dict[str, Any]:
    """`custom_fields` is keyed by field key, each `{name, type, value}`: by name, set ones."""
    fields: dict[str, Any] = {}
    for key, item in parsing.obj(job.get("custom_fields")).items():
        entry = parsing.obj(item)
        value = entry.get("value")
        if value is None or value in ("", [], {}):
            continue
        fields[parsing.text(entry.get("name")) or key] = value
    return fields


def _choice_text(value: Any) -> str | None:
    """A select field's value: a string, or an option object, or a list of either."""
    if isinstance(value, list):
        return next((t for t in (_choice_text(v) for v in value) if t), None)
    if isinstance(value, dict):
        return next(
            (t for t in (parsing.text(value.get(k)) for k in ("name", "label", "value")) if t),
            None,
        )
    return parsing.text(value)


def _employment(job: dict[str, Any]) -> Any:
    fields = parsing.obj(job.get("custom_fields"))
    candidates = [parsing.obj(fields.get(_EMPLOYMENT_FIELD_KEY))] + [
        entry
        for entry in (parsing.obj(item) for item in fields.values())
        if (parsing.text(entry.get("name")) or "").casefold() in EMPLOYMENT_FIELD_NAMES
    ]
    for entry in candidates:
        value = _choice_text(entry.get("value"))
        if value is not None:
            return vocab.employment_type(value)
    return None


# -- questions -----------------------------------------------------------------------------


def _questions(answers: HarvestAnswers) -> tuple[Question, ...]:
    found: dict[str, Question] = {}
    for item in parsing.objects(answers.post.get("questions")):
        question = _post_question(item)
        if question is not None:
            found.setdefault(question.id, question)
    options = _demographic_options(answers.demographic_options)
    for item in sorted(answers.demographic_questions, key=_sort_key):
        question = _demographic_question(item, options)
        if question is not None:
            found.setdefault(question.id, question)
    return submitting.with_standard_questions(tuple(found.values()), STANDARD_QUESTIONS)


def _sort_key(item: dict[str, Any]) -> tuple[int, int]:
    order = item.get("sort_order")
    rank = order if isinstance(order, int) and not isinstance(order, bool) else 0
    return rank, int(ref_id(item.get("id")) or 0)


def _post_question(item: dict[str, Any]) -> Question | None:
    source_type = parsing.text(item.get("answer_type")) or "unknown"
    if source_type == "hidden":
        return None
    ident = ref_id(item.get("id"))
    name = parsing.text(item.get("name")) or (f"question_{ident}" if ident else None)
    label = parsing.text(item.get("label"))
    if name is None or label is None:
        return None
    kind = _ANSWER_TYPES.get(source_type, QuestionType.UNKNOWN)
    if kind is QuestionType.SHORT_TEXT:
        kind = STANDARD_FIELDS.get(name, kind)
    options = _options(item.get("options"))
    if kind is QuestionType.SINGLE_CHOICE and {o.label.casefold() for o in options} == {
        "yes",
        "no",
    }:
        kind = QuestionType.YES_NO
    if kind is QuestionType.SHORT_TEXT and any(w in label.casefold() for w in LINK_LABEL_WORDS):
        kind = QuestionType.LINK
    return Question(
        id=name,
        label=label,
        description=parsing.text(item.get("description")),
        type=kind,
        required=parsing.flag(item.get("required")) or False,
        options=options,
        accepted_file_types=ATTACHMENT_TYPES if kind is QuestionType.FILE else (),
        category=QuestionCategory.CUSTOM
        if name.startswith("question_")
        else QuestionCategory.STANDARD,
        source_type=source_type,
    )


def _options(value: Any) -> tuple[QuestionOption, ...]:
    return tuple(
        QuestionOption(id=ident, label=label)
        for ident, label in (
            (parsing.text(o.get("id")), parsing.text(o.get("label")))
            for o in parsing.objects(value)
        )
        if ident is not None and label is not None
    )


def _demographic_options(items: list[dict[str, Any]]) -> dict[str, list[QuestionOption]]:
    by_question: dict[str, list[QuestionOption]] = {}
    for item in sorted(items, key=_sort_key):
        question, ident = ref_id(item.get("demographic_question_id")), ref_id(item.get("id"))
        label = parsing.text(item.get("name"))
        if parsing.flag(item.get("active")) is False or not (question and ident and label):
            continue
        by_question.setdefault(question, []).append(QuestionOption(id=ident, label=label))
    return by_question


def _demographic_question(
    item: dict[str, Any], options: dict[str, list[QuestionOption]]
) -> Question | None:
    ident = ref_id(item.get("id"))
    label = parsing.text(item.get("name"))
    if parsing.flag(item.get("active")) is False or ident is None or label is None:
        return None
    source_type = parsing.text(item.get("answer_type")) or "unknown"
    return Question(
        id=f"demographic_question_{ident}",
        label=label,
        type=_DEMOGRAPHIC_TYPES.get(source_type, QuestionType.UNKNOWN),
        required=parsing.flag(item.get("required")) or False,
        options=tuple(options.get(ident, ())),
        category=QuestionCategory.DEMOGRAPHIC,
        source_type=source_type,
    )
