"""Teamtailor: the JSON:API `GET /v1/jobs/{id}` with an API key, on the account's region host."""

from __future__ import annotations

from typing import Any, Literal

from embloy_ats.contract import (
    NUMERIC_ID,
    Connector,
    ConnectorSettings,
    Credentials,
    ErrorRule,
    Field,
    RateLimitPolicy,
    Request,
    RequestRejected,
    SecretStr,
    Verify,
    WayIn,
    api_key_header,
    by_setting,
    field_validator,
    jsonapi,
)

from embloy_ats_teamtailor import job as job_api

#: API origin per data region (Teamtailor support: "Use our Teamtailor API").
REGION_ORIGINS = {
    "eu": "https://api.teamtailor.com",
    "na": "https://api.na.teamtailor.com",
}
#: The dated API version sent in the mandatory `X-Api-Version` header.
DEFAULT_API_VERSION = "20240904"
_VERSION = {"X-Api-Version": "{api_version}"}


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
    supports_compensation = True
    docs_url = "https://docs.teamtailor.com/"
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
