"""Exports of a Job into the shapes other systems read: Embloy's own, and schema.org.

Plain functions of a `Job`, not methods: the model stays the bottom layer and imports
nothing that reads it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from embloy_ats.model import (
    CompensationKind,
    EmploymentType,
    Job,
    JobStatus,
    QuestionType,
    Visibility,
    WorkplaceType,
)

# Embloy's application option types (its `application_options.question_type`).
_EMBLOY_QUESTION_TYPES: dict[QuestionType, str] = {
    QuestionType.YES_NO: "yes_no",
    QuestionType.SHORT_TEXT: "text",
    QuestionType.LONG_TEXT: "text",
    QuestionType.NUMBER: "number",
    QuestionType.EMAIL: "text",
    QuestionType.PHONE: "text",
    QuestionType.LINK: "link",
    QuestionType.DATE: "date",
    QuestionType.SINGLE_CHOICE: "single_choice",
    QuestionType.MULTIPLE_CHOICE: "multiple_choice",
    QuestionType.FILE: "file",
    QuestionType.LOCATION: "location",
    QuestionType.UNKNOWN: "text",
}

_SCHEMA_EMPLOYMENT: dict[EmploymentType, str] = {
    EmploymentType.FULL_TIME: "FULL_TIME",
    EmploymentType.PART_TIME: "PART_TIME",
    EmploymentType.CONTRACT: "CONTRACTOR",
    EmploymentType.TEMPORARY: "TEMPORARY",
    EmploymentType.INTERNSHIP: "INTERN",
    EmploymentType.VOLUNTEER: "VOLUNTEER",
    EmploymentType.PER_DIEM: "PER_DIEM",
    EmploymentType.OTHER: "OTHER",
}


def _number(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def is_listed(job: Job) -> bool:
    """Listed on Embloy only when the ATS publishes it openly (or does not say otherwise)."""
    return job.status in (JobStatus.OPEN, JobStatus.UNKNOWN) and job.visibility in (
        Visibility.PUBLIC,
        Visibility.UNKNOWN,
    )


def to_embloy(job: Job) -> dict[str, Any]:
    first = job.locations[0] if job.locations else None
    salary = next((c for c in job.compensation if c.kind is CompensationKind.SALARY), None)
    options: list[dict[str, Any]] = []
    for question in job.questions:
        kind = _EMBLOY_QUESTION_TYPES[question.type]
        if kind == "file":
            choices = list(question.accepted_file_types)
        elif kind == "yes_no":
            choices = []
        else:
            choices = [option.label for option in question.options]
        options.append(
            {
                "ext_id": f"{job.slug}__{question.id}",
                "question": question.label,
                "question_type": kind,
                "required": question.required,
                "options": choices,
            }
        )
    return {
        "job_slug": job.slug,
        "title": job.title,
        "position": job.title,
        "description": job.description_html,
        "job_status": "listed" if is_listed(job) else "unlisted",
        "job_type": job.department,
        "city": first.city if first else None,
        "country_code": first.country_code if first else None,
        "postal_code": first.postal_code if first else None,
        "address": first.street if first else None,
        "currency": salary.currency if salary else None,
        "salary": _number(salary.max_amount or salary.min_amount) if salary else None,
        "referrer_url": job.posting_url,
        "application_options_attributes": options,
    }


def to_schema_org(job: Job) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": job.title,
        "description": job.description_html or job.description_text,
        "identifier": {"@type": "PropertyValue", "name": job.connector, "value": job.external_id},
    }
    if job.company:
        document["hiringOrganization"] = {"@type": "Organization", "name": job.company}
    if job.posted_at:
        document["datePosted"] = job.posted_at.isoformat()
    if job.closes_at:
        document["validThrough"] = job.closes_at.isoformat()
    if job.employment_type:
        document["employmentType"] = _SCHEMA_EMPLOYMENT[job.employment_type]
    if job.posting_url:
        document["url"] = job.posting_url
    places = []
    for location in job.locations:
        address = {
            "@type": "PostalAddress",
            "streetAddress": location.street,
            "addressLocality": location.city,
            "addressRegion": location.region,
            "postalCode": location.postal_code,
            "addressCountry": location.country_code,
        }
        address = {key: value for key, value in address.items() if value is not None}
        if len(address) > 1:
            places.append({"@type": "Place", "address": address})
    if places:
        document["jobLocation"] = places
    if job.workplace_type is WorkplaceType.REMOTE:
        document["jobLocationType"] = "TELECOMMUTE"
    if job.applicant_location_requirements:
        document["applicantLocationRequirements"] = [
            {"@type": "Country", "name": code} for code in job.applicant_location_requirements
        ]
    salary = next((c for c in job.compensation if c.kind is CompensationKind.SALARY), None)
    if salary and salary.currency and (salary.min_amount or salary.max_amount):
        value: dict[str, Any] = {"@type": "QuantitativeValue"}
        if salary.min_amount is not None:
            value["minValue"] = _number(salary.min_amount)
        if salary.max_amount is not None:
            value["maxValue"] = _number(salary.max_amount)
        if salary.interval and salary.interval.value != "one_time":
            value["unitText"] = salary.interval.value.upper()
        document["baseSalary"] = {
            "@type": "MonetaryAmount",
            "currency": salary.currency,
            "value": value,
        }
    return document
