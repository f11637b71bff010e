"""Lever: the authenticated API when credentials are given, else the public Postings API."""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal, Self

from embloy_ats import (
    ConfigurationError,
    Connector,
    ConnectorSettings,
    Credentials,
    Fetched,
    Job,
    JobNotFound,
    PayloadError,
    RateLimitPolicy,
)
from embloy_ats.auth import Auth, AuthKind, BasicAuth, HeaderAuth, NoAuth, OAuth2Token
from embloy_ats.parsing import obj, require_object, require_text, text
from embloy_ats.validation import PathSegment, check_base_url, private_network_allowed
from pydantic import Field, SecretStr, model_validator

from embloy_ats_lever import apply_form, data_api, postings_api

#: Lever's OAuth token endpoint (its API docs, "OAuth"); EU accounts use the same one.
LEVER_TOKEN_URL = "https://auth.lever.co/oauth/token"  # noqa: S105 - a URL, not a secret
_ORIGINS = {"global": "https://api.lever.co", "eu": "https://api.eu.lever.co"}
#: Lever posting ids are UUIDs written in lower case; other spellings are not its ids.
LEVER_POSTING_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class LeverSettings(ConnectorSettings):
    site: PathSegment | None = Field(
        default=None,
        description=(
            "The job site name: `acme` in jobs.lever.co/acme. Needed for the public Postings "
            "API, i.e. when no credentials are given."
        ),
    )
    region: Literal["global", "eu"] = Field(
        default="global",
        description="Lever instance: `global` (api.lever.co) or `eu` (api.eu.lever.co).",
    )
    oauth_token_url: str | None = Field(
        default=None,
        description=(
            f"OAuth token endpoint for the refresh-token grant; default {LEVER_TOKEN_URL} "
            "(set it for Lever's sandbox)."
        ),
    )


class LeverCredentials(Credentials):
    """Any one set: `api_key`; or `access_token`; or `access_token` with `refresh_token`,
    `client_id` and `client_secret` (the token is refreshed when it expires)."""

    api_key: SecretStr | None = Field(
        default=None, description="API key (Settings > Integrations and API > API Credentials)."
    )
    access_token: SecretStr | None = Field(default=None, description="OAuth access token.")
    refresh_token: SecretStr | None = Field(default=None, description="OAuth refresh token.")
    client_id: SecretStr | None = Field(default=None, description="OAuth app client id.")
    client_secret: SecretStr | None = Field(default=None, description="OAuth app client secret.")

    @model_validator(mode="after")
    def _one_complete_set(self) -> Self:
        refresh = (self.refresh_token, self.client_id, self.client_secret)
        oauth_given = self.access_token is not None or any(v is not None for v in refresh)
        if self.api_key is not None and oauth_given:
            raise ValueError("give either api_key or the OAuth credentials, not both")
        if any(v is not None for v in refresh) and not all(v is not None for v in refresh):
            raise ValueError(
                "refresh_token, client_id and client_secret are needed together to refresh "
                "the OAuth access token"
            )
        return self


class LeverConnector(Connector):
    mode: ClassVar[str] = "lever"
    display_name: ClassVar[str] = "Lever"
    settings_model = LeverSettings
    credentials_model = LeverCredentials
    auth_kinds = (
        AuthKind.NONE,
        AuthKind.BASIC,
        AuthKind.BEARER,
        AuthKind.OAUTH2_REFRESH_TOKEN,
    )
    job_id_pattern = LEVER_POSTING_ID
    job_id_format = "posting id, a lower-case UUID (the last path segment of jobs.lever.co URLs)"
    default_base_url = _ORIGINS["global"]
    rate_limit = RateLimitPolicy(
        10,
        1.0,
        note=(
            "Lever API docs: 10 requests/s per API key, bursts to 20; the Postings API "
            "documents no limit for reads, the same cap is kept"
        ),
    )
    supports_questions = True
    supports_compensation = True
    docs_url = "https://hire.lever.co/developer/documentation"

    settings: LeverSettings
    credentials: LeverCredentials

    def check_config(self) -> None:
        if self.settings.site is None and not self.credentials.provided():
            raise ConfigurationError(
                "setting 'site' is needed for the public Postings API (or give credentials "
                "for the authenticated API)",
                connector=self.mode,
            )

    def api_origin(self) -> str:
        return _ORIGINS[self.settings.region]

    def make_auth(self) -> Auth:
        creds = self.credentials
        token_url = self._token_url()  # checked even when unused: a bad setting is an error
        if creds.api_key is not None:
            return BasicAuth(creds.api_key)
        if creds.refresh_token is not None and creds.client_id and creds.client_secret:
            return OAuth2Token(
                token_url=token_url,
                client_id=creds.client_id,
                client_secret=creds.client_secret,
                refresh_token=creds.refresh_token,
                access_token=creds.access_token,
            )
        if creds.access_token is not None:
            return HeaderAuth("Authorization", creds.access_token, "Bearer {}")
        return NoAuth()

    def _token_url(self) -> str:
        allow_private = (
            self._http.allow_private_network
            if self._http is not None
            else private_network_allowed()
        )
        try:
            return check_base_url(
                self.settings.oauth_token_url or LEVER_TOKEN_URL,
                connector=self.mode,
                allow_private=allow_private,
            )
        except ConfigurationError as exc:
            raise ConfigurationError(
                f"setting 'oauth_token_url' is refused: {exc.message.replace('base_url', 'it')}",
                connector=self.mode,
                hint=exc.hint,
            ) from None

    @property
    def uses_data_api(self) -> bool:
        """The authenticated API whenever credentials are given (it has the questions)."""
        return self.credentials.provided()

    async def load_job(self, job_id: str) -> Job:
        if self.uses_data_api:
            return await self._load_from_data_api(job_id)
        return await self._load_from_postings_api(job_id)

    async def verify(self) -> str:
        """One posting from a list: `GET /v1/postings?limit=1` with the credentials (Lever
        API docs, "List all postings"), else `GET /v0/postings/{site}?limit=1&mode=json`
        (Postings API README, "Get a list of job postings"). Only the status is read."""
        if self.uses_data_api:
            await self.verify_request(
                "GET",
                "/v1/postings",
                params={"limit": "1"},
                missing="answered 404 for /v1/postings: this base_url serves no Lever API",
                missing_hint="Check the region and base_url settings.",
                forbidden_hint="Give the API key (or the OAuth app) read access to postings.",
            )
            return "authenticated API: GET /v1/postings?limit=1 answered"
        site = self.settings.site
        if site is None:  # check_config refuses this; kept for the type checker
            raise ConfigurationError("setting 'site' is missing", connector=self.mode)
        await self.verify_request(
            "GET",
            "/v0/postings/{site}",
            params={"limit": "1", "mode": "json"},
            site=site,
            missing=f"has no job site {site!r}",
            missing_hint="Check site (`acme` in jobs.lever.co/acme) and region.",
        )
        return f"Postings API: job site {site!r} exists (GET /v0/postings/{site}?limit=1)"

    # -- the public Postings API --------------------------------------------------------------

    async def _load_from_postings_api(self, job_id: str) -> Job:
        site = self.settings.site
        if site is None:  # check_config refuses this; kept for the type checker
            raise ConfigurationError("setting 'site' is missing", connector=self.mode)
        fetched = await self.get_json(
            "/v0/postings/{site}/{job_id}", job_id=job_id, params={"mode": "json"}, site=site
        )
        payload = self._object(fetched, job_id, "a posting")
        self._check_posting_id(payload, job_id)
        return self.new_job(
            external_id=job_id, fetched=[fetched], **postings_api.job_fields(payload)
        )

    # -- the authenticated API ----------------------------------------------------------------

    async def _load_from_data_api(self, job_id: str) -> Job:
        posting_fetch = await self.get_json("/v1/postings/{job_id}", job_id=job_id)
        posting = self._data(posting_fetch, job_id, "a posting")
        self._check_posting_id(posting, job_id)
        apply_fetch = await self.get_json("/v1/postings/{job_id}/apply", job_id=job_id)
        form = self._data(apply_fetch, job_id, "the application questions")
        form_id = text(form.get("id"))
        if form_id is not None and form_id != job_id:
            raise PayloadError(
                "answered the application questions of another posting",
                connector=self.mode,
                job_id=job_id,
            )
        return self.new_job(
            external_id=job_id,
            fetched=[posting_fetch, apply_fetch],
            questions=apply_form.questions(form),
            **data_api.job_fields(posting),
        )

    # -- shared checks ------------------------------------------------------------------------

    def _object(self, fetched: Fetched, job_id: str, what: str) -> dict[str, Any]:
        payload = require_object(fetched.data, connector=self.mode, job_id=job_id, what=what)
        if payload.get("ok") is False:
            # Lever's error shape ({"ok": false, "error": "..."}); never echo its text.
            error = (text(payload.get("error")) or "").casefold()
            if "not found" in error:
                raise JobNotFound(
                    "has no such posting",
                    connector=self.mode,
                    job_id=job_id,
                    status_code=fetched.response.status_code,
                    request_id=fetched.response.request_id,
                )
            raise PayloadError(
                f"answered an error instead of {what}",
                connector=self.mode,
                job_id=job_id,
                status_code=fetched.response.status_code,
                request_id=fetched.response.request_id,
            )
        return payload

    def _data(self, fetched: Fetched, job_id: str, what: str) -> dict[str, Any]:
        """The authenticated API wraps every answer in `{"data": ...}`."""
        envelope = self._object(fetched, job_id, what)
        if not isinstance(envelope.get("data"), dict):
            raise PayloadError(
                f"answered without a `data` object where {what} was expected",
                connector=self.mode,
                job_id=job_id,
            )
        return obj(envelope["data"])

    def _check_posting_id(self, payload: dict[str, Any], job_id: str) -> None:
        posting_id = require_text(payload, "id", connector=self.mode, job_id=job_id)
        if posting_id != job_id:
            raise PayloadError(
                "answered another posting than the one asked for",
                connector=self.mode,
                job_id=job_id,
            )
        require_text(payload, "text", connector=self.mode, job_id=job_id)
