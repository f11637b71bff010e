"""Recruitee: the public careers-site API, or the authenticated ATS API when a token is set.

Without credentials: `GET https://{company}.recruitee.com/api/offers/{id or slug}` (published
offers only). With `api_token` (+ setting `company_id`):
`GET https://api.recruitee.com/c/{company_id}/offers/{id}` with `Authorization: Bearer`,
which also answers for internal, closed and draft offers. Both answer `{"offer": {...}}`.
`base_url` replaces the origin of whichever of the two is in use.

Applications go to the careers-site API (`POST /api/offers/{id or slug}/candidates`,
public: no credentials), whichever way the job is read. Neither API answers whether an
application sent with an unknown outcome arrived (the careers-site API reads no candidate
back, and Recruitee documents no dedupe), so there is no lookup: such an application fails as
`unknown_outcome`, for a person to check the ATS.
"""

from __future__ import annotations

import re

from embloy_ats.contract import (
    NUMERIC_ID,
    Application,
    Connector,
    ConnectorSettings,
    Credentials,
    EmbloyAtsError,
    Field,
    Job,
    NoAuth,
    PathSegment,
    RateLimitPolicy,
    Receipt,
    Request,
    SecretStr,
    Subdomain,
    Verify,
    WayIn,
    bearer,
)

from embloy_ats_recruitee import apply
from embloy_ats_recruitee.offer import answered_offer, offer_fields

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


class RecruiteeConnector(Connector[RecruiteeSettings, RecruiteeCredentials]):
    mode = "recruitee"
    display_name = "Recruitee"
    job_id_pattern = JOB_ID
    job_id_format = (
        "numeric offer id, or the offer slug (`senior-developer` in "
        f"acme.recruitee.com/o/senior-developer: a-z, 0-9, single hyphens, <= {MAX_SLUG_LENGTH})"
    )
    # Recruitee publishes no numeric limit for either API; we stay polite per account.
    rate_limit = RateLimitPolicy(
        50,
        10.0,
        note="no limit documented by Recruitee (careers-site or ATS API docs); polite cap",
    )
    supports_questions = True
    supports_compensation = True
    docs_url = "https://docs.recruitee.com/reference/getting-started"

    # -- applications ---------------------------------------------------------------------

    async def submit_application(self, job: Job, application: Application) -> Receipt:
        """One `POST /api/offers/{offer}/candidates` on the careers site: multipart when a
        file goes with it, else JSON."""
        body = apply.candidate(job, application)
        try:
            fields, files = apply.form(body) if apply.has_files(body) else (None, None)
            fetched = await self.request_json(
                "POST",
                "/api/offers/{job_id}/candidates",
                job_id=job.external_id,
                ok_statuses=frozenset({422}),
                # The careers site, even when jobs are read through the ATS API: no token.
                origin=f"https://{self.settings.company}.recruitee.com",
                auth=NoAuth(),
                rate_limit=self.rate_limit,
                json_body=None if files else body,
                form=fields,
                files=files,
            )
            return apply.receipt(fetched, application)
        except EmbloyAtsError as exc:
            raise exc.locate(self.mode, job.external_id) from None

    # Both ways list every offer at once for verify() (careers-site API "Offers", ATS API
    # "Offers"); only the status is read. The id the partner sent is the job's identity,
    # even a slug (Embloy's slug is `recruitee__<id>`); Recruitee's own id and slug are
    # kept in custom_fields.
    ways_in = (
        WayIn(
            "careers-site API",
            origin="https://{company}.recruitee.com",
            job=Request("/api/offers/{job_id}", envelope=answered_offer, what="offer"),
            mapper=offer_fields,
            verify=Verify(
                "/api/offers/",
                missing="has no careers site {company!r}",
                missing_hint="Check company: it is `acme` in acme.recruitee.com.",
            ),
        ),
        WayIn(
            "ATS API",
            origin="https://api.recruitee.com",
            auth=bearer("api_token"),
            job=Request("/c/{company_id}/offers/{job_id}", envelope=answered_offer, what="offer"),
            mapper=offer_fields,
            verify=Verify(
                "/c/{company_id}/offers",
                missing="knows no company {company_id!r} for this token",
                missing_hint="Check company_id: it is shown next to your personal API tokens, "
                "and a token is valid for its own company only.",
                errors={403: "Use a token of a user who may see the company's offers."},
            ),
        ),
    )


__all__ = ["JOB_ID", "RecruiteeConnector", "RecruiteeCredentials", "RecruiteeSettings"]
