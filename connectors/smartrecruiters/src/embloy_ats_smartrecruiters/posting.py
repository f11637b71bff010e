"""SmartRecruiters Posting API posting (`GET /v1/companies/{company}/postings/{id}`) -> Job fields.

Field names and meanings from the recorded answers (see cassettes/smartrecruiters/PROVENANCE.md
and docs/connectors/smartrecruiters.md). Pure functions over decoded JSON.
"""

from __future__ import annotations

import html
from typing import Any

from embloy_ats.contract import (
    EmploymentType,
    JobStatus,
    Location,
    Visibility,
    WorkplaceType,
    geo,
    parsing,
    vocab,
)

#: the job ad's sections, in the order the career site shows them.
SECTIONS = ("companyDescription", "jobDescription", "qualifications", "additionalInformation")
#: `typeOfEmployment.id` values seen in answers; anything else goes through the vocabulary.
_EMPLOYMENT = {"permanent": "full-time", "contract": "contract", "intern": "internship"}
_VISIBILITY = {
    "PUBLIC": Visibility.PUBLIC,
    "INTERNAL": Visibility.INTERNAL,
}


def description(job_ad: Any) -> str:
    """Every non-empty section as a heading and its HTML (sanitised by the model)."""
    sections = parsing.obj(parsing.obj(job_ad).get("sections"))
    parts: list[str] = []
    for key in SECTIONS:
        section = parsing.obj(sections.get(key))
        body = parsing.text(section.get("text"))
        if body is None:
            continue
        title = parsing.text(section.get("title"))
        if title is not None:
            parts.append(f"<h3>{html.escape(title)}</h3>")
        parts.append(body)
    return "".join(parts)


def _title(value: Any) -> str | None:
    """Titles may carry double and trailing spaces (`"Shader  (F/H/NB) "`)."""
    found = parsing.text(value)
    return " ".join(found.split()) if found is not None else None


def location(value: Any) -> tuple[Location, ...]:
    """`location{city, region, country (ISO alpha-2, lower case), address, postalCode,
    fullLocation}`. A remote posting may put placeholders in city and region (`city:
    "Poland", region: "Remote"`): on a remote posting, a city or region that only names the
    country is dropped, and anywhere one that says "remote" (Singapore, on site, keeps its
    city)."""
    place = parsing.obj(value)
    country = geo.country_code(parsing.text(place.get("country")))
    remote = parsing.flag(place.get("remote")) is True

    def real(name: str | None) -> str | None:
        if name is None or vocab.workplace_type(name) is WorkplaceType.REMOTE:
            return None
        if remote and country is not None and geo.country_code(name) == country:
            return None
        return name

    city = real(parsing.text(place.get("city")))
    region = real(parsing.text(place.get("region")))
    full = parsing.text(place.get("fullLocation"))
    raw = ", ".join(part.strip() for part in full.split(",") if part.strip()) if full else None
    found = Location(
        raw=raw or None,
        street=parsing.text(place.get("address")),
        city=city,
        region=region,
        postal_code=parsing.text(place.get("postalCode")),
        country_code=country,
    )
    return (found,) if any(found.model_dump().values()) else ()


def workplace(value: Any) -> WorkplaceType | None:
    """`location.remote` and `location.hybrid` flags; both false: on site."""
    place = parsing.obj(value)
    remote, hybrid = parsing.flag(place.get("remote")), parsing.flag(place.get("hybrid"))
    if hybrid:
        return WorkplaceType.HYBRID
    if remote:
        return WorkplaceType.REMOTE
    if remote is False:
        return WorkplaceType.ON_SITE
    return None


def employment(value: Any) -> EmploymentType | None:
    kind = parsing.obj(value)
    key = (parsing.text(kind.get("id")) or "").casefold()
    return vocab.employment_type(_EMPLOYMENT.get(key) or parsing.text(kind.get("label")) or key)


def status(value: Any) -> JobStatus:
    flag = parsing.flag(value)
    if flag is None:
        return JobStatus.UNKNOWN
    return JobStatus.OPEN if flag else JobStatus.CLOSED


def custom_fields(posting: dict[str, Any]) -> dict[str, Any]:
    """What the Job model has no field for: the labels of experience level, function and
    industry, and the tenant's own fields (`customField[]`) by their label."""
    fields: dict[str, Any] = {}
    for key, name in (("experienceLevel", "experience_level"), ("function", "function"),
                      ("industry", "industry")):  # fmt: skip
        label = parsing.text(parsing.obj(posting.get(key)).get("label"))
        if label is not None:
            fields[name] = label
    tenant: dict[str, str] = {}
    for item in parsing.objects(posting.get("customField")):
        label = parsing.text(item.get("fieldLabel"))
        value = parsing.text(item.get("valueLabel"))
        if label is not None and value is not None:
            tenant.setdefault(label, value)
    if tenant:
        fields["custom"] = tenant
    referral = parsing.http_url(posting.get("referralUrl"))
    if referral is not None:
        fields["referral_url"] = referral
    uuid = parsing.text(posting.get("uuid"))
    if uuid is not None:
        fields["uuid"] = uuid
    return fields


def job_fields(payload: dict[str, Any]) -> dict[str, Any]:
    """Everything but identity, questions and bookkeeping, which the connector adds.

    The Posting API has no pay field in any answer seen, and no closing date.
    """
    company = parsing.obj(payload.get("company"))
    language = parsing.obj(payload.get("language"))
    visibility = _VISIBILITY.get(parsing.text(payload.get("visibility")) or "")
    return {
        "title": _title(payload.get("name")),
        "company": parsing.text(company.get("name")),
        "requisition_code": parsing.text(payload.get("refNumber")),
        "language": parsing.text(language.get("code")),
        "description_html": description(payload.get("jobAd")),
        "status": status(payload.get("active")),
        "visibility": visibility or Visibility.UNKNOWN,
        "employment_type": employment(payload.get("typeOfEmployment")),
        "workplace_type": workplace(payload.get("location")),
        "locations": location(payload.get("location")),
        "department": parsing.text(parsing.obj(payload.get("department")).get("label")),
        "posting_url": parsing.http_url(payload.get("postingUrl")),
        "apply_url": parsing.http_url(payload.get("applyUrl")),
        "posted_at": parsing.timestamp(payload.get("releasedDate")),
        "custom_fields": custom_fields(payload),
    }
