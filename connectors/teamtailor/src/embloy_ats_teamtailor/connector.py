"""Teamtailor: the JSON:API `GET /v1/jobs/{id}` with an API key, on the account's region host."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from embloy_ats import (
    AuthenticationFailed,
    Connector,
    ConnectorSettings,
    Credentials,
    Job,
    JobNotFound,
    PayloadError,
    RateLimitPolicy,
    RequestRejected,
)
from embloy_ats.auth import Auth, AuthKind, HeaderAuth
from embloy_ats.parsing import require_object, require_text
from embloy_ats.validation import NUMERIC_ID
from pydantic import Field, SecretStr, field_validator

from embloy_ats_teamtailor import job as job_api
from embloy_ats_teamtailor import jsonapi

#: API origin per data region (Teamtailor support: "Use our Teamtailor API").
REGION_ORIGINS = {
    "eu": "https://api.teamtailor.com",
    "na": "https://api.na.teamtailor.com",
}
#: The dated API version sent in the mandatory `X-Api-Version` header.
DEFAULT_API_VERSION = "20240904"


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
        "and archived ones, Admin everything.",
    )


class TeamtailorConnector(Connector):
    mode: ClassVar[str] = "teamtailor"
    display_name: ClassVar[str] = "Teamtailor"
    settings_model = TeamtailorSettings
    credentials_model = TeamtailorCredentials
    auth_kinds = (AuthKind.API_KEY_HEADER,)
    job_id_pattern = NUMERIC_ID
    job_id_format = (
        "numeric job id (`7263` in career.teamtailor.com/jobs/7263-account-manager or "
        "api.teamtailor.com/v1/jobs/7263)"
    )
    default_base_url = REGION_ORIGINS["eu"]
    rate_limit = RateLimitPolicy(
        50,
        10.0,
        note="Teamtailor API docs, 'Rate Limit': X-Rate-Limit-Limit/-Remaining/-Reset headers "
        "on every answer, no number documented; polite cap, and the headers pause us",
    )
    supports_questions = True
    supports_compensation = True
    docs_url = "https://docs.teamtailor.com/"

    settings: TeamtailorSettings
    credentials: TeamtailorCredentials

    def api_origin(self) -> str:
        return REGION_ORIGINS[self.settings.region]

    def make_auth(self) -> Auth:
        return HeaderAuth(
            "Authorization", self.credentials.api_key, "Token token={}", AuthKind.API_KEY_HEADER
        )

    async def verify(self) -> str:
        """`GET /v1/jobs?page[size]=1` (docs: "List Jobs" and "Pagination", page size 1 to
        30): the key, the region and the API version in one request. Only the status is read.
        """
        try:
            await self.verify_request(
                "GET",
                "/v1/jobs",
                params={"page[size]": "1"},
                headers={"X-Api-Version": self.settings.api_version},
                missing="answered 404 for /v1/jobs: this base_url serves no Teamtailor API",
                missing_hint="Check the region and base_url settings.",
                unauthorized_hint="Check the api_key and the region setting: a key of an "
                f"account on the other stack is rejected too (this went to {self.base_url}).",
                forbidden_hint="Give the API key read permission "
                "(Settings > Integrations > API keys).",
            )
        except RequestRejected as exc:
            if exc.status_code != 406:
                raise
            raise RequestRejected(
                f"refused the API version {self.settings.api_version!r} (HTTP 406)",
                connector=self.mode,
                status_code=406,
                request_id=exc.request_id,
                hint="Set the `api_version` setting to the current version named in "
                "Teamtailor's API changelog.",
            ) from None
        return f"API key accepted on {self.base_url}: GET /v1/jobs?page[size]=1 answered"

    async def load_job(self, job_id: str) -> Job:
        try:
            fetched = await self.get_json(
                "/v1/jobs/{job_id}",
                job_id=job_id,
                params={"include": job_api.INCLUDE},
                headers={"X-Api-Version": self.settings.api_version},
            )
        except AuthenticationFailed as exc:
            # A key of the other region's stack is as unknown as a wrong key: say both.
            raise AuthenticationFailed(
                exc.message,
                connector=self.mode,
                job_id=job_id,
                status_code=exc.status_code,
                request_id=exc.request_id,
                hint="Check the api_key and the region setting: a key of an account on the "
                f"other stack is rejected too (this request went to {self.base_url}).",
            ) from None
        except JobNotFound as exc:
            raise JobNotFound(
                exc.message,
                connector=self.mode,
                job_id=job_id,
                status_code=exc.status_code,
                request_id=exc.request_id,
                hint="Check the job id; a Public-scope API key only sees published jobs, "
                "internal, unlisted and archived ones need an Internal or Admin key.",
            ) from None
        except RequestRejected as exc:
            if exc.status_code != 406:
                raise
            # Teamtailor: 406 "Invalid/Missing API Version" (JSON:API errors body).
            raise RequestRejected(
                f"refused the API version {self.settings.api_version!r} (HTTP 406)",
                connector=self.mode,
                job_id=job_id,
                status_code=406,
                request_id=exc.request_id,
                hint="Set the `api_version` setting to the current version named in "
                "Teamtailor's API changelog.",
            ) from None
        document = require_object(
            fetched.data, connector=self.mode, job_id=job_id, what="a JSON:API document"
        )
        resource = require_object(
            document.get("data"), connector=self.mode, job_id=job_id, what="a job resource"
        )
        kind = resource.get("type")
        if kind is not None and kind != "jobs":
            raise PayloadError(
                "answered a resource that is not a job", connector=self.mode, job_id=job_id
            )
        external_id = require_text(resource, "id", connector=self.mode, job_id=job_id)
        if external_id != job_id:
            raise PayloadError(
                f"answered job {external_id[:32]!r} when asked for this one",
                connector=self.mode,
                job_id=job_id,
            )
        require_text(jsonapi.attributes(resource), "title", connector=self.mode, job_id=job_id)
        return self.new_job(
            external_id=external_id,
            fetched=[fetched],
            **job_api.job_fields(document, resource),
        )


__all__ = [
    "DEFAULT_API_VERSION",
    "REGION_ORIGINS",
    "TeamtailorConnector",
    "TeamtailorCredentials",
    "TeamtailorSettings",
]
