"""The public view of a Job: what an employer published, and all a candidate may see.

A stored `Job` also keeps what only the service needs: the ATS's raw answer (for Greenhouse
Harvest: internal notes, custom fields such as budgets, the confidential flag, pay inputs,
inactive demographic questions), internal codes and workflow state. Anything that leaves the
service towards a candidate is a `PublicJob`: an explicit allow-list, so a field added to the
Job stays server-side until it is added here on purpose (a test holds `WITHHELD` and this
model to the Job's fields).
"""

from __future__ import annotations

from typing import Self

from pydantic import AwareDatetime, BaseModel, ConfigDict

from embloy_ats.model import (
    Compensation,
    EmploymentType,
    Job,
    Location,
    Question,
    QuestionCategory,
    QuestionOption,
    QuestionType,
    WorkplaceType,
)

#: Job fields that never leave the service towards a candidate, and why.
WITHHELD: dict[str, str] = {
    "schema_version": "bookkeeping of the store",
    "connector": "the slug names the job; the session names the mode",
    "external_id": "the slug names the job",
    "requisition_code": "an internal HR code (Greenhouse Harvest: the job's requisition id)",
    "status": "internal workflow state (draft...); closed and archived jobs are not served",
    "visibility": "internal flags (confidential, internal, unlisted)",
    "updated_at": "when anyone last edited the job inside the ATS, not a published fact",
    "custom_fields": "the ATS's extra fields: internal ones among them (budgets, notes)",
    "raw": "the ATS's whole answer, internal data included",
    "fetched_at": "bookkeeping; the session says whether the copy is stale",
}

_PUBLIC = ConfigDict(frozen=True, extra="forbid")


class PublicQuestion(BaseModel):
    """An application question as the form shows it (no ATS-internal type name)."""

    model_config = _PUBLIC

    id: str
    label: str
    description: str | None = None
    type: QuestionType
    required: bool = False
    options: tuple[QuestionOption, ...] = ()
    accepted_file_types: tuple[str, ...] = ()
    category: QuestionCategory = QuestionCategory.CUSTOM

    @classmethod
    def of(cls, question: Question) -> Self:
        return cls(
            id=question.id,
            label=question.label,
            description=question.description,
            type=question.type,
            required=question.required,
            options=question.options,
            accepted_file_types=question.accepted_file_types,
            category=question.category,
        )


class PublicJob(BaseModel):
    """A job as its posting shows it: the only view of a Job a candidate gets."""

    model_config = _PUBLIC

    slug: str
    title: str
    company: str | None = None
    language: str | None = None
    #: sanitised by the Job model: no script, whatever the ATS sent.
    description_html: str = ""
    description_text: str = ""
    employment_type: EmploymentType | None = None
    workplace_type: WorkplaceType | None = None
    locations: tuple[Location, ...] = ()
    applicant_location_requirements: tuple[str, ...] = ()
    department: str | None = None
    team: str | None = None
    compensation: tuple[Compensation, ...] = ()
    posting_url: str | None = None
    apply_url: str | None = None
    posted_at: AwareDatetime | None = None
    #: the application deadline, when the posting states one.
    closes_at: AwareDatetime | None = None
    questions: tuple[PublicQuestion, ...] = ()

    @classmethod
    def of(cls, job: Job) -> Self:
        return cls(
            slug=job.slug,
            title=job.title,
            company=job.company,
            language=job.language,
            description_html=job.description_html,
            description_text=job.description_text,
            employment_type=job.employment_type,
            workplace_type=job.workplace_type,
            locations=job.locations,
            applicant_location_requirements=job.applicant_location_requirements,
            department=job.department,
            team=job.team,
            compensation=job.compensation,
            posting_url=job.posting_url,
            apply_url=job.apply_url,
            posted_at=job.posted_at,
            closes_at=job.closes_at,
            questions=tuple(PublicQuestion.of(question) for question in job.questions),
        )
