"""The stricter baseline of row 1: what a client of the Greenhouse Job Board API that does
nothing else would write. A reused synchronous `httpx.Client` GETs the job, `.json()` reads
it and pydantic validates it into `JobPost`, a typed model of every field the connector's
mapping (`embloy_ats_greenhouse.job_board.job_fields`) reads, nested lists included.

It is the ATS's own shape, not a `Job`: the payload validates as the API sends it, with no
mapping, HTML sanitising, storing or single-flight, which is what the ratio to it measures.
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import AwareDatetime, BaseModel


class _Named(BaseModel):
    name: str | None = None


class _Option(BaseModel):
    value: int | str | None = None
    label: str | None = None


class _Field(BaseModel):
    name: str | None = None
    type: str | None = None
    values: list[_Option] = []


class _QuestionGroup(BaseModel):
    label: str | None = None
    description: str | None = None
    required: bool | None = None
    fields: list[_Field] = []


class _Metadata(BaseModel):
    id: int | None = None
    name: str | None = None
    value_type: str | None = None
    value: Any = None


class _Compliance(BaseModel):
    type: str | None = None
    requires_consent: bool | None = None
    requires_processing_consent: bool | None = None
    requires_retention_consent: bool | None = None
    retention_period: int | None = None


class _PayRange(BaseModel):
    min_cents: int | None = None
    max_cents: int | None = None
    currency_type: str | None = None
    title: str | None = None
    blurb: str | None = None


class JobPost(BaseModel):
    id: int
    title: str
    company_name: str | None = None
    requisition_id: str | None = None
    language: str | None = None
    content: str = ""
    absolute_url: str | None = None
    internal_job_id: int | None = None
    location: _Named | None = None
    offices: list[_Named] = []
    departments: list[_Named] = []
    first_published: AwareDatetime | None = None
    updated_at: AwareDatetime | None = None
    application_deadline: AwareDatetime | None = None
    location_questions: list[_QuestionGroup] = []
    questions: list[_QuestionGroup] = []
    metadata: list[_Metadata] = []
    data_compliance: list[_Compliance] = []
    pay_input_ranges: list[_PayRange] = []


def sync_get_validated(client: httpx.Client, url: str) -> JobPost:
    response = client.get(url)
    response.raise_for_status()
    return JobPost.model_validate(response.json())
