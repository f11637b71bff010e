"""Lever: the authenticated API when credentials are given, else the public Postings API.

Applications go through the Lever API (`POST /v1/postings/{id}/apply`) with its credentials,
else through the Postings API (`POST /v0/postings/{site}/{id}?key=`) with the
`postings_api_key`; after an ambiguous outcome the Lever API looks the candidate up by email
on the posting, and the Postings API (no lookup) resends: Lever merges applications by email.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any, Literal, Self

from embloy_ats.contract import (
    Application,
    Asked,
    Auth,
    AuthKind,
    AuthSpec,
    BasicAuth,
    ConfigurationError,
    Connector,
    ConnectorSettings,
    Credentials,
    EmbloyAtsError,
    Envelope,
    Fetched,
    Field,
    HeaderAuth,
    Job,
    JobNotFound,
    JsonValue,
    OAuth2Token,
    PathSegment,
    PayloadError,
    QuestionType,
    RateLimitPolicy,
    Receipt,
    Request,
    SecretStr,
    Verify,
    WayIn,
    by_setting,
    model_validator,
    parsing,
    submitting,
)

from embloy_ats_lever import apply, apply_form, data_api, postings_api

#: Lever's OAuth token endpoint (its API docs, "OAuth"); EU accounts use the same one.
LEVER_TOKEN_URL = "https://auth.lever.co/oauth/token"  # noqa: S105 - a URL, not a secret
_ORIGINS = {"global": "https://api.lever.co", "eu": "https://api.eu.lever.co"}
#: Lever posting ids are UUIDs written in lower case; other spellings are not its ids.
LEVER_POSTING_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
#: the Postings API's own limit on applications (its README, "Apply to a job posting").
POSTINGS_APPLY_RATE_LIMIT = RateLimitPolicy(
    2, 1.0, note="Lever Postings API: 2 application POSTs per second, 429 above"
)
#: pages of `GET /v1/opportunities` a lookup reads (one candidate on one posting: a few).
_LOOKUP_PAGES = 5


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
    postings_api_key: SecretStr | None = Field(
        default=None,
        description="Postings API key (a Super Admin creates it under Settings > Integrations "
        "and API): submits applications through the Postings API when no Lever API "
        "credentials are given (needs `site`).",
    )

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
    questions = submitting.with_standard_questions(
        apply_form.questions(form), apply.REQUIRED_QUESTIONS
    )
    return {**data_api.job_fields(posting), "questions": questions}


def _postings_api_fields(posting: dict[str, Any]) -> dict[str, Any]:
    """The Postings API publishes no form: a job carries the fields its apply takes."""
    return {**postings_api.job_fields(posting), "questions": apply.STANDARD_QUESTIONS}


def _opportunities(page: Fetched) -> list[dict[str, Any]]:
    data = parsing.obj(page.data).get("data")
    if not isinstance(data, list):
        raise PayloadError("answered opportunities without a `data` list")
    return [item for item in data if isinstance(item, dict)]


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

    submit_credentials = ("postings_api_key",)

    def check_config(self) -> None:
        if self.settings.oauth_token_url is not None:  # checked even when unused
            self.checked_url(self.settings.oauth_token_url, "oauth_token_url")

    # -- applications ---------------------------------------------------------------------

    @property
    def _through_api(self) -> bool:
        """Applications go through the Lever API whenever its credentials are given."""
        return self.way_in is not None and bool(self.way_in.auth.credentials)

    @property
    def submit_rate_limit(self) -> RateLimitPolicy | None:
        """The Postings API's 2 per second; the Lever API's general limit otherwise."""
        return None if self._through_api else POSTINGS_APPLY_RATE_LIMIT

    @property
    def resend_after_unknown_outcome(self) -> bool:
        """The Postings API cannot look applications up; Lever merges a second application
        by the same email into the first, so resending is what is left (and safe)."""
        return not self._through_api

    @property
    def find_application(
        self,
    ) -> Callable[[Job, Application], Awaitable[Receipt | None]] | None:
        """The lookup after an ambiguous outcome: the Lever API only."""
        return self._find_opportunity if self._through_api else None

    async def submit_application(self, job: Job, application: Application) -> Receipt:
        """One application, through the Lever API or else the Postings API."""
        try:
            if self._through_api:
                return await self._apply_through_api(job, application)
            return await self._apply_through_postings_api(job, application)
        except EmbloyAtsError as exc:
            raise exc.locate(self.mode, job.external_id) from None

    async def _apply_through_postings_api(self, job: Job, application: Application) -> Receipt:
        key = self.credentials.postings_api_key
        if key is None:
            raise ConfigurationError(
                "submitting applications needs the credential 'postings_api_key' (or the "
                "Lever API credentials)",
                hint="A Super Admin creates a Postings API key under Settings > Integrations "
                "and API > API Credentials.",
            )
        form, files = apply.postings_form(job, application)
        fetched = await self.request_json(
            "POST",
            "/v0/postings/{site}/{job_id}",
            job_id=job.external_id,
            params={"key": key.get_secret_value()},
            form=form,
            files=files,
            ok_statuses=frozenset({400, 422}),
            rate_limit=POSTINGS_APPLY_RATE_LIMIT,
        )
        return apply.postings_receipt(fetched, application)

    async def _apply_through_api(self, job: Job, application: Application) -> Receipt:
        """Each file uploaded first (`POST /v1/uploads`, its uri valid for about a day),
        then the application with the uris, all within this one attempt."""
        uploads: dict[str, str] = {}
        for question in job.questions:
            for file in application.files.get(question.id, ())[:1]:  # one file per field
                uploaded = await self.request_json(
                    "POST",
                    "/v1/uploads",
                    job_id=job.external_id,
                    files=[("file", (file.name, file.data, file.content_type))],
                )
                uploads[question.id] = apply.upload_uri(uploaded)
        fetched = await self.request_json(
            "POST",
            "/v1/postings/{job_id}/apply",
            job_id=job.external_id,
            json_body=apply.api_body(job, application, uploads),
            ok_statuses=frozenset({400, 422}),
        )
        return apply.api_receipt(fetched, application)

    async def _find_opportunity(self, job: Job, application: Application) -> Receipt | None:
        """`GET /v1/opportunities?email=&posting_id=`: the candidate's opportunities on
        this posting, one made since the application was accepted."""
        email = application.answer_of_type(job, QuestionType.EMAIL)
        if not isinstance(email, str):
            return None  # Lever requires an email: nothing without one was saved
        query = {"email": email, "posting_id": job.external_id, "limit": "100"}

        def following(page: Fetched) -> dict[str, str] | None:
            data = parsing.obj(page.data)
            offset = parsing.text(data.get("next"))
            return {**query, "offset": offset} if data.get("hasNext") is True and offset else None

        try:
            async for page in self.pages(
                "/v1/opportunities",
                job_id=job.external_id,
                params=query,
                following=following,
                max_pages=_LOOKUP_PAGES,
            ):
                found = apply.opportunity_of(_opportunities(page), application)
                if found is not None:
                    return found
        except EmbloyAtsError as exc:
            raise exc.locate(self.mode, job.external_id) from None
        return None

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
            mapper=_postings_api_fields,
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
