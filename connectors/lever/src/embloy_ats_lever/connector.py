"""Lever: the authenticated API when credentials are given, else the public Postings API."""

from __future__ import annotations

import re
from typing import Any, Literal, Self

from embloy_ats.contract import (
    Asked,
    Auth,
    AuthKind,
    AuthSpec,
    BasicAuth,
    Connector,
    ConnectorSettings,
    Credentials,
    Envelope,
    Field,
    HeaderAuth,
    JobNotFound,
    JsonValue,
    OAuth2Token,
    PathSegment,
    PayloadError,
    RateLimitPolicy,
    Request,
    SecretStr,
    Verify,
    WayIn,
    by_setting,
    model_validator,
    parsing,
)

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


def _lever_auth(connector: LeverConnector) -> Auth:
    """An API key as Basic user; else an OAuth access token, refreshed when the refresh set
    is given (the token URL was checked with the settings)."""
    creds, settings = connector.credentials, connector.settings
    if creds.api_key is not None:
        return BasicAuth(creds.api_key)
    if creds.refresh_token is not None and creds.client_id and creds.client_secret:
        return OAuth2Token(
            token_url=settings.oauth_token_url or LEVER_TOKEN_URL,
            client_id=creds.client_id,
            client_secret=creds.client_secret,
            refresh_token=creds.refresh_token,
            access_token=creds.access_token,
        )
    assert creds.access_token is not None  # the credentials model allows no other set
    return HeaderAuth("Authorization", creds.access_token, "Bearer {}")


def _answer(data: JsonValue, what: str) -> dict[str, Any]:
    """Lever's error shape is `{"ok": false, "error": "..."}`, whose text is never echoed."""
    payload = parsing.require_object(data, what=what)
    if payload.get("ok") is False:
        if "not found" in (parsing.text(payload.get("error")) or "").casefold():
            raise JobNotFound("has no such posting")
        raise PayloadError(f"answered an error instead of {what}")
    return payload


def _posting(data: JsonValue, asked: Asked) -> dict[str, Any]:
    return _answer(data, "a posting")


def _data(what: str) -> Envelope:
    """The authenticated API wraps every answer in `{"data": ...}`."""

    def envelope(data: JsonValue, asked: Asked) -> dict[str, Any]:
        wrapped = _answer(data, what).get("data")
        if not isinstance(wrapped, dict):
            raise PayloadError(f"answered without a `data` object where {what} was expected")
        return wrapped

    return envelope


def _questions_of(data: JsonValue, asked: Asked) -> dict[str, Any]:
    form: dict[str, Any] = _data("the application questions")(data, asked)
    if parsing.text(form.get("id")) is not None:
        parsing.require_id(form, "id", asked.job_id, what="posting")
    return form


def _data_api_fields(posting: dict[str, Any], form: dict[str, Any]) -> dict[str, Any]:
    return {**data_api.job_fields(posting), "questions": apply_form.questions(form)}


class LeverConnector(Connector[LeverSettings, LeverCredentials]):
    mode = "lever"
    display_name = "Lever"
    job_id_pattern = LEVER_POSTING_ID
    job_id_format = "posting id, a lower-case UUID (the last path segment of jobs.lever.co URLs)"
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

    def check_config(self) -> None:
        if self.settings.oauth_token_url is not None:  # checked even when unused
            self.checked_url(self.settings.oauth_token_url, "oauth_token_url")

    # verify(): one posting from a list, `GET /v0/postings/{site}?limit=1&mode=json`
    # (Postings API README, "Get a list of job postings") or `GET /v1/postings?limit=1`
    # (Lever API docs, "List all postings"). Only the status is read.
    ways_in = (
        WayIn(
            "public Postings API",
            origin=by_setting("region", _ORIGINS),
            job=Request(
                "/v0/postings/{site}/{job_id}",
                params={"mode": "json"},
                envelope=_posting,
                id_field="id",
                what="posting",
            ),
            mapper=postings_api.job_fields,
            verify=Verify(
                "/v0/postings/{site}",
                params={"limit": "1", "mode": "json"},
                missing="has no job site {site!r}",
                missing_hint="Check site (`acme` in jobs.lever.co/acme) and region.",
            ),
        ),
        # Whenever credentials are given: it has the application questions.
        WayIn(
            "authenticated API",
            origin=by_setting("region", _ORIGINS),
            auth=AuthSpec(
                (AuthKind.BASIC, AuthKind.BEARER, AuthKind.OAUTH2_REFRESH_TOKEN),
                ("api_key", "access_token", "refresh_token", "client_id", "client_secret"),
                _lever_auth,
            ),
            job=Request(
                "/v1/postings/{job_id}", envelope=_data("a posting"), id_field="id", what="posting"
            ),
            also=(Request("/v1/postings/{job_id}/apply", envelope=_questions_of),),
            mapper=_data_api_fields,
            verify=Verify(
                "/v1/postings",
                params={"limit": "1"},
                missing="answered 404 for /v1/postings: this base_url serves no Lever API",
                missing_hint="Check the region and base_url settings.",
                errors={403: "Give the API key (or the OAuth app) read access to postings."},
            ),
        ),
    )
