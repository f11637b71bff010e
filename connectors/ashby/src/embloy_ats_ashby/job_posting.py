"""Ashby's authenticated `POST /jobPosting.info` (`results` of a success answer) -> Job fields.

Shapes from Ashby's API reference (jobPosting.info, the form definition of the "Creating a
Custom Careers Page" guide) and a recorded answer; see cassettes/ashby/PROVENANCE.md.
"""

from __future__ import annotations

from typing import Any

from embloy_ats.contract import (
    JobStatus,
    Question,
    QuestionCategory,
    QuestionOption,
    QuestionType,
    html,
    parsing,
    vocab,
)

from embloy_ats_ashby import common

#: Ashby form field types (`field.type`) -> the Job model's question types.
FIELD_TYPES = {
    "String": QuestionType.SHORT_TEXT,
    "LongText": QuestionType.LONG_TEXT,
    "RichText": QuestionType.LONG_TEXT,
    "Email": QuestionType.EMAIL,
    "Phone": QuestionType.PHONE,
    "Url": QuestionType.LINK,
    "File": QuestionType.FILE,
    "Boolean": QuestionType.YES_NO,
    "ValueSelect": QuestionType.SINGLE_CHOICE,
    "MultiValueSelect": QuestionType.MULTIPLE_CHOICE,
    "Date": QuestionType.DATE,
    "Number": QuestionType.NUMBER,
    "Location": QuestionType.LOCATION,
}
#: Ashby's own fields (name, email, resume...) have paths starting with this.
SYSTEM_FIELD_PREFIX = "_systemfield_"


def job_fields(posting: dict[str, Any]) -> dict[str, Any]:
    """Everything but identity and bookkeeping, which the connector adds."""
    linked = parsing.obj(posting.get("linkedData"))
    address = posting.get("address")
    if not common.postal_address(address):
        address = parsing.obj(linked.get("jobLocation")).get("address")
    employment = parsing.text(posting.get("employmentType")) or parsing.text(
        linked.get("employmentType")
    )
    return {
        "title": parsing.text(posting.get("title")),
        "company": parsing.text(parsing.obj(linked.get("hiringOrganization")).get("name")),
        "description_html": parsing.text(posting.get("descriptionHtml")) or "",
        "description_text": parsing.text(posting.get("descriptionPlain")) or "",
        # jobPosting.info says nothing about whether the posting is still open.
        "status": JobStatus.UNKNOWN,
        "visibility": common.visibility(posting),
        "employment_type": vocab.employment_type(employment),
        "workplace_type": common.workplace(posting),
        "locations": common.unique([common.location(posting.get("locationName"), address)]),
        "department": parsing.text(posting.get("departmentName")),
        "team": parsing.text(posting.get("teamName")),
        "compensation": common.compensation(posting.get("compensation")),
        "posting_url": parsing.http_url(posting.get("externalLink")),
        "apply_url": parsing.http_url(posting.get("applyLink")),
        "posted_at": parsing.timestamp(posting.get("publishedDate"))
        or parsing.timestamp(linked.get("datePosted")),
        "updated_at": parsing.timestamp(posting.get("updatedAt")),
        "closes_at": parsing.timestamp(posting.get("applicationDeadline")),
        "questions": questions(posting),
    }


def questions(posting: dict[str, Any]) -> tuple[Question, ...]:
    """The application form's fields, then the fields of the survey forms sent with it."""
    found: dict[str, Question] = {}
    forms: list[tuple[Any, QuestionCategory | None]] = [
        (posting.get("applicationFormDefinition"), None)
    ]
    forms += [
        (survey.get("formDefinition"), _survey_category(survey))
        for survey in parsing.objects(posting.get("surveyFormDefinitions"))
        if parsing.flag(survey.get("isArchived")) is not True
    ]
    for form, category in forms:
        for section in parsing.objects(parsing.obj(form).get("sections")):
            for entry in parsing.objects(section.get("fields")):
                question = _question(entry, category)
                if question is not None and question.id not in found:
                    found[question.id] = question
    return tuple(found.values())


def _survey_category(survey: dict[str, Any]) -> QuestionCategory:
    kind = (parsing.text(survey.get("surveyType")) or "").casefold()
    if "eeo" in kind:
        return QuestionCategory.EEO
    if "divers" in kind or "demograph" in kind:
        return QuestionCategory.DEMOGRAPHIC
    return QuestionCategory.CUSTOM


def _question(entry: dict[str, Any], category: QuestionCategory | None) -> Question | None:
    field = parsing.obj(entry.get("field"))
    # `path` is the key applicationForm.submit expects; the field's UUID is the fallback.
    key = parsing.text(field.get("path")) or parsing.text(field.get("id"))
    label = parsing.text(field.get("title")) or parsing.text(field.get("humanReadablePath"))
    if key is None or label is None:
        return None
    source_type = parsing.text(field.get("type")) or "unknown"
    kind = FIELD_TYPES.get(source_type, QuestionType.UNKNOWN)
    options = tuple(
        QuestionOption(id=value, label=text or value)
        for value, text in (
            (parsing.text(option.get("value")), parsing.text(option.get("label")))
            for option in parsing.objects(field.get("selectableValues"))
        )
        if value is not None
    )
    description = parsing.text(entry.get("descriptionPlain"))
    if description is None:
        markup = parsing.text(entry.get("descriptionHtml"))
        description = html.html_to_text(markup) if markup else None
    if category is None:
        standard = key.startswith(SYSTEM_FIELD_PREFIX)
        category = QuestionCategory.STANDARD if standard else QuestionCategory.CUSTOM
    return Question(
        id=key,
        label=label,
        description=description or None,
        type=kind,
        # Ashby documents `isRequired` as defaulting to true.
        required=parsing.flag(entry.get("isRequired")) is not False,
        options=options,
        category=category,
        source_type=source_type,
    )
