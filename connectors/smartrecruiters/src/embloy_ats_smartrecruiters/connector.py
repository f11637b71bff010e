"""SmartRecruiters: the public Posting API, plus the screening questions of the Application
API when an API key (`X-SmartToken`) is given; applications through the Application API.

After an ambiguous outcome there is no lookup: the Application API reads a candidate's
status only by the candidate id its success answer carries (`GET /postings/{uuid}/
candidates/{id}/status`), and it documents no way to find a candidate by email nor any
merging of a second application, so such an application fails as `unknown_outcome` for
an operator to check in SmartRecruiters (docs/connectors/smartrecruiters.md).
"""

from __future__ import annotations

import re
from typing import Any

from embloy_ats.contract import (
    Application,
    ConfigurationError,
    Connector,
    ConnectorSettings,
    Credentials,
    EmbloyAtsError,
    ErrorRule,
    Field,
    Job,
    PathSegment,
    PayloadError,
    RateLimitPolicy,
    Receipt,
    Request,
    SecretStr,
    Verify,
    WayIn,
    api_key_header,
    parsing,
    submitting,
)

from embloy_ats_smartrecruiters import apply, configuration, posting

API = "https://api.smartrecruiters.com"
#: every posting id seen is 15 ASCII digits (e.g. 744000151103220).
POSTING_ID = re.compile(r"[0-9]{15}")
#: the posting's `uuid`, which the Application API takes.
POSTING_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
POSTING_PATH = "/v1/companies/{company_identifier}/postings/{job_id}"
CONFIGURATION_PATH = "/postings/{uuid}/configuration"


APPLY_PATH = "/postings/{uuid}/candidates"
#: SmartRecruiters documents no limit for the Application API's POST: a polite cap.
APPLY_RATE_LIMIT = RateLimitPolicy(
    5, 1.0, note="undocumented for the Application API's POST; polite cap"
)


class SmartrecruitersSettings(ConnectorSettings):
    company_identifier: PathSegment = Field(
        description=(
            "The company identifier as the career site spells it: `Ubisoft2` in "
            "jobs.smartrecruiters.com/Ubisoft2/744000151103220-... (keep its case)."
        )
    )


class SmartrecruitersCredentials(Credentials):
    api_key: SecretStr | None = Field(
        default=None,
        description=(
            "API key sent as `X-SmartToken` (Settings > Apps & Integrations > API, or a "
            "partner key with the Application API): adds the screening questions and is "
            "needed to submit applications."
        ),
    )


def _posting(data: Any, job_id: str) -> dict[str, Any]:
    payload = parsing.require_object(data, what="a posting")
    parsing.require_id(payload, "id", job_id, what="posting")
    return payload


def _public_fields(payload: dict[str, Any]) -> dict[str, Any]:
    """Without a key the screening questions are unknown: the job carries what every
    application takes."""
    return {**posting.job_fields(payload), "questions": apply.STANDARD_QUESTIONS}


def posting_uuid(value: Any) -> str | None:
    found = parsing.text(value)
    return found if found is not None and POSTING_UUID.fullmatch(found) else None


async def _load_with_questions(connector: SmartrecruitersConnector, job_id: str) -> Job:
    """The posting, then its configuration by the posting's `uuid`."""
    fetched = await connector.get_json(POSTING_PATH, job_id=job_id)
    try:
        payload = _posting(fetched.data, job_id)
    except PayloadError as exc:
        raise exc.answered(fetched.response.status_code, fetched.response.request_id) from None
    uuid = posting_uuid(payload.get("uuid"))
    if uuid is None:
        raise PayloadError("answered a posting without a well-formed uuid")
    config = await connector.get_json(CONFIGURATION_PATH, job_id=job_id, uuid=uuid)
    form = parsing.require_object(config.data, what="an application configuration")
    fields = posting.job_fields(payload)
    if parsing.text(fields.get("title")) is None:
        raise PayloadError("answered a posting without a title ('name' is missing or blank)")
    questions = submitting.with_standard_questions(
        configuration.questions(form), apply.STANDARD_QUESTIONS
    )
    return connector.new_job(
        external_id=job_id, fetched=[fetched, config], **fields, questions=questions
    )


_ERRORS: dict[int | str, ErrorRule | str] = {
    404: "Check the posting id and company_identifier {company_identifier!r} (case counts); "
    "a posting no longer published answers 404 too.",
    401: "Check the api_key (X-SmartToken).",
}
_VERIFY = Verify(
    "/v1/companies/{company_identifier}/postings",
    params={"limit": "1"},
    missing="has no company {company_identifier!r}",
    missing_hint="Use the identifier of jobs.smartrecruiters.com/<identifier>/..., in its case.",
)


class SmartrecruitersConnector(Connector[SmartrecruitersSettings, SmartrecruitersCredentials]):
    mode = "smartrecruiters"
    display_name = "SmartRecruiters"
    job_id_pattern = POSTING_ID
    job_id_format = "posting id, 15 digits (jobs.smartrecruiters.com/<company>/<id>-<slug>)"
    rate_limit = RateLimitPolicy(
        10, 1.0, note="SmartRecruiters documents no limit for the Posting API; polite cap"
    )
    supports_questions = True
    supports_compensation = False
    docs_url = "https://developers.smartrecruiters.com/docs/posting-api"
    submit_rate_limit = APPLY_RATE_LIMIT
    #: the Application API's cap on each file: the apply page refuses larger ones.
    max_submit_file_bytes = apply.MAX_FILE_BYTES
    #: no lookup and no documented merge: an ambiguous outcome is for an operator.
    resend_after_unknown_outcome = False

    async def submit_application(self, job: Job, application: Application) -> Receipt:
        """`POST /postings/{uuid}/candidates` with the key, once."""
        try:
            if self.credentials.api_key is None:
                raise ConfigurationError(
                    "submitting applications needs the credential 'api_key' (X-SmartToken)",
                    hint="Give the connection an API key that may use the Application API.",
                )
            uuid = posting_uuid(job.custom_fields.get("uuid"))
            if uuid is None:
                raise ConfigurationError(
                    "the stored job has no posting uuid to apply to",
                    hint="Fetch the job again with this connector version.",
                )
            fetched = await self.request_json(
                "POST",
                APPLY_PATH,
                job_id=job.external_id,
                segments={"uuid": uuid},
                json_body=apply.body(job, application),
                ok_statuses=frozenset({400, 409, 422}),
                rate_limit=APPLY_RATE_LIMIT,
            )
            return apply.receipt(fetched, application)
        except EmbloyAtsError as exc:
            raise exc.locate(self.mode, job.external_id) from None

    ways_in = (
        WayIn(
            "public Posting API",
            origin=API,
            job=Request(POSTING_PATH, id_field="id", what="posting"),
            mapper=_public_fields,
            errors=_ERRORS,
            verify=_VERIFY,
        ),
        # Whenever the key is given: the screening questions come from the Application API.
        WayIn(
            "Posting API with screening questions",
            origin=API,
            auth=api_key_header("api_key", "X-SmartToken"),
            load=_load_with_questions,
            errors=_ERRORS,
            verify=_VERIFY,
        ),
    )
