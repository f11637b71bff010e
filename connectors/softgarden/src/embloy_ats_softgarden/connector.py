"""Softgarden: the Frontend API v3 with a client id, else the career site's public feed.

With `client_id` (+ setting `channel_id`): `GET https://api.softgarden.io/api/rest/v3/
frontend/jobslist/{channel_id}/job/{jobDbId}` (HTTP Basic, the client id as user name and an
empty password; with a `client_secret`, a client access token instead), then the job's
questions and the catalog labels its ids refer to. Without: the career site's schema.org
feed `https://{career_site}.career.softgarden.de/jobs.feed.json`, from which the one job is
picked. `base_url` replaces the origin of whichever of the two is in use.
"""

from __future__ import annotations

from typing import Self

from embloy_ats.contract import (
    NUMERIC_ID,
    Auth,
    AuthKind,
    AuthSpec,
    BasicAuth,
    Connector,
    ConnectorSettings,
    Credentials,
    ErrorRule,
    Field,
    JobNotFound,
    OAuth2Token,
    PathSegment,
    RateLimitPolicy,
    Request,
    SecretStr,
    Subdomain,
    Verify,
    WayIn,
    field_validator,
    model_validator,
)

from embloy_ats_softgarden import feed, frontend

V3 = "/api/rest/v3/frontend"
#: the token endpoint of softgarden's OAuth (client access tokens), on the API origin.
TOKEN_PATH = "/api/rest/oauth/frontend/token"  # noqa: S105 (a path, not a secret)
#: a career site's feed lists every open job in full: allow it more than the core's 5 MiB.
FEED_MAX_BYTES = 32 * 1024 * 1024


class SoftgardenSettings(ConnectorSettings):
    career_site: Subdomain | None = Field(
        default=None,
        description="The career site's name: `acme` in acme.career.softgarden.de (for the "
        "public feed, used without a client_id).",
    )
    channel_id: PathSegment | None = Field(
        default=None,
        description="The Frontend API channel, e.g. `125411_extern` (`GET "
        "/api/rest/v3/frontend/jobslist/channels` lists the client's); needed with client_id.",
    )
    locale: str = Field(
        default="en",
        pattern=r"^[a-z]{2}$",
        description="ISO 639-1 language of catalog labels and content (Frontend API: "
        "`locale` and Accept-Language); default `en`.",
    )

    @field_validator("locale", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value


class SoftgardenCredentials(Credentials):
    client_id: SecretStr | None = Field(
        default=None,
        description="The Frontend API client id softgarden issues per customer (ask your "
        "softgarden contact). Without it, only the career site's public feed is read, "
        "without questions.",
    )
    client_secret: SecretStr | None = Field(
        default=None,
        description="The client secret, where softgarden issued the client id with one: the "
        "API is then called with a client access token instead of Basic auth.",
    )

    @model_validator(mode="after")
    def _secret_needs_id(self) -> Self:
        if self.client_secret is not None and self.client_id is None:
            raise ValueError("client_secret needs the client_id it was issued with")
        return self


def _frontend_auth(connector: SoftgardenConnector) -> Auth:
    """Basic with the client id and an empty password; a client with a secret must use a
    client access token (softgarden: Basic authorization)."""
    creds = connector.credentials
    assert creds.client_id is not None  # this way in is chosen by it
    if creds.client_secret is None:
        return BasicAuth(creds.client_id)
    return OAuth2Token(
        token_url=connector.base_url + TOKEN_PATH,
        client_id=creds.client_id,
        client_secret=creds.client_secret,
        client_auth="basic",
    )


_INACTIVE = ErrorRule(
    JobNotFound,
    "says the job is no longer active (HTTP {status})",
    hint="The posting was closed or unpublished in softgarden.",
)


class SoftgardenConnector(Connector[SoftgardenSettings, SoftgardenCredentials]):
    mode = "softgarden"
    display_name = "Softgarden"
    job_id_pattern = NUMERIC_ID
    job_id_format = "numeric jobDbId (`32701543` in acme.career.softgarden.de/jobs/32701543/...)"
    rate_limit = RateLimitPolicy(
        50,
        10.0,
        note="no limit documented by softgarden (dev.softgarden.de, Frontend API v3 and "
        "career-site feed); polite cap",
    )
    max_body_bytes = FEED_MAX_BYTES
    supports_questions = True
    supports_compensation = True
    docs_url = "https://dev.softgarden.de/frontend-v3/"
    ways_in = (
        WayIn(
            "Frontend API v3",
            origin="https://api.softgarden.io",
            auth=AuthSpec(
                (AuthKind.BASIC, AuthKind.OAUTH2_CLIENT_CREDENTIALS),
                ("client_id", "client_secret"),
                _frontend_auth,
            ),
            job=Request(
                V3 + "/jobslist/{channel_id}/job/{job_id}",
                headers={"Accept-Language": "{locale}"},
                envelope=frontend.answered_job,
            ),
            also=(
                Request(
                    V3 + "/jobs/{job_id}/questions",
                    headers={"Accept-Language": "{locale}"},
                    envelope=frontend.question_list,
                    what="question list",
                ),
                *(
                    Request(
                        f"{V3}/catalogs/{name}",
                        params={"locale": "{locale}"},
                        envelope=frontend.catalog,
                        what="catalog",
                    )
                    for name in frontend.CATALOGS
                ),
            ),
            mapper=frontend.job_fields,
            errors={
                # dev.softgarden.de, Frontend API v3: 403 when the posting is not accessible
                # (e.g. on an internal channel), 410 "JobPosting inactive".
                403: "The posting is not accessible through channel {channel_id!r} (an "
                "internal channel, or a client id without access to it).",
                404: "Check the job id and channel_id: the channel must list the job.",
                410: _INACTIVE,
            },
            # The channel's job list: the client id and the channel in one request.
            verify=Verify(
                V3 + "/jobslist/{channel_id}",
                missing="knows no channel {channel_id!r} for this client id",
                missing_hint="Check channel_id: GET /api/rest/v3/frontend/jobslist/channels "
                "lists the channels a client id may read.",
            ),
        ),
        WayIn(
            "career-site feed",
            origin="https://{career_site}.career.softgarden.de",
            job=Request(
                "/jobs.feed.json",
                envelope=feed.posting_for,
                keep=feed.keep_posting,
                what="job feed",
            ),
            mapper=feed.posting_fields,
            verify=Verify(
                "/jobs.feed.json",
                missing="has no career site {career_site!r}",
                missing_hint="Check career_site: it is `acme` in acme.career.softgarden.de.",
            ),
        ),
    )


__all__ = ["SoftgardenConnector", "SoftgardenCredentials", "SoftgardenSettings"]
