"""A minimal connector with credentials, for tests of what sits above connectors."""

from __future__ import annotations

from typing import ClassVar

from embloy_ats import Connector, ConnectorSettings, Credentials, Job, RateLimitPolicy
from embloy_ats.auth import Auth, AuthKind, BasicAuth
from embloy_ats.model import JobStatus
from embloy_ats.parsing import require_object, require_text, text
from embloy_ats.validation import NUMERIC_ID, PathSegment
from pydantic import SecretStr


class FakeSettings(ConnectorSettings):
    account: PathSegment = "acme"


class FakeCredentials(Credentials):
    api_key: SecretStr | None = None


class FakeConnector(Connector):
    """`GET /accounts/{account}/jobs/{id}` answering `{"id", "title", "status"}`."""

    mode: ClassVar[str] = "fake"
    display_name: ClassVar[str] = "Fake ATS"
    settings_model = FakeSettings
    credentials_model = FakeCredentials
    auth_kinds = (AuthKind.NONE, AuthKind.BASIC)
    job_id_pattern = NUMERIC_ID
    job_id_format = "numeric"
    default_base_url = "https://fake-ats.example"
    rate_limit = RateLimitPolicy(1000, 1.0)

    settings: FakeSettings
    credentials: FakeCredentials

    def make_auth(self) -> Auth:
        key = self.credentials.api_key
        return BasicAuth(key) if key is not None else super().make_auth()

    async def load_job(self, job_id: str) -> Job:
        fetched = await self.get_json(
            "/accounts/{account}/jobs/{job_id}", job_id=job_id, account=self.settings.account
        )
        payload = require_object(fetched.data, connector=self.mode, job_id=job_id, what="a job")
        return self.new_job(
            external_id=job_id,
            fetched=[fetched],
            title=require_text(payload, "title", connector=self.mode, job_id=job_id),
            status=JobStatus.parse(text(payload.get("status"))),
            description_html=text(payload.get("description")) or "",
        )
