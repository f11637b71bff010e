"""JOIN (join.com): the public job API its career pages use.

`GET https://join.com/api/public/jobs/{id}` answers the job (title, Markdown description,
workplace type, documents the form asks for, company); the job's place, category,
employment type and pay are only on the company's job list,
`GET https://join.com/api/public/companies/{companyId}/jobs?locale=en&page={n}&pageSize=5`,
read page by page until the job's row. `base_url` replaces the origin of both.
"""

from __future__ import annotations

from embloy_ats.contract import (
    NUMERIC_ID,
    Connector,
    ConnectorSettings,
    Credentials,
    Field,
    PathSegment,
    RateLimitPolicy,
    WayIn,
)

from embloy_ats_join import public


class JoinSettings(ConnectorSettings):
    company: PathSegment = Field(
        description="The company's name on JOIN: `acme` in join.com/companies/acme. Only jobs "
        "of this company are answered.",
    )


class JoinCredentials(Credentials):
    """The public job API takes none (see docs/connectors/join.md on the JOIN API v2)."""


class JoinConnector(Connector[JoinSettings, JoinCredentials]):
    mode = "join"
    display_name = "JOIN"
    job_id_pattern = NUMERIC_ID
    job_id_format = (
        "numeric job id: the job's `id`, or the number its public URL starts with "
        "(16769212 in join.com/companies/acme/16769212-title)"
    )
    # JOIN documents no limit for its public job API (undocumented itself); a polite cap.
    rate_limit = RateLimitPolicy(
        5, 1.0, note="no limit documented by JOIN for the public job API; polite cap"
    )
    supports_questions = True
    supports_compensation = True
    docs_url = "https://docs.join.com/reference/getting-started"
    # No verify(): every request of this API needs a job id or the numeric company id,
    # which only a job's answer gives.
    ways_in = (WayIn("public job API", origin="https://join.com", load=public.load),)


__all__ = ["JoinConnector", "JoinCredentials", "JoinSettings"]
