"""Teamtailor: the JSON:API `GET /v1/jobs/{id}` with an API key, on the account's region host.

Applications go in three kinds of call (candidate, job application, one answer per
question; see `apply`), each step recorded in the application's `DeliveryProgress` as it
is made, so an attempt after a failure or a dead worker resumes where the last one got to.
After an ambiguous outcome the candidate is looked up by email and their job applications
read before anything is sent again.
"""

from __future__ import annotations

from typing import Any, Literal

from embloy_ats.contract import (
    NUMERIC_ID,
    Application,
    Connector,
    ConnectorSettings,
    Credentials,
    EmbloyAtsError,
    ErrorRule,
    Fetched,
    Field,
    Job,
    QuestionType,
    RateLimitPolicy,
    Receipt,
    Request,
    RequestRejected,
    SecretStr,
    SubmitRejected,
    Verify,
    WayIn,
    api_key_header,
    by_setting,
    field_validator,
    jsonapi,
)

from embloy_ats_teamtailor import apply
from embloy_ats_teamtailor import job as job_api

#: API origin per data region (Teamtailor support: "Use our Teamtailor API").
REGION_ORIGINS = {
    "eu": "https://api.teamtailor.com",
    "na": "https://api.na.teamtailor.com",
}
#: The dated API version sent in the mandatory `X-Api-Version` header.
DEFAULT_API_VERSION = "20240904"
_VERSION = {"X-Api-Version": "{api_version}"}
_JSON_API = "application/vnd.api+json"
#: statuses whose JSON:API `errors` say why a create call was refused.
_REFUSED = frozenset({400, 409, 422})
_NO_QUESTION = ErrorRule(
    RequestRejected,
    "has no such question any more (HTTP {status}): the job's form changed",
    hint="The job application was made; retrying sends the other answers left.",
)


class TeamtailorSettings(ConnectorSettings):
    region: Literal["eu", "na"] = Field(
        default="eu",
        description="The account's data region: `eu` (api.teamtailor.com, the default) or "
        "`na` (api.na.teamtailor.com). The API key settings page names the account's base URL.",
    )
    api_version: str = Field(
        default=DEFAULT_API_VERSION,
        pattern=r"^[0-9]{8}$",
        description="The dated API version for the mandatory X-Api-Version header (YYYYMMDD).",
    )

    @field_validator("region", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value


class TeamtailorCredentials(Credentials):
    api_key: SecretStr = Field(
        description="An API key (Settings > Integrations > API keys, company admins only) with "
        "read permission: Public scope reads published jobs, Internal also internal, unlisted "
        "and archived ones, Admin everything. Submitting applications needs an Admin-scope "
        "key with read and write permission (candidates, job applications, answers).",
    )


class TeamtailorConnector(Connector[TeamtailorSettings, TeamtailorCredentials]):
    mode = "teamtailor"
    display_name = "Teamtailor"
    job_id_pattern = NUMERIC_ID
    job_id_format = (
        "numeric job id (`7263` in career.teamtailor.com/jobs/7263-account-manager or "
        "api.teamtailor.com/v1/jobs/7263)"
    )
    rate_limit = RateLimitPolicy(
        50,
        10.0,
        note="Teamtailor API docs, 'Rate Limit': X-Rate-Limit-Limit/-Remaining/-Reset headers "
        "on every answer, no number documented; polite cap, and the headers pause us",
    )
    supports_questions = True
    #: Teamtailor takes a resume or an upload only as a public URL it downloads, and file
    #: and video answers not at all by the API: the apply page does not ask them.
    undeliverable_question_types = frozenset({QuestionType.FILE})
    supports_compensation = True
    docs_url = "https://docs.teamtailor.com/"

    # -- applications ---------------------------------------------------------------------

    async def submit_application(self, job: Job, application: Application) -> Receipt:
        """The candidate, their job application, then each answer: every step made only if
        an earlier attempt did not make it (its id is in the application's progress)."""
        try:
            return await self._submit(job, application)
        except EmbloyAtsError as exc:
            raise exc.locate(self.mode, job.external_id) from None

    async def _submit(self, job: Job, application: Application) -> Receipt:
        if apply.email_of(job, application) is None:
            raise SubmitRejected(
                "cannot make a candidate without an email", reasons={"email": "missing"}
            )
        apply.check_steps(job, application)
        progress = application.progress
        candidate = progress.get(apply.CANDIDATE)
        if candidate is None:
            body = apply.candidate(job, application)
            made = await self._create("/v1/candidates", job, application, body)
            candidate = apply.created(made.data, "candidates", application)
            await progress.record(apply.CANDIDATE, candidate)
        job_application = progress.get(apply.JOB_APPLICATION)
        if job_application is None:
            body = apply.job_application(job, application, candidate)
            made = await self._create("/v1/job-applications", job, application, body)
            job_application = apply.created(made.data, "job-applications", application)
            await progress.record(apply.JOB_APPLICATION, job_application)
        for question, attributes in apply.answers(job, application):
            key = apply.answer_key(question)
            if progress.get(key) is not None:
                continue
            body = apply.answer(candidate, question, attributes)
            made = await self._create("/v1/answers", job, application, body)
            await progress.record(key, apply.created(made.data, "answers", application))
        return Receipt(ats_application_id=job_application, ats_candidate_id=candidate)

    async def _create(
        self, path: str, job: Job, application: Application, body: dict[str, Any]
    ) -> Fetched:
        # Only the job application's 404 says the job is gone; an answer's says its question
        # is (the job's form changed since the candidate answered it).
        rules = (
            self.error_rules if path != "/v1/answers" else {**self.error_rules, 404: _NO_QUESTION}
        )
        fetched = await self.request_json(
            "POST", path, job_id=job.external_id, headers=self._headers(json_api=True),
            json_body=body, ok_statuses=_REFUSED, errors=rules,
        )  # fmt: skip
        if fetched.response.status_code in _REFUSED:
            raise apply.rejected(fetched.data, application, what=path.rsplit("/", 1)[-1])
        return fetched

    async def find_application(self, job: Job, application: Application) -> Receipt | None:
        """The candidate (from the progress, else by email), then their job applications:
        one to this job made since the application was accepted. What is found is recorded
        in the progress, so the next attempt does not make it again; the application counts
        as delivered once every answer is there too."""
        email = apply.email_of(job, application)
        if email is None:
            return None  # no candidate can have been made
        progress = application.progress
        try:
            candidate = progress.get(apply.CANDIDATE)
            if candidate is None:
                found = await self._get("/v1/candidates", job, {"filter[email]": email})
                candidates = apply.candidate_ids(found.data, email)
                if not candidates:
                    return None
                candidate = candidates[0]
                await progress.record(apply.CANDIDATE, candidate)
            job_application = progress.get(apply.JOB_APPLICATION)
            if job_application is None:
                listed = await self._get(
                    "/v1/candidates/{candidate}/job-applications", job,
                    {"include": "job", "sort": "-created-at",
                     "page[size]": str(apply.MAX_LOOKED_UP)},
                    segments={"candidate": candidate},
                )  # fmt: skip
                job_application = apply.job_application_of(listed.data, job, application)
                if job_application is None:
                    return None
                await progress.record(apply.JOB_APPLICATION, job_application)
        except EmbloyAtsError as exc:
            raise exc.locate(self.mode, job.external_id) from None
        missing = [
            question.id
            for question, _ in apply.answers(job, application)
            if progress.get(apply.answer_key(question)) is None
        ]
        if missing:
            return None  # the next send makes only the answers
        return Receipt(ats_application_id=job_application, ats_candidate_id=candidate)

    async def _get(
        self, path: str, job: Job, params: dict[str, str], *, segments: dict[str, str] | None = None
    ) -> Fetched:
        return await self.request_json(
            "GET", path, job_id=job.external_id, params=params, headers=self._headers(),
            segments=segments,
        )  # fmt: skip

    def _headers(self, *, json_api: bool = False) -> dict[str, str]:
        headers = {"X-Api-Version": self.settings.api_version}
        if json_api:
            headers["Content-Type"] = _JSON_API
        return headers

    ways_in = (
        WayIn(
            "API v1",
            origin=by_setting("region", REGION_ORIGINS),
            auth=api_key_header("api_key", "Authorization", "Token token={}"),
            job=Request(
                "/v1/jobs/{job_id}",
                params={"include": job_api.INCLUDE},
                headers=_VERSION,
                envelope=jsonapi.primary("jobs", "job"),
            ),
            mapper=job_api.job_fields,
            errors={
                # A key of the other region's stack is as unknown as a wrong key: say both.
                401: "Check the api_key and the region setting: a key of an account on the "
                "other stack is rejected too (this request went to {base_url}).",
                404: "Check the job id; a Public-scope API key only sees published jobs, "
                "internal, unlisted and archived ones need an Internal or Admin key.",
                # Teamtailor: 406 "Invalid/Missing API Version" (JSON:API errors body).
                406: ErrorRule(
                    RequestRejected,
                    "refused the API version {api_version!r} (HTTP {status})",
                    hint="Set the `api_version` setting to the current version named in "
                    "Teamtailor's API changelog.",
                ),
            },
            # docs: "List Jobs" and "Pagination" (page size 1 to 30): the key, the region and
            # the API version in one request.
            verify=Verify(
                "/v1/jobs",
                params={"page[size]": "1"},
                headers=_VERSION,
                missing="answered 404 for /v1/jobs: this base_url serves no Teamtailor API",
                missing_hint="Check the region and base_url settings.",
                errors={
                    403: "Give the API key read permission (Settings > Integrations > API keys)."
                },
            ),
        ),
    )


__all__ = [
    "DEFAULT_API_VERSION",
    "REGION_ORIGINS",
    "TeamtailorConnector",
    "TeamtailorCredentials",
    "TeamtailorSettings",
]
