"""BambooHR's application form (`result.formFields` of the careers detail) -> Questions.

No recording of the form is in our corpus: its shape is from third-party copies (see
docs/connectors/bamboohr.md). Each standard field is `{isRequired, value, label?,
options?}` under its own key (`firstName`, `email`, `resumeFileId`, ...), present when the
form asks for it; `customQuestions` is a list of `{id, isRequired, question, type, options,
hasOther}`. Everything is read tolerantly: an odd entry is skipped, never a crash.
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

# The standard fields, in the order the careers page shows them: key, label, type, category.
STANDARD_FIELDS = (
    ("firstName", "First name", QuestionType.SHORT_TEXT, QuestionCategory.STANDARD),
    ("lastName", "Last name", QuestionType.SHORT_TEXT, QuestionCategory.STANDARD),
    ("email", "Email", QuestionType.EMAIL, QuestionCategory.STANDARD),
    ("phone", "Phone", QuestionType.PHONE, QuestionCategory.STANDARD),
    ("resumeFileId", "Resume", QuestionType.FILE, QuestionCategory.STANDARD),
    ("coverLetterFileId", "Cover letter", QuestionType.FILE, QuestionCategory.STANDARD),
    ("streetAddress", "Address", QuestionType.SHORT_TEXT, QuestionCategory.STANDARD),
    ("city", "City", QuestionType.SHORT_TEXT, QuestionCategory.STANDARD),
    ("state", "State", QuestionType.SHORT_TEXT, QuestionCategory.STANDARD),
    ("zip", "ZIP", QuestionType.SHORT_TEXT, QuestionCategory.STANDARD),
    ("countryId", "Country", QuestionType.SINGLE_CHOICE, QuestionCategory.STANDARD),
    ("dateAvailable", "Date available", QuestionType.DATE, QuestionCategory.STANDARD),
    ("desiredPay", "Desired pay", QuestionType.SHORT_TEXT, QuestionCategory.STANDARD),
    ("websiteUrl", "Website, blog or portfolio", QuestionType.LINK, QuestionCategory.STANDARD),
    ("linkedinUrl", "LinkedIn profile URL", QuestionType.LINK, QuestionCategory.STANDARD),
    ("genderId", "Gender", QuestionType.SINGLE_CHOICE, QuestionCategory.EEO),
    ("ethnicityId", "Ethnicity", QuestionType.SINGLE_CHOICE, QuestionCategory.EEO),
    ("veteranStatusId", "Veteran status", QuestionType.SINGLE_CHOICE, QuestionCategory.EEO),
    ("disabilityId", "Disability", QuestionType.SINGLE_CHOICE, QuestionCategory.EEO),
)
CUSTOM_PREFIX = "customQuestions."
_CUSTOM_TYPES = {
    "short": QuestionType.SHORT_TEXT,
    "long": QuestionType.LONG_TEXT,
    "yes_no": QuestionType.YES_NO,
    "checkbox": QuestionType.MULTIPLE_CHOICE,
    "multiple_choice": QuestionType.SINGLE_CHOICE,
    "dropdown": QuestionType.SINGLE_CHOICE,
    "date": QuestionType.DATE,
    "file": QuestionType.FILE,
}


def _options(value: Any) -> tuple[QuestionOption, ...]:
    """`[{id, text}]` (the country list's shape); plain strings stand for themselves."""
    found: dict[str, QuestionOption] = {}
    for item in value if isinstance(value, list) else []:
        if isinstance(item, dict):
            label = parsing.text(item.get("text")) or parsing.text(item.get("label"))
            option_id = parsing.text(item.get("id")) or label
        else:
            label = option_id = parsing.text(item)
        if label is not None and option_id is not None:
            found.setdefault(option_id[:256], QuestionOption(id=option_id[:256], label=label))
    return tuple(found.values())


def _standard(fields: dict[str, Any]) -> list[Question]:
    found = []
    for key, label, kind, category in STANDARD_FIELDS:
        field = fields.get(key)
        if not isinstance(field, dict):
            continue
        found.append(
            Question(
                id=key,
                label=parsing.text(field.get("label")) or label,
                type=kind,
                required=parsing.flag(field.get("isRequired")) or False,
                options=_options(field.get("options")),
                category=category,
                source_type=key,
            )
        )
    return found


def _custom(item: dict[str, Any]) -> Question | None:
    question_id = parsing.text(item.get("id"))
    label = parsing.text(item.get("question"))
    if question_id is None or label is None:
        return None
    source_type = parsing.text(item.get("type"))
    options = _options(item.get("options"))
    kind = _CUSTOM_TYPES.get((source_type or "").casefold(), QuestionType.UNKNOWN)
    if kind is QuestionType.MULTIPLE_CHOICE and not options:
        kind = QuestionType.YES_NO  # a lone checkbox: ticked or not
    return Question(
        id=f"{CUSTOM_PREFIX}{question_id}"[:256],
        label=label,
        type=kind,
        required=parsing.flag(item.get("isRequired")) or False,
        options=options,
        category=QuestionCategory.CUSTOM,
        source_type=source_type,
    )


def questions(value: Any) -> tuple[Question, ...]:
    """Standard fields first, then the custom questions in BambooHR's order; ids unique."""
    fields = parsing.obj(value)
    found: dict[str, Question] = {}
    custom = (_custom(item) for item in parsing.objects(fields.get("customQuestions")))
    for question in (*_standard(fields), *custom):
        if question is not None and question.id not in found:
            found[question.id] = question
    return tuple(found.values())
