"""Softgarden's Frontend API v3: a job, its questions and catalog labels -> Job fields.

`GET /api/rest/v3/frontend/jobslist/{channel_id}/job/{jobDbId}` answers the job object
itself; `GET /api/rest/v3/frontend/jobs/{jobDbId}/questions` a list of `{id, question, type,
answerCatalog}`; `GET /api/rest/v3/frontend/catalogs/{TYPE}?locale=..` an object of catalog
id -> label, which the job's `employmentTypes`, `workTimes` and `jobCategories` refer to.
No response of this API is public: field names come from the clients listed in
NOTES (camelCase there; one client spells them in snake_case, so both are read).
"""

from __future__ import annotations

from typing import Any

from embloy_ats.contract import (
    Asked,
    EmploymentType,
    JobStatus,
    JsonValue,
    PayloadError,
    Question,
    QuestionCategory,
    QuestionOption,
    QuestionType,
    WorkplaceType,
    parsing,
    vocab,
)

from embloy_ats_softgarden import common

#: the catalogs whose labels a job needs, in the order they are requested.
CATALOGS = ("EMPLOYMENT_TYPE", "WORKING_HOURS", "JOB_CATEGORY")
# Question types: softgarden's Apply API names YESNO, TEXT, TEXTAREA and CATALOG; the v3
# question list is read with the same words (its vocabulary is not documented).
_TYPES = {
    "YESNO": QuestionType.YES_NO,
    "YES_NO": QuestionType.YES_NO,
    "BOOLEAN": QuestionType.YES_NO,
    "TEXT": QuestionType.SHORT_TEXT,
    "TEXTAREA": QuestionType.LONG_TEXT,
    "CATALOG": QuestionType.SINGLE_CHOICE,
    "MULTICATALOG": QuestionType.MULTIPLE_CHOICE,
    "MULTI_CATALOG": QuestionType.MULTIPLE_CHOICE,
    "DATE": QuestionType.DATE,
    "NUMBER": QuestionType.NUMBER,
}
# Job fields kept as they are in custom_fields (when set).
_CUSTOM = (
    ("jobDbId", "job_db_id"), ("projectNumber", "project_number"),
    ("internalReferenceId", "internal_reference_id"), ("keywords", "keywords"),
    ("audiences", "audiences"), ("workExperiences", "work_experiences"),
    ("industries", "industries"), ("geoLat", "geo_lat"), ("geoLong", "geo_long"),
    ("remoteStatus", "remote_status"),
)  # fmt: skip


def field(job: dict[str, Any], camel: str) -> Any:
    """`geoCity`, or `geo_city` as one client spells it."""
    if camel in job:
        return job[camel]
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in camel)
    return job.get(snake)


def answered_job(data: JsonValue, asked: Asked) -> dict[str, Any]:
    job = parsing.require_object(data, what="a job")
    if field(job, "jobDbId") is None:
        raise PayloadError("answered a job without 'jobDbId'")
    if parsing.text(field(job, "jobDbId")) != asked.job_id:
        raise PayloadError("answered another job when asked for this one")
    return job


def question_list(data: JsonValue, asked: Asked) -> list[dict[str, Any]]:
    if not isinstance(data, list):
        raise PayloadError("answered something that is not a list of questions")
    return parsing.objects(data)


def catalog(data: JsonValue, asked: Asked) -> dict[str, str]:
    """Catalog id -> label; anything that is not a text label is left out."""
    labels = parsing.require_object(data, what="a catalog")
    return {
        key: label
        for key, label in ((key, parsing.text(raw)) for key, raw in labels.items())
        if label is not None
    }


def job_fields(
    job: dict[str, Any],
    questions: list[dict[str, Any]],
    employment_types: dict[str, str],
    working_hours: dict[str, str],
    job_categories: dict[str, str],
) -> dict[str, Any]:
    employment = _labels(field(job, "employmentTypes"), employment_types)
    hours = _labels(field(job, "workTimes"), working_hours)
    categories = _labels(field(job, "jobCategories"), job_categories)
    remote = parsing.text(field(job, "remoteStatus"))
    custom: dict[str, JsonValue] = {
        name: raw for camel, name in _CUSTOM if (raw := field(job, camel)) not in (None, "", [], {})
    }
    for name, labels in (
        ("employment_types", employment),
        ("work_times", hours),
        ("job_categories", categories),
    ):
        if labels:
            custom[name] = list[JsonValue](labels)
    start = parsing.timestamp(field(job, "jobStartDate"))
    if start is not None:
        custom["job_start_date"] = start.isoformat()
    return {
        "title": parsing.text(field(job, "externalPostingName")),
        "company": parsing.text(field(job, "companyName")),
        "requisition_code": parsing.text(field(job, "internalReferenceId"))
        or parsing.text(field(job, "projectNumber")),
        "language": parsing.text(field(job, "locale")),
        "description_html": parsing.text(field(job, "jobAdText")) or "",
        # A posting this API answers is live: an inactive one is a 410.
        "status": JobStatus.OPEN,
        "employment_type": _employment(hours, employment),
        "workplace_type": _workplace(remote),
        "locations": common.unique(
            [
                common.place(
                    raw=field(job, "geoName"),
                    street=field(job, "geoStreet"),
                    city=field(job, "geoCity"),
                    region=field(job, "geoState"),
                    postal_code=field(job, "geoZip"),
                    country=field(job, "geoCountry"),
                )
            ]
        ),
        "department": categories[0] if categories else None,
        "posting_url": parsing.http_url(field(job, "jobAdUrl")),
        "apply_url": parsing.http_url(field(job, "applyOnlineLink")),
        "updated_at": parsing.timestamp(field(job, "postingLastUpdatedDate")),
        "questions": tuple(q for q in (_question(item) for item in questions) if q is not None),
        "custom_fields": custom,
    }


def _labels(ids: Any, labels: dict[str, str]) -> list[str]:
    """The catalog labels of a job's catalog ids, in its order; an id without a label stays
    out (its id is kept in `raw`)."""
    values = ids if isinstance(ids, list) else [ids]
    found = [labels.get(key) for key in parsing.texts(values)]
    return list(dict.fromkeys(label for label in found if label is not None))


def _employment(hours: list[str], employment: list[str]) -> EmploymentType | None:
    """Working hours say full or part time; the employment type says permanent, temporary,
    internship... The first that maps to a known kind wins, hours first."""
    kinds = [vocab.employment_type(label) for label in (*hours, *employment)]
    known = [kind for kind in kinds if kind is not None]
    return next((kind for kind in known if kind is not EmploymentType.OTHER), None) or (
        known[0] if known else None
    )


def _workplace(remote: str | None) -> WorkplaceType | None:
    """`remoteStatus`: its values are not documented; read with the shared vocabulary
    (`remote`, `hybrid`, `on-site`...), anything else says nothing (kept in custom_fields)."""
    return vocab.workplace_type(remote)


def _question(item: dict[str, Any]) -> Question | None:
    question_id = parsing.text(item.get("id"))
    label = parsing.text(item.get("question")) or parsing.text(item.get("label"))
    if question_id is None or label is None:
        return None
    source_type = parsing.text(item.get("type")) or "unknown"
    return Question(
        id=question_id,
        label=label,
        type=_TYPES.get(source_type.upper(), QuestionType.UNKNOWN),
        required=parsing.flag(item.get("required")) or False,
        options=_options(item.get("answerCatalog")),
        category=QuestionCategory.CUSTOM,
        source_type=source_type,
    )


def _options(raw: Any) -> tuple[QuestionOption, ...]:
    """`answerCatalog`: a list of `{id, label}` (as the Apply API's `answers`) or an object
    of id -> label (as the catalogs); its exact shape is not documented."""
    pairs: list[tuple[str | None, str | None]]
    if isinstance(raw, dict):
        pairs = [(parsing.text(key), parsing.text(label)) for key, label in raw.items()]
    else:
        pairs = [
            (
                parsing.text(entry.get("id")) or parsing.text(entry.get("key")),
                parsing.text(entry.get("label"))
                or parsing.text(entry.get("value"))
                or parsing.text(entry.get("name")),
            )
            for entry in parsing.objects(raw)
        ]
    options = {key: label for key, label in pairs if key is not None and label is not None}
    return tuple(QuestionOption(id=key, label=label) for key, label in options.items())
