"""BambooHR: the public careers API, or the applicant tracking API when an API key is set.

Without credentials: `GET https://{company_domain}.bamboohr.com/careers/{id}/detail`, the
answer behind the company's careers page (open jobs only). With `api_key` (HTTP Basic, the
key as the user name): the job summaries of `GET /api/v1/applicant_tracking/jobs` on the same
host, which list jobs in every status, then the careers detail for the description, location
and application form where the job is published. `base_url` replaces the origin of both.
"""

from __future__ import annotations

from typing import Annotated

from embloy_ats.contract import (
    NUMERIC_ID,
    AfterValidator,
    ConfigurationError,
    Connector,
    ConnectorSettings,
    Credentials,
    ErrorRule,
    Field,
    RateLimitPolicy,
    Request,
    SecretStr,
    Subdomain,
    Verify,
    WayIn,
    basic,
)

from embloy_ats_bamboohr import careers, tracking

#: Hosts under bamboohr.com that are BambooHR's own, never a company's careers site.
RESERVED_DOMAINS = frozenset({"api", "www"})


def _company_domain(value: str) -> str:
    if value in RESERVED_DOMAINS:
        raise ValueError("names a BambooHR host, not a company")
    return value


#: one DNS label (checked by `Subdomain`, lower-cased) that is not a BambooHR host.
CompanyDomain = Annotated[Subdomain, AfterValidator(_company_domain)]

_DOMAIN_HINT = "Check company_domain: it is `acme` in acme.bamboohr.com."
#: a subdomain that is no BambooHR customer answers 302 to BambooHR's marketing site.
_NO_SUCH_COMPANY = ErrorRule(
    ConfigurationError,
    "has no company {company_domain!r}: it answered with a redirect (HTTP {status})",
    hint=_DOMAIN_HINT,
)


class BamboohrSettings(ConnectorSettings):
    company_domain: CompanyDomain = Field(
        description="The company's BambooHR subdomain: `acme` in acme.bamboohr.com.",
    )


class BamboohrCredentials(Credentials):
    api_key: SecretStr | None = Field(
        default=None,
        description="A BambooHR API key (profile menu > API Keys) of a user who may see the "
        "applicant tracking jobs; without it the public careers API is used.",
    )


class BamboohrConnector(Connector[BamboohrSettings, BamboohrCredentials]):
    mode = "bamboohr"
    display_name = "BambooHR"
    job_id_pattern = NUMERIC_ID
    job_id_format = "numeric job opening id (the number in acme.bamboohr.com/careers/{id})"
    # BambooHR documents no limit for the careers site and no number for its API (it answers
    # 503 with Retry-After when throttling); one client paces detail calls. A polite cap.
    rate_limit = RateLimitPolicy(
        5,
        1.0,
        note="no numeric limit documented by BambooHR (careers site or API); polite cap",
    )
    supports_questions = True
    supports_compensation = True
    docs_url = "https://documentation.bamboohr.com/reference"
    ways_in = (
        WayIn(
            "careers API",
            origin="https://{company_domain}.bamboohr.com",
            job=Request(
                "/careers/{job_id}/detail", envelope=careers.job_opening, what="job opening"
            ),
            mapper=careers.job_fields,
            errors={"3xx": _NO_SUCH_COMPANY},
            # The careers list behind the careers page: one answer, no job id.
            verify=Verify(
                "/careers/list",
                missing="has no careers site {company_domain!r}",
                missing_hint=_DOMAIN_HINT,
            ),
        ),
        WayIn(
            "applicant tracking API",
            origin="https://{company_domain}.bamboohr.com",
            auth=basic("api_key"),
            load=tracking.load,
            errors={
                "3xx": _NO_SUCH_COMPANY,
                403: "Use the API key of a user with access to the applicant tracking jobs.",
            },
            verify=Verify(
                tracking.JOBS_PATH,
                missing="answered 404 for the applicant tracking jobs of {company_domain!r}",
                missing_hint=_DOMAIN_HINT,
            ),
        ),
    )


__all__ = ["BamboohrConnector", "BamboohrCredentials", "BamboohrSettings", "CompanyDomain"]
