"""Workable: the SPI v3 (account access token) or, without one, the public widget API.

Applications go to the SPI v3 (`POST /spi/v3/jobs/{shortcode}/candidates`, JSON) with the
access token; after an ambiguous outcome the candidate is looked up by email on the job
(`GET /spi/v3/candidates`) before anything is sent again, and a second create of one email
on one job, which Workable refuses as "candidate already exists", counts as delivered.
"""

from __future__ import annotations

import re
from typing import Any

from embloy_ats.contract import (
    Application,
    Asked,
    ConfigurationError,
    Connector,
    ConnectorSettings,
    Credentials,
    EmbloyAtsError,
    Field,
    Job,
    JobNotFound,
    JsonValue,
    QuestionType,
    RateLimitPolicy,
    Receipt,
    Request,
    SecretStr,
    Subdomain,
    Verify,
    WayIn,
    bearer,
    parsing,
)

from embloy_ats_workable import application_form, apply, spi, widget

_MISSING_HINT = "Check subdomain: it is `acme` in acme.workable.com."


class WorkableSettings(ConnectorSettings):
    subdomain: Subdomain = Field(
        description="The account's subdomain: `acme` in acme.workable.com "
        "(or apply.workable.com/acme).",
    )


class WorkableCredentials(Credentials):
    access_token: SecretStr | None = Field(
        default=None,
        description="An account API access token with the r_jobs scope (Settings > Integrations "
        "> Apps > API access tokens); to submit applications also w_candidates, and "
        "r_candidates for the lookup. Without it, only published jobs are read, from the "
        "public careers-page API, without application questions, and none is submitted.",
    )


def _spi_fields(job: dict[str, Any], form: dict[str, Any]) -> dict[str, Any]:
    return {**spi.job_fields(job), "questions": application_form.questions(form)}


def _published(data: JsonValue, asked: Asked) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The account's job list and the entries of this job in it (one per place)."""
    account = parsing.require_object(data, what="an account's job list")
    entries = widget.entries_for(account, asked.job_id)
    if not entries:
        raise JobNotFound(
            f"is not among the published jobs of account {asked.settings.subdomain!r}",
            hint="Check the shortcode and subdomain; drafts and internal jobs are only "
            "readable with an access_token.",
        )
    return account, entries


class WorkableConnector(Connector[WorkableSettings, WorkableCredentials]):
    mode = "workable"
    display_name = "Workable"
    # Shortcodes are system-generated: ten upper-case hex characters on every live account
    # seen (9CD658E13E, 3862836931), eight upper-case letters and digits in Workable's own
    # reference examples (GROOV005). Nothing else is sent.
    job_id_pattern = re.compile(r"[0-9A-F]{10}|[0-9A-Z]{8}")
    job_id_format = (
        "job shortcode: 10 upper-case hex characters (`9CD658E13E` in "
        "apply.workable.com/j/9CD658E13E), or 8 upper-case letters and digits (`GROOV005`)"
    )
    rate_limit = RateLimitPolicy(
        10,
        10.0,
        note="Workable API reference, 'Rate limiting': 10 requests / 10 s per account token "
        "(OAuth and partner tokens: 50); the public widget API documents none, same cap",
    )
    supports_questions = True
    supports_compensation = True
    docs_url = "https://workable.readme.io/reference/jobsshortcode"

    # -- applications ---------------------------------------------------------------------
    # Submissions count against `rate_limit` (10 requests per 10 s per account token),
    # booked per tenant by every worker together.

    async def submit_application(self, job: Job, application: Application) -> Receipt:
        """One create call with `sourced: false`; the answer's candidate decides."""
        try:
            if self.credentials.access_token is None:
                raise ConfigurationError(
                    "submitting applications needs the credential 'access_token'",
                    hint="Generate an account API access token with the r_jobs, "
                    "w_candidates and r_candidates scopes.",
                )
            fetched = await self.request_json(
                "POST",
                "/spi/v3/jobs/{job_id}/candidates",
                job_id=job.external_id,
                json_body=apply.body(job, application),
                ok_statuses=frozenset({422}),
            )
            return apply.receipt(fetched, application)
        except EmbloyAtsError as exc:
            raise exc.locate(self.mode, job.external_id) from None

    async def find_application(self, job: Job, application: Application) -> Receipt | None:
        """`GET /spi/v3/candidates?email=&shortcode=`: this candidate on this job, created
        since the application was accepted."""
        email = application.answer_of_type(job, QuestionType.EMAIL)
        if not isinstance(email, str) or self.credentials.access_token is None:
            return None  # Workable requires an email; without a token nothing was sent
        try:
            fetched = await self.request_json(
                "GET",
                "/spi/v3/candidates",
                job_id=job.external_id,
                params={"email": email, "shortcode": job.external_id, "limit": "100"},
            )
        except EmbloyAtsError as exc:
            raise exc.locate(self.mode, job.external_id) from None
        return apply.candidate_of(fetched.data, job, application)

    ways_in = (
        # One request after the other: a job that does not exist costs one of the budget.
        WayIn(
            "SPI v3",
            origin="https://{subdomain}.workable.com",
            auth=bearer("access_token"),
            job=Request("/spi/v3/jobs/{job_id}", id_field="shortcode"),
            also=(Request("/spi/v3/jobs/{job_id}/application_form", what="application form"),),
            mapper=_spi_fields,
            # API reference, "/jobs": `limit` is the page size; r_jobs like the job request.
            verify=Verify(
                "/spi/v3/jobs",
                params={"limit": "1"},
                missing="has no account {subdomain!r} (SPI v3)",
                missing_hint=_MISSING_HINT,
                errors={403: "Generate the access token with the r_jobs scope."},
            ),
        ),
        # The whole account's published jobs in one answer, without questions.
        WayIn(
            "public widget API",
            origin="https://apply.workable.com",
            job=Request(
                "/api/v1/widget/accounts/{subdomain}",
                params={"details": "true"},
                envelope=_published,
            ),
            mapper=lambda published: widget.job_fields(*published),
            verify=Verify(
                "/api/v1/widget/accounts/{subdomain}",
                missing="has no account {subdomain!r} on its public careers API",
                missing_hint=_MISSING_HINT,
            ),
        ),
    )
