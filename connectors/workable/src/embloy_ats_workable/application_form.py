"""Workable's application form (`GET /spi/v3/jobs/{shortcode}/application_form`) -> Questions.

The form endpoint answers both halves of the form Workable's job editor defines:
`form_fields` (the standard candidate attributes switched on for the job, each with its
required flag) and `questions` (the job's custom questions). `/questions` only has the
second half, so the form is the complete one.

Name and email are not listed in `form_fields`: Workable always asks for them (its
candidate-create call requires `firstname`, `lastname` and `email`), so they lead the form.
"""

from __future__ import annotations

from typing import Any

from embloy_ats.contract import (
    Question,
    QuestionCategory,
    QuestionOption,
    QuestionType,
    parsing,
)

_ALWAYS_ASKED = (
    Question(
        id="firstname",
        label="First name",
        type=QuestionType.SHORT_TEXT,
        required=True,
        category=QuestionCategory.STANDARD,
        source_type="string",
    ),
    Question(
        id="lastname",
        label="Last name",
        type=QuestionType.SHORT_TEXT,
        required=True,
        category=QuestionCategory.STANDARD,
        source_type="string",
    ),
    Question(
        id="email",
        label="Email",
        type=QuestionType.EMAIL,
        required=True,
        category=QuestionCategory.STANDARD,
        source_type="string",
    ),
)

_FIELD_TYPES = {
    "string": QuestionType.SHORT_TEXT,
    "free_text": QuestionType.LONG_TEXT,
    "file": QuestionType.FILE,
    "boolean": QuestionType.YES_NO,
    "date": QuestionType.DATE,
}
# Standard string fields whose key says more than their type.
_FIELD_KEYS = {
    "email": QuestionType.EMAIL,
    "phone": QuestionType.PHONE,
    "address": QuestionType.LOCATION,
}
_QUESTION_TYPES = {
    "free_text": QuestionType.LONG_TEXT,
    "boolean": QuestionType.YES_NO,
    "numeric": QuestionType.NUMBER,
    "date": QuestionType.DATE,
    "file": QuestionType.FILE,
    "dropdown": QuestionType.SINGLE_CHOICE,
}


def questions(form: dict[str, Any]) -> tuple[Question, ...]:
    """The whole form in Workable's order: name and email, standard fields, custom questions."""
    found: dict[str, Question] = {question.id: question for question in _ALWAYS_ASKED}
    for field in parsing.objects(form.get("form_fields")):
        standard = _form_field(field)
        if standard is not None:
            found[standard.id] = standard  # an explicit definition wins over the implicit one
    for item in parsing.objects(form.get("questions")):
        custom = _question(item)
        if custom is not None and custom.id not in found:
            found[custom.id] = custom
    return tuple(found.values())


def _file_types(item: dict[str, Any]) -> tuple[str, ...]:
    """`["pdf", "docx"]` -> `(".pdf", ".docx")`, the way accepted types are written in a Job."""
    types = (t.casefold().lstrip(".") for t in parsing.texts(item.get("supported_file_types")))
    return tuple(dict.fromkeys(f".{t}" for t in types if t))


def _form_field(field: dict[str, Any]) -> Question | None:
    key = parsing.text(field.get("key"))
    label = parsing.text(field.get("label")) or key
    if key is None or label is None:
        return None
    source_type = parsing.text(field.get("type")) or "unknown"
    kind = _FIELD_TYPES.get(source_type, QuestionType.UNKNOWN)
    if kind is QuestionType.SHORT_TEXT:
        kind = _FIELD_KEYS.get(key, kind)
    return Question(
        id=key,
        label=label,
        description=_group_description(field) if source_type == "complex" else None,
        type=kind,
        required=parsing.flag(field.get("required")) or False,
        accepted_file_types=_file_types(field) if kind is QuestionType.FILE else (),
        category=QuestionCategory.STANDARD,
        source_type=source_type,
    )


def _group_description(field: dict[str, Any]) -> str | None:
    """A `complex` field (education, experience) is a group of sub-fields, maybe repeated.

    The Job model has no nested questions, so the group is one question whose description
    names its parts; the full definition stays in `raw`.
    """
    parts = []
    for sub in parsing.objects(field.get("fields")):
        label = parsing.text(sub.get("label")) or parsing.text(sub.get("key"))
        if label is not None:
            parts.append(f"{label} (required)" if parsing.flag(sub.get("required")) else label)
    if not parts:
        return None
    repeated = "one or more entries" if parsing.flag(field.get("multiple")) else "one entry"
    return f"{repeated} of: " + ", ".join(parts)


def _question(item: dict[str, Any]) -> Question | None:
    question_id = parsing.text(item.get("id"))
    label = parsing.text(item.get("body"))
    if question_id is None or label is None:
        return None
    source_type = parsing.text(item.get("type")) or "unknown"
    if source_type == "multiple_choice":
        single = parsing.flag(item.get("single_answer")) is True
        kind = QuestionType.SINGLE_CHOICE if single else QuestionType.MULTIPLE_CHOICE
    else:
        kind = _QUESTION_TYPES.get(source_type, QuestionType.UNKNOWN)
    options = tuple(
        QuestionOption(id=choice_id, label=text)
        for choice_id, text in (
            (parsing.text(c.get("id")), parsing.text(c.get("body")))
            for c in parsing.objects(item.get("choices"))
        )
        if choice_id is not None and text is not None
    )
    # Workable's help centre: custom questions are mandatory; answers that predate the
    # `required` flag (the 2015 reference example) leave it out.
    required = parsing.flag(item.get("required"))
    return Question(
        id=question_id,
        label=label,
        type=kind,
        required=True if required is None else required,
        options=options,
        accepted_file_types=_file_types(item) if kind is QuestionType.FILE else (),
        category=QuestionCategory.CUSTOM,
        source_type=source_type,
    )
