"""Personio: jobs from the company's public career-site XML feed; applications through the
Recruiting API (documents first, then the application) when credentials are set.

`GET https://{company}.jobs.personio.{domain}/xml?language={language}` answers every
published position; the connector picks the one asked for and keeps nothing of the others.
Personio has no single-job endpoint with the job's content (the Recruiting API v2 jobs
answer metadata only, and not for every account). `base_url` replaces the feed's origin
and the Recruiting API's (a local fake serves both).
"""

from __future__ import annotations

import logging
from typing import Literal

from embloy_ats.contract import (
    NUMERIC_ID,
    Application,
    ConfigurationError,
    Connector,
    ConnectorSettings,
    Credentials,
    EmbloyAtsError,
    Fetched,
    Field,
    Job,
    OAuth2Token,
    PathSegment,
    RateLimitPolicy,
    Receipt,
    SecretStr,
    Subdomain,
    Verify,
    WayIn,
)

from embloy_ats_personio import apply, feed

log = logging.getLogger(__name__)

#: the Recruiting API (applications and their documents) and its token endpoint.
API_ORIGIN = "https://api.personio.de"
TOKEN_PATH = "/v2/auth/token"  # noqa: S105 - a path, not a secret
LANGUAGES = Literal["de", "en", "fr", "es", "nl", "it", "pt"]
_FEED_HEADERS = {"Accept": "application/xml, text/xml"}


class PersonioSettings(ConnectorSettings):
    company: Subdomain = Field(
        description="The career site's subdomain: `acme` in acme.jobs.personio.de.",
    )
    domain: Literal["de", "com"] = Field(
        default="de",
        description="`de` for acme.jobs.personio.de, `com` for acme.jobs.personio.com "
        "(newer and non-German accounts).",
    )
    language: LANGUAGES = Field(
        default="de",
        description="The language of the job texts the feed answers (Personio requires one).",
    )
    company_id: PathSegment | None = Field(
        default=None,
        description="Personio's numeric company id (`X-Company-ID`); needed to submit "
        "applications, unused for reading jobs.",
    )


class PersonioCredentials(Credentials):
    client_id: SecretStr | None = Field(
        default=None,
        description="API credentials (Settings > Integrations > API credentials) with "
        "access to Recruiting; only for submitting applications.",
    )
    client_secret: SecretStr | None = Field(
        default=None, description="The secret of those API credentials."
    )


async def _load(connector: PersonioConnector, job_id: str) -> Job:
    """The feed, once; the one position in it."""
    language = connector.settings.language
    answer = await connector.request_json(
        "GET",
        "/xml",
        job_id=job_id,
        params={"language": language},
        headers=_FEED_HEADERS,
        decode=lambda body: feed.position_of(body, job_id),
    )
    position = answer.data
    assert isinstance(position, dict)  # position_of answers an object or raises
    fields = feed.job_fields(
        position, language=language, posting_url=connector.url("/job/{job_id}", job_id=job_id)
    )
    fields["questions"] = apply.STANDARD_QUESTIONS  # the feed publishes no form
    # Job.raw keeps the position alone: never the company's other jobs.
    kept = Fetched(answer.path, position, answer.response)
    return connector.new_job(external_id=job_id, fetched=[kept], **fields)


class PersonioConnector(Connector[PersonioSettings, PersonioCredentials]):
    mode = "personio"
    display_name = "Personio"
    job_id_pattern = NUMERIC_ID
    job_id_format = "numeric position id (`/job/2415353` in the career-site URL)"
    # Personio documents no limit for the public feed; the feed is one request per job read.
    rate_limit = RateLimitPolicy(
        30, 60.0, note="no limit documented for the public XML feed; polite cap"
    )
    # The feed lists every published position of the company in one answer.
    max_body_bytes = 32 * 1024 * 1024
    docs_url = "https://developer.personio.de/docs/retrieving-open-job-positions"
    submit_credentials = ("client_id", "client_secret")
    #: Personio refuses documents over 20 MB (413): the apply page refuses them first, where
    #: the service's own cap (EMBLOY_ATS_APPLY_MAX_FILE_SIZE) is set above that.
    max_submit_file_bytes = apply.MAX_DOCUMENT_BYTES
    #: Personio: 20 requests per 60 s per company, documents and applications together. One
    #: application is at most `apply.MAX_REQUESTS` of them (each document, then itself);
    #: the worker books one turn per application, shared by all workers in the store.
    submit_rate_limit = RateLimitPolicy(
        20 // apply.MAX_REQUESTS,
        60.0,
        note="Personio Recruiting API: 20 requests per 60 s per company, documents and "
        f"applications combined; an application takes up to {apply.MAX_REQUESTS}",
    )
    #: each request of a submission also keeps to Personio's own figure, in this process.
    api_rate_limit = RateLimitPolicy(
        20, 60.0, note="Personio Recruiting API: 20 requests per 60 s per company"
    )
    #: A repeated application of one email to one position is refused as
    #: `applicant-already-exists`, which counts as delivered: resending after an ambiguous
    #: outcome cannot make a second application.
    resend_after_unknown_outcome = True

    ways_in = (
        WayIn(
            "career-site XML feed",
            origin="https://{company}.jobs.personio.{domain}",
            load=_load,
            verify=Verify(
                "/xml",
                params={"language": "{language}"},
                headers=_FEED_HEADERS,
                decode=feed.is_feed,
                missing="has no career site {company!r} on jobs.personio.{domain}",
                missing_hint="Check company and domain: `acme` and `de` in acme.jobs.personio.de.",
            ),
        ),
    )

    def check_config(self) -> None:
        creds = self.credentials
        if (creds.client_id is None) != (creds.client_secret is None):
            raise ConfigurationError("credentials 'client_id' and 'client_secret' go together")
        if creds.client_id is not None and self.settings.company_id is None:
            raise ConfigurationError(
                "submitting applications needs the setting 'company_id' (X-Company-ID)",
                hint="Personio shows the company id with the API credentials.",
            )

    # -- applications ---------------------------------------------------------------------

    @property
    def _token(self) -> OAuth2Token:
        """The Recruiting API's bearer token, from the client credentials (cached)."""
        cached: OAuth2Token | None = getattr(self, "_oauth", None)
        if cached is None:
            creds = self.credentials
            assert creds.client_id is not None
            assert creds.client_secret is not None
            origin = self.base_url if self.settings.base_url else API_ORIGIN
            cached = OAuth2Token(
                token_url=origin + TOKEN_PATH,
                client_id=creds.client_id,
                client_secret=creds.client_secret,
            )
            self._oauth = cached
        return cached

    async def submit_application(self, job: Job, application: Application) -> Receipt:
        """Each document (`POST /v1/recruiting/applications/documents`, multipart), then
        the application (`POST /v1/recruiting/applications`, JSON) naming their uuids.

        Documents are uploaded again in every attempt: an uploaded document that no
        application names creates no applicant, Personio documents no lifetime for its
        uuid, and an attempt holds nothing across workers (see the connector's docs)."""
        try:
            if self.credentials.client_id is None or self.settings.company_id is None:
                raise ConfigurationError(
                    "submitting applications needs the credentials 'client_id' and "
                    "'client_secret' and the setting 'company_id'",
                    hint="Create API credentials with Recruiting access in Personio.",
                )
            headers = {"X-Company-ID": self.settings.company_id}
            uploaded: list[apply.Uploaded] = []
            for category, file in apply.documents(job, application):
                answer = await self.request_json(
                    "POST",
                    "/v1/recruiting/applications/documents",
                    job_id=job.external_id,
                    headers=headers,
                    form={},
                    files=[("file", (file.name, file.data, file.content_type))],
                    ok_statuses=apply.READ_STATUSES,
                    auth=self._token,
                    origin=API_ORIGIN,
                    rate_limit=self.api_rate_limit,
                    decode=apply.decode,
                )
                uploaded.append(apply.uploaded(answer, category, file, application))
            answer = await self.request_json(
                "POST",
                "/v1/recruiting/applications",
                job_id=job.external_id,
                headers=headers,
                json_body=apply.body(job, application, uploaded),
                ok_statuses=apply.READ_STATUSES,
                auth=self._token,
                origin=API_ORIGIN,
                rate_limit=self.api_rate_limit,
                decode=apply.decode,
            )
            return apply.receipt(answer, application)
        except EmbloyAtsError as exc:
            raise exc.locate(self.mode, job.external_id) from None


__all__ = ["PersonioConnector", "PersonioCredentials", "PersonioSettings"]
