"""Workable: the SPI v3 (account access token) or, without one, the public widget API."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from embloy_ats import (
    Connector,
    ConnectorSettings,
    Credentials,
    Fetched,
    Job,
    JobNotFound,
    PayloadError,
    RateLimitPolicy,
)
from embloy_ats.auth import Auth, AuthKind, HeaderAuth, NoAuth
from embloy_ats.parsing import require_object, require_text
from embloy_ats.validation import Subdomain
from pydantic import Field, SecretStr

from embloy_ats_workable import application_form, spi, widget

#: Where the public widget API lives when no access token is given.
PUBLIC_ORIGIN = "https://apply.workable.com"


class WorkableSettings(ConnectorSettings):
    subdomain: Subdomain = Field(
        description="The account's subdomain: `acme` in acme.workable.com "
        "(or apply.workable.com/acme).",
    )


class WorkableCredentials(Credentials):
    access_token: SecretStr | None = Field(
        default=None,
        description="An account API access token with the r_jobs scope (Settings > Integrations "
        "> Apps > API access tokens). Without it, only published jobs are read, from the "
        "public careers-page API, without application questions.",
    )


class WorkableConnector(Connector):
    mode: ClassVar[str] = "workable"
    display_name: ClassVar[str] = "Workable"
    settings_model = WorkableSettings
    credentials_model = WorkableCredentials
    auth_kinds = (AuthKind.BEARER, AuthKind.NONE)
    # Shortcodes are system-generated: ten upper-case hex characters on every live account
    # seen (9CD658E13E, 3862836931), eight upper-case letters and digits in Workable's own
    # reference examples (GROOV005). Nothing else is sent.
    job_id_pattern = re.compile(r"[0-9A-F]{10}|[0-9A-Z]{8}")
    job_id_format = (
        "job shortcode: 10 upper-case hex characters (`9CD658E13E` in "
        "apply.workable.com/j/9CD658E13E), or 8 upper-case letters and digits (`GROOV005`)"
    )
    default_base_url = "https://{subdomain}.workable.com"
    rate_limit = RateLimitPolicy(
        10,
        10.0,
        note="Workable API reference, 'Rate limiting': 10 requests / 10 s per account token "
        "(OAuth and partner tokens: 50); the public widget API documents none, same cap",
    )
    supports_questions = True
    supports_compensation = True
    docs_url = "https://workable.readme.io/reference/jobsshortcode"

    settings: WorkableSettings
    credentials: WorkableCredentials

    @property
    def authenticated(self) -> bool:
        return self.credentials.access_token is not None

    def api_origin(self) -> str:
        if self.authenticated:
            return super().api_origin()
        return PUBLIC_ORIGIN

    def make_auth(self) -> Auth:
        token = self.credentials.access_token
        if token is None:
            return NoAuth()
        return HeaderAuth("Authorization", token, "Bearer {}")

    async def load_job(self, job_id: str) -> Job:
        if self.authenticated:
            return await self._load_from_spi(job_id)
        return await self._load_from_widget(job_id)

    async def verify(self) -> str:
        """With a token: `GET /spi/v3/jobs?limit=1` (API reference, "/jobs": `limit` is the
        page size; needs r_jobs like the job request). Without: the account's widget list
        without details. Only the status is read."""
        subdomain = self.settings.subdomain
        missing_hint = "Check subdomain: it is `acme` in acme.workable.com."
        if not self.authenticated:
            await self.verify_request(
                "GET",
                "/api/v1/widget/accounts/{subdomain}",
                subdomain=subdomain,
                missing=f"has no account {subdomain!r} on its public careers API",
                missing_hint=missing_hint,
            )
            return f"public widget API: account {subdomain!r} exists"
        await self.verify_request(
            "GET",
            "/spi/v3/jobs",
            params={"limit": "1"},
            missing=f"has no account {subdomain!r} (SPI v3)",
            missing_hint=missing_hint,
            forbidden_hint="Generate the access token with the r_jobs scope.",
        )
        return f"SPI v3: token accepted for {subdomain!r}, GET /spi/v3/jobs?limit=1 answered"

    async def _load_from_spi(self, job_id: str) -> Job:
        # One after the other: a job that does not exist costs one request of the budget.
        job_answer = await self.get_json("/spi/v3/jobs/{job_id}", job_id=job_id)
        job = self._object(job_answer, job_id, "a job")
        external_id = require_text(job, "shortcode", connector=self.mode, job_id=job_id)
        if external_id != job_id:
            raise PayloadError(
                f"answered job {external_id[:32]!r} when asked for this one",
                connector=self.mode,
                job_id=job_id,
            )
        form_answer = await self.get_json("/spi/v3/jobs/{job_id}/application_form", job_id=job_id)
        form = self._object(form_answer, job_id, "an application form")
        return self.new_job(
            external_id=external_id,
            fetched=[job_answer, form_answer],
            questions=application_form.questions(form),
            **spi.job_fields(job),
        )

    async def _load_from_widget(self, job_id: str) -> Job:
        answer = await self.get_json(
            "/api/v1/widget/accounts/{subdomain}",
            job_id=job_id,
            params={"details": "true"},
            subdomain=self.settings.subdomain,
        )
        account = self._object(answer, job_id, "an account's job list")
        entries = widget.entries_for(account, job_id)
        if not entries:
            raise JobNotFound(
                f"is not among the published jobs of account {self.settings.subdomain!r}",
                connector=self.mode,
                job_id=job_id,
                hint="Check the shortcode and subdomain; drafts and internal jobs are only "
                "readable with an access_token.",
            )
        return self.new_job(
            external_id=job_id, fetched=[answer], **widget.job_fields(account, entries)
        )

    def _object(self, answer: Fetched, job_id: str, what: str) -> dict[str, Any]:
        return require_object(answer.data, connector=self.mode, job_id=job_id, what=what)
