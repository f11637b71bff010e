"""SmartRecruiters screening questions (`GET /postings/{uuid}/configuration`) -> Questions.

Shape from SmartRecruiters' docs ("Get application screening questions and privacy
policies"): `questions[{id, label, repeatable, fields[{id, label, type, required,
complianceType, values[{id, label}]}]}]`, `privacyPolicies[{url, orgName}]`. No real answer
of this endpoint was available: the field types and the shape are the documented ones, and
anything else is read defensively (see docs/connectors/smartrecruiters.md).

Each answerable field is one Question with the id `<question id>.<field id>`: applying
sends a question's fields together as one record (`apply.answers`). `INFORMATION` fields
are text to read, not to answer: they become the description of the question's first field.
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

#: the documented field types (`TEXT` appears in a docs example for `INPUT_TEXT`).
FIELD_TYPES = {
    "INPUT_TEXT": QuestionType.SHORT_TEXT,
    "TEXT": QuestionType.SHORT_TEXT,
    "TEXTAREA": QuestionType.LONG_TEXT,
    "SINGLE_SELECT": QuestionType.SINGLE_CHOICE,
    "RADIO": QuestionType.SINGLE_CHOICE,
    "MULTI_SELECT": QuestionType.MULTIPLE_CHOICE,
    "CHECKBOX": QuestionType.YES_NO,
}
INFORMATION = "INFORMATION"
#: where the candidate's consent to the privacy policies is answered (`consentDecisions`).
CONSENT = "consentDecisions.SINGLE"
SEPARATOR = "."


def _options(value: Any) -> tuple[QuestionOption, ...]:
    options: dict[str, QuestionOption] = {}
    for item in parsing.objects(value):
        option_id = parsing.text(item.get("id"))
        label = parsing.text(item.get("label")) or option_id
        if option_id is not None and label is not None:
            options.setdefault(option_id, QuestionOption(id=option_id, label=label))
    return tuple(options.values())


def _fields(question: dict[str, Any]) -> list[Question]:
    question_id = parsing.text(question.get("id"))
    if question_id is None or SEPARATOR in question_id:
        return []
    heading = parsing.text(question.get("label"))
    notes = [
        text
        for field in parsing.objects(question.get("fields"))
        if (parsing.text(field.get("type")) or "").upper() == INFORMATION
        and (text := parsing.text(field.get("label"))) is not None
    ]
    found: list[Question] = []
    for field in parsing.objects(question.get("fields")):
        field_id = parsing.text(field.get("id"))
        source_type = parsing.text(field.get("type"))
        if field_id is None or (source_type or "").upper() == INFORMATION:
            continue
        options = _options(field.get("values"))
        kind = FIELD_TYPES.get((source_type or "").upper(), QuestionType.UNKNOWN)
        label = parsing.text(field.get("label"))
        description = " ".join(notes) if notes and not found else None
        if heading and label and heading != label:
            description = " ".join(part for part in (heading, description) if part)
        found.append(
            Question(
                id=f"{question_id}{SEPARATOR}{field_id}",
                label=label or heading or field_id,
                description=description,
                type=kind,
                required=parsing.flag(field.get("required")) or False,
                options=options,
                category=(
                    QuestionCategory.EEO
                    if parsing.text(field.get("complianceType"))
                    else QuestionCategory.CUSTOM
                ),
                source_type=source_type,
            )
        )
    return found


def consent(payload: dict[str, Any]) -> Question | None:
    """The consent to the privacy policies the configuration lists (`consentDecisions`)."""
    policies = [
        (parsing.text(item.get("orgName")), parsing.http_url(item.get("url")))
        for item in parsing.objects(payload.get("privacyPolicies"))
    ]
    named = [f"{org or 'Privacy policy'}: {url}" for org, url in policies if url]
    if not named:
        return None
    return Question(
        id=CONSENT,
        label="I agree to the processing of my data under the privacy policies",
        description="; ".join(named),
        type=QuestionType.YES_NO,
        required=True,
        category=QuestionCategory.STANDARD,
        source_type="consentDecisions",
    )


def questions(payload: dict[str, Any]) -> tuple[Question, ...]:
    """The screening questions in SmartRecruiters' order, diversity questions last (its
    docs ask for them to be shown last), then the consent where privacy policies apply."""
    found: dict[str, Question] = {}
    for item in parsing.objects(payload.get("questions")):
        for question in _fields(item):
            found.setdefault(question.id, question)
    ordered = sorted(found.values(), key=lambda q: q.category is QuestionCategory.EEO)
    agreed = consent(payload)
    return (*ordered, *((agreed,) if agreed is not None else ()))
