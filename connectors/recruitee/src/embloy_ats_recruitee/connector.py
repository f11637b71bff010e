"""Recruitee: the public careers-site API, or the authenticated ATS API when a token is set.

Without credentials: `GET https://{company}.recruitee.com/api/offers/{id or slug}` (published
offers only). With `api_token` (+ setting `company_id`):
`GET https://api.recruitee.com/c/{company_id}/offers/{id}` with `Authorization: Bearer`,
which also answers for internal, closed and draft offers. Both answer `{"offer": {...}}`.
`base_url` replaces the origin of whichever of the two is in use.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from embloy_ats import (
    ConfigurationError,
    Connector,
    ConnectorSettings,
    Credentials,
    Job,
    PayloadError,
    RateLimitPolicy,
)
from embloy_ats.auth import Auth, AuthKind, HeaderAuth, NoAuth
from embloy_ats.parsing import require_object, text
from embloy_ats.validation import NUMERIC_ID, PathSegment, Subdomain
from pydantic import Field, SecretStr

from embloy_ats_recruitee.offer import offer_fields

#: the ATS API's origin (one host for every company; the company is in the path).
ATS_API_ORIGIN = "https://api.recruitee.com"
#: longest offer slug accepted: Recruitee derives slugs from titles, which run long.
MAX_SLUG_LENGTH = 200
#: lower-case letters and digits in groups joined by single hyphens, at least one letter
#: (an all-digit id is a numeric id), at most MAX_SLUG_LENGTH characters.
OFFER_SLUG = re.compile(
    rf"(?=[a-z0-9-]{{1,{MAX_SLUG_LENGTH}}}\Z)(?=[0-9-]*[a-z])[a-z0-9]+(?:-[a-z0-9]+)*"
)
JOB_ID = re.compile(rf"(?:{NUMERIC_ID.pattern}|{OFFER_SLUG.pattern})")


class RecruiteeSettings(ConnectorSettings):
    company: Subdomain = Field(
        description="The careers site's subdomain: `acme` in acme.recruitee.com.",
    )
    company_id: PathSegment | None = Field(
        default=None,
        description=(
            "The company id for the ATS API (shown next to your personal API tokens); "
            "needed with `api_token`, unused without it."
        ),
    )


class RecruiteeCredentials(Credentials):
    api_token: SecretStr | None = Field(
        default=None,
        description="A personal API token (Settings > Apps and plugins > Personal API tokens).",
    )


class RecruiteeConnector(Connector):
    mode: ClassVar[str] = "recruitee"
    display_name: ClassVar[str] = "Recruitee"
    settings_model = RecruiteeSettings
    credentials_model = RecruiteeCredentials
    auth_kinds = (AuthKind.NONE, AuthKind.BEARER)
    job_id_pattern = JOB_ID
    job_id_format = (
        "numeric offer id, or the offer slug (`senior-developer` in "
        f"acme.recruitee.com/o/senior-developer: a-z, 0-9, single hyphens, <= {MAX_SLUG_LENGTH})"
    )
    default_base_url = "https://{company}.recruitee.com"
    # Recruitee publishes no numeric limit for either API; we stay polite per account.
    rate_limit = RateLimitPolicy(
        50,
        10.0,
        note="no limit documented by Recruitee (careers-site or ATS API docs); polite cap",
    )
    supports_questions = True
    supports_compensation = True
    docs_url = "https://docs.recruitee.com/reference/getting-started"

    settings: RecruiteeSettings
    credentials: RecruiteeCredentials

    @property
    def uses_ats_api(self) -> bool:
        """Credentials choose the way in: a token means the authenticated ATS API."""
        return self.credentials.api_token is not None

    def api_origin(self) -> str:
        return ATS_API_ORIGIN if self.uses_ats_api else super().api_origin()

    def check_config(self) -> None:
        if self.credentials.api_token is not None and self.settings.company_id is None:
            raise ConfigurationError(
                "credential 'api_token' needs the setting 'company_id' (the ATS API path "
                "names the company)",
                connector=self.mode,
            )

    def make_auth(self) -> Auth:
        token = self.credentials.api_token
        if token is None:
            return NoAuth()
        return HeaderAuth("Authorization", token, "Bearer {}")

    async def load_job(self, job_id: str) -> Job:
        if self.uses_ats_api:
            assert self.settings.company_id is not None  # checked in check_config
            fetched = await self.get_json(
                "/c/{company_id}/offers/{job_id}",
                job_id=job_id,
                company_id=self.settings.company_id,
            )
        else:
            fetched = await self.get_json("/api/offers/{job_id}", job_id=job_id)
        offer = self._offer(fetched.data, job_id)
        fields = offer_fields(offer)
        if fields["title"] is None:
            raise PayloadError(
                "answered an offer without a title", connector=self.mode, job_id=job_id
            )
        # The id the partner sent is the job's identity (Embloy's slug is `recruitee__<id>`
        # and later lookups use the same id), even when it is a slug; Recruitee's numeric id
        # and slug are kept in custom_fields.
        return self.new_job(external_id=job_id, fetched=[fetched], **fields)

    async def verify(self) -> str:
        """The offers list of the way in: `GET /c/{company_id}/offers` with the token (ATS
        API, "Offers"), else the careers site's `GET /api/offers/` (Careers Site API). Both
        answer every offer at once; only the status is read."""
        if not self.uses_ats_api:
            company = self.settings.company
            await self.verify_request(
                "GET",
                "/api/offers/",
                missing=f"has no careers site {company!r}",
                missing_hint="Check company: it is `acme` in acme.recruitee.com.",
            )
            return f"careers-site API: {company!r} answers GET /api/offers/"
        company_id = self.settings.company_id
        assert company_id is not None  # checked in check_config
        await self.verify_request(
            "GET",
            "/c/{company_id}/offers",
            company_id=company_id,
            missing=f"knows no company {company_id!r} for this token",
            missing_hint="Check company_id: it is shown next to your personal API tokens, "
            "and a token is valid for its own company only.",
            forbidden_hint="Use a token of a user who may see the company's offers.",
        )
        return f"ATS API: token accepted for company {company_id!r} (GET /c/{company_id}/offers)"

    def _offer(self, data: Any, job_id: str) -> dict[str, Any]:
        body = require_object(data, connector=self.mode, job_id=job_id, what="an offer answer")
        if "offer" not in body:
            what = "an error body" if "error" in body or "errors" in body else "no 'offer' object"
            raise PayloadError(
                f"answered {what} with a success status", connector=self.mode, job_id=job_id
            )
        offer = require_object(body["offer"], connector=self.mode, job_id=job_id, what="an offer")
        answered_id = text(offer.get("id"))
        if answered_id is None:
            raise PayloadError("answered an offer without 'id'", connector=self.mode, job_id=job_id)
        if NUMERIC_ID.fullmatch(job_id):
            answered = answered_id
        else:
            answered = text(offer.get("slug")) or job_id  # the ATS API may omit the slug
        if answered != job_id:
            raise PayloadError(
                f"answered offer {answered[:64]!r} when asked for this one",
                connector=self.mode,
                job_id=job_id,
            )
        return offer
