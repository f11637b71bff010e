"""A Teamtailor job's application questions -> Question models.

Two sources, both in the one job answer:

- the job's own `*-requirement` attributes (`name-requirement`, `resume-requirement`,
  `cover-letter-requirement`, `phone-requirement`, and `additional-files-requirement` where
  present), each `off`, `optional` or `required` (older answers prefix the field name:
  `resume_optional`): the standard fields of Teamtailor's application form;
- the job's picked questions (`include=picked-questions.question`): a picked question says
  whether its question is `mandatory` for this job, the question says what is asked
  (`question-type` Boolean, Choice, Text, Range, Video; Date, Number and File are read too).
"""

from __future__ import annotations

from typing import Any

from embloy_ats.contract import (
    Question,
    QuestionCategory,
    QuestionOption,
    QuestionType,
    jsonapi,
    parsing,
)

# (attribute, question id, label, type) of the standard application form fields.
_STANDARD_FIELDS = (
    ("name-requirement", "name", "Name", QuestionType.SHORT_TEXT),
    ("phone-requirement", "phone", "Phone", QuestionType.PHONE),
    ("resume-requirement", "resume", "Resume", QuestionType.FILE),
    ("cover-letter-requirement", "cover_letter", "Cover letter", QuestionType.LONG_TEXT),
    ("additional-files-requirement", "additional_files", "Additional files", QuestionType.FILE),
)
_QUESTION_TYPES = {
    "boolean": QuestionType.YES_NO,
    "text": QuestionType.LONG_TEXT,
    "range": QuestionType.NUMBER,
    "number": QuestionType.NUMBER,
    "date": QuestionType.DATE,
    "video": QuestionType.FILE,  # a recorded video answer; `source_type` keeps "Video"
    "file": QuestionType.FILE,
}
_OPTION_LABEL_KEYS = ("title", "name", "label", "text", "value")


def questions(
    job: dict[str, Any], included: dict[jsonapi.Key, dict[str, Any]]
) -> tuple[Question, ...]:
    found: dict[str, Question] = {}
    for question in [
        *parsing.standard_questions(_STANDARD_FIELDS, jsonapi.attributes(job)),
        *_picked(job, included),
    ]:
        found.setdefault(question.id, question)
    return tuple(found.values())


def _picked(job: dict[str, Any], included: dict[jsonapi.Key, dict[str, Any]]) -> list[Question]:
    picked = jsonapi.related(job, "picked-questions", "picked-questions", included)
    pairs: list[tuple[dict[str, Any], bool]] = []
    for item in picked:
        mandatory = parsing.flag(jsonapi.attributes(item).get("mandatory")) or False
        for question in jsonapi.related(item, "question", "questions", included, by_type=False):
            pairs.append((question, mandatory))
    if not picked:
        # Only `include=questions` was answered: no picked questions, so nothing is mandatory.
        pairs = [(q, False) for q in jsonapi.related(job, "questions", "questions", included)]
    found = []
    for question, mandatory in pairs:
        mapped = _question(question, mandatory)
        if mapped is not None:
            found.append(mapped)
    return found


def _question(resource: dict[str, Any], mandatory: bool) -> Question | None:
    ident = parsing.text(resource.get("id"))
    attributes = jsonapi.attributes(resource)
    label = parsing.text(attributes.get("title"))
    if ident is None or label is None:
        return None
    source_type = parsing.text(attributes.get("question-type")) or "unknown"
    key = source_type.casefold()
    options: tuple[QuestionOption, ...] = ()
    description = None
    if key == "choice":
        multiple = parsing.flag(attributes.get("multiple")) or False
        kind = QuestionType.MULTIPLE_CHOICE if multiple else QuestionType.SINGLE_CHOICE
        options = _options(attributes.get("alternatives"))
    elif key == "text" and parsing.flag(attributes.get("single-line")):
        kind = QuestionType.SHORT_TEXT
    else:
        kind = _QUESTION_TYPES.get(key, QuestionType.UNKNOWN)
    if key == "range":
        description = _range(attributes)
    return Question(
        id=ident,
        label=label,
        description=description,
        type=kind,
        required=mandatory,
        options=options,
        category=QuestionCategory.CUSTOM,
        source_type=source_type,
    )


def _options(alternatives: Any) -> tuple[QuestionOption, ...]:
    """Choice alternatives: Teamtailor documents an array; strings and objects are read.

    A plain string is its own id; an object gives its `id` and a label under `title`,
    `name`, `label`, `text` or `value`.
    """
    if not isinstance(alternatives, list):
        return ()
    options = []
    for alternative in alternatives:
        if isinstance(alternative, dict):
            label = next(
                (
                    found
                    for found in (parsing.text(alternative.get(k)) for k in _OPTION_LABEL_KEYS)
                    if found is not None
                ),
                None,
            )
            ident = parsing.text(alternative.get("id")) or label
        else:
            label = ident = parsing.text(alternative)
        if ident is not None and label is not None:
            options.append(QuestionOption(id=ident, label=label))
    return tuple(options)


def _range(attributes: dict[str, Any]) -> str | None:
    low, high = parsing.text(attributes.get("start-with")), parsing.text(attributes.get("end-with"))
    unit = parsing.text(attributes.get("unit"))
    if low is not None and high is not None:
        span = f"{low} to {high}"
    elif low is not None:
        span = f"at least {low}"
    elif high is not None:
        span = f"at most {high}"
    else:
        return None
    return f"{span} {unit}" if unit else span
