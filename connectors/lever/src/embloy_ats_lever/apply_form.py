"""Lever application questions (`GET /v1/postings/{id}/apply`, its `data` object) -> Questions.

The answer holds three blocks: `personalInformation` (Lever's standard fields: name, email,
resume...), `urls` (the links a candidate may give) and `customQuestions` (groups of form
fields the account built), plus `eeoQuestions` where the account collects US EEO data.

Question ids say where the answer goes back to when applying: a personal field by its
`name`, a link as `urls.<name>`, an EEO question as `eeo.<key>`, and a custom field as
`<group id>.<field id>` (or `<group id>.<position>` when the field carries no id); a group's
questions are all its fields, in order, since applying answers them by position.
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

# Lever form field types (its API docs, "Form Fields").
_FIELD_TYPES = {
    "text": QuestionType.SHORT_TEXT,
    "textarea": QuestionType.LONG_TEXT,
    "code": QuestionType.LONG_TEXT,
    "dropdown": QuestionType.SINGLE_CHOICE,
    "multiple-choice": QuestionType.SINGLE_CHOICE,
    "multiple-select": QuestionType.MULTIPLE_CHOICE,
    "yes-no": QuestionType.YES_NO,
    "date": QuestionType.DATE,
    "currency": QuestionType.NUMBER,
    "file-upload": QuestionType.FILE,
    "university": QuestionType.SHORT_TEXT,
}
# Lever's standard applicant fields whose meaning is finer than their `text` type.
_PERSONAL_FIELDS = {
    "email": QuestionType.EMAIL,
    "phone": QuestionType.PHONE,
    "currentLocation": QuestionType.LOCATION,
    "resume": QuestionType.FILE,
}


def questions(payload: dict[str, Any]) -> tuple[Question, ...]:
    """Standard fields first, then links, custom questions and EEO questions, in Lever's order."""
    found: dict[str, Question] = {}
    candidates = [
        *(_personal(item) for item in parsing.objects(payload.get("personalInformation"))),
        *(_link(item) for item in parsing.objects(payload.get("urls"))),
        *_custom(payload.get("customQuestions")),
        *_eeo(payload.get("eeoQuestions")),
    ]
    for question in candidates:
        if question is not None and question.id not in found:
            found[question.id] = question
    return tuple(found.values())


def _kind(source_type: str | None, options: tuple[QuestionOption, ...]) -> QuestionType:
    kind = _FIELD_TYPES.get((source_type or "").casefold(), QuestionType.UNKNOWN)
    labels = {option.label.casefold() for option in options}
    if kind is QuestionType.SINGLE_CHOICE and labels == {"yes", "no"}:
        return QuestionType.YES_NO
    return kind


def _options(value: Any) -> tuple[QuestionOption, ...]:
    """`options` [{text, optionId?}]: Lever answers with the option text where no id is given."""
    options: dict[str, QuestionOption] = {}
    for item in parsing.objects(value):
        label = parsing.text(item.get("text"))
        if label is None:
            continue
        option_id = parsing.text(item.get("optionId")) or label
        options.setdefault(option_id, QuestionOption(id=option_id, label=label))
    return tuple(options.values())


def _personal(item: dict[str, Any]) -> Question | None:
    name = parsing.text(item.get("name"))
    if name is None:
        return None
    source_type = parsing.text(item.get("type"))
    options = _options(item.get("options"))
    return Question(
        id=name,
        label=parsing.text(item.get("text")) or name,
        type=_PERSONAL_FIELDS.get(name) or _kind(source_type, options),
        required=parsing.flag(item.get("required")) or False,
        options=options,
        category=QuestionCategory.STANDARD,
        source_type=source_type,
    )


def _link(item: dict[str, Any]) -> Question | None:
    name = parsing.text(item.get("name"))
    if name is None:
        return None
    return Question(
        id=f"urls.{name}",
        label=parsing.text(item.get("text")) or name,
        type=QuestionType.LINK,
        required=parsing.flag(item.get("required")) or False,
        category=QuestionCategory.STANDARD,
        source_type=parsing.text(item.get("type")),
    )


def _custom(value: Any) -> list[Question]:
    found: list[Question] = []
    for group in parsing.objects(value):
        group_id = parsing.text(group.get("id"))
        if group_id is None:
            continue
        group_label = parsing.text(group.get("text"))
        for position, field in enumerate(parsing.objects(group.get("fields"))):
            field_id = parsing.text(field.get("id")) or str(position)
            # Every field is kept, labelled or not: applying sends a card's answers by
            # position, which is the order of its questions here.
            label = (
                parsing.text(field.get("text"))
                or group_label
                or parsing.text(field.get("prompt"))
                or f"Question {position + 1}"
            )
            source_type = parsing.text(field.get("type"))
            options = _options(field.get("options"))
            found.append(
                Question(
                    id=f"{group_id}.{field_id}",
                    label=label,
                    description=parsing.text(field.get("description")),
                    type=_kind(source_type, options),
                    required=parsing.flag(field.get("required")) or False,
                    options=options,
                    category=QuestionCategory.CUSTOM,
                    source_type=source_type,
                )
            )
    return found


def _eeo(value: Any) -> list[Question]:
    found: list[Question] = []
    for key, item in parsing.obj(value).items():
        name = parsing.text(key)
        if name is None or not isinstance(item, dict):
            continue
        source_type = parsing.text(item.get("type"))
        options = _options(item.get("options"))
        found.append(
            Question(
                id=f"eeo.{name}",
                label=parsing.text(item.get("text")) or parsing.text(item.get("prompt")) or name,
                description=parsing.text(item.get("description")),
                type=_kind(source_type, options),
                required=parsing.flag(item.get("required")) or False,
                options=options,
                category=QuestionCategory.EEO,
                source_type=source_type,
            )
        )
    return found
