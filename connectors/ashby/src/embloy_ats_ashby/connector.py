"""Ashby: `jobPosting.info` with an API key, else the public Posting API of a job board.

Applications go to `applicationForm.submit` (multipart) with the API key; after an ambiguous
outcome the candidate is looked up by email (`candidate.search`) and their applications
read (`application.info`) before anything is sent again.
"""

from __future__ import annotations

import logging
from typing import Any

from embloy_ats.contract import (
    UUID_ID,
    Application,
    Asked,
    AuthenticationFailed,
    ConfigurationError,
    Connector,
    ConnectorSettings,
    Credentials,
    EmbloyAtsError,
    ErrorRule,
    Fetched,
    Field,
    Job,
    JobNotFound,
    JsonValue,
    PathSegment,
    PayloadError,
    QuestionType,
    RateLimitPolicy,
    Receipt,
    Request,
    SecretStr,
    Verify,
    WayIn,
    basic,
    parsing,
    submitting,
)

from embloy_ats_ashby import apply, errors, job_posting, posting_api

log = logging.getLogger("embloy_ats.ashby")

ORIGIN = "https://api.ashbyhq.com"
_VERSION = {"Accept": "application/json; version=1"}
#: Ashby answers a missing key with 401 and a wrong or deactivated one with 403; both
#: carry a body worth reading (the 403 of a key lacking a permission names it).
_KEY_REJECTED = ErrorRule(
    AuthenticationFailed,
    "rejected the API key (HTTP {status}): it is missing, wrong or deactivated",
    read=errors.key_rejected,
)
_BOARD_HINT = "Check the job_board_name setting: it is the name in jobs.ashbyhq.com/<name>."


class AshbySettings(ConnectorSettings):
    job_board_name: PathSegment | None = Field(
        default=None,
        description="The job board's name: `acme` in jobs.ashbyhq.com/acme. Needed when no "
        "api_key is set (the public Posting API is read per board).",
    )


class AshbyCredentials(Credentials):
    api_key: SecretStr | None = Field(
        default=None,
        description="An Ashby API key with the jobsRead permission (sent as the Basic user); "
        "to submit applications also candidatesWrite, and candidatesRead for the lookup.",
    )


def _board_posting(data: JsonValue, asked: Asked) -> dict[str, Any]:
    """The board answers every published job at once; this is the one asked for."""
    board = errors.succeeded(parsing.require_object(data, what="a board"))
    if not isinstance(board.get("jobs"), list):
        raise PayloadError("answered a job board without a 'jobs' list")
    found = posting_api.find_posting(board, asked.job_id)
    if found is None:
        raise JobNotFound(
            f"has no published posting with this id on job board {asked.settings.job_board_name!r}"
        )
    return found


def _with_form(posting: dict[str, Any]) -> dict[str, Any]:
    fields = job_posting.job_fields(posting)
    questions = submitting.with_standard_questions(fields["questions"], apply.REQUIRED_QUESTIONS)
    return {**fields, "questions": questions}


def _from_board(posting: dict[str, Any]) -> dict[str, Any]:
    """The Posting API publishes no form: a job carries the fields every application takes."""
    return {**posting_api.job_fields(posting), "questions": apply.STANDARD_QUESTIONS}


def _own_posting(board: JsonValue, posting: dict[str, Any]) -> JsonValue:
    """The board holds every job; the Job keeps only its own posting."""
    return {"apiVersion": parsing.obj(board).get("apiVersion"), "jobs": [posting]}


class AshbyConnector(Connector[AshbySettings, AshbyCredentials]):
    mode = "ashby"
    display_name = "Ashby"
    job_id_pattern = UUID_ID
    job_id_format = "job posting UUID (the id in jobs.ashbyhq.com/{board}/{id})"
    rate_limit = RateLimitPolicy(
        1000,
        60.0,
        note="Ashby: 1000 requests per minute per API key (Ashby help centre, 'How do I "
        "generate an API key?'); the public Posting API documents none",
    )
    # The public Posting API answers the whole board at once (boards of 800+ jobs exist).
    max_body_bytes = 32 * 1024 * 1024
    supports_questions = True
    supports_compensation = True
    docs_url = "https://developers.ashbyhq.com/reference/jobpostinginfo"

    # -- applications ---------------------------------------------------------------------

    async def submit_application(self, job: Job, application: Application) -> Receipt:
        """One `applicationForm.submit`; the answer's `success` decides, then
        `application.info` turns the submitted form into the application's id."""
        try:
            if self.credentials.api_key is None:
                raise ConfigurationError(
                    "submitting applications needs the credential 'api_key'",
                    hint="Create an Ashby API key with the candidatesWrite permission.",
                )
            form, files = apply.submission(job, application)
            fetched = await self.request_json(
                "POST",
                "/applicationForm.submit",
                job_id=job.external_id,
                headers=_VERSION,
                form=form,
                files=files,
            )
            submitted = apply.submitted_form(fetched.data, application)
        except EmbloyAtsError as exc:
            raise exc.locate(self.mode, job.external_id) from None
        return Receipt(ats_application_id=await self._application_of_form(job, submitted))

    async def _application_of_form(self, job: Job, form_id: str) -> str | None:
        """The application a submitted form made. The application is recorded already: a
        failure here only leaves its id out of the receipt (it is in the log)."""
        try:
            fetched = await self._post(
                "/application.info", job, {"submittedFormInstanceId": form_id}
            )
        except EmbloyAtsError as exc:
            log.warning(
                "application recorded; its id could not be read (%s)",
                type(exc).__name__,
                extra={"connector": self.mode, "job_id": job.external_id},
            )
            return None
        return apply.application_id(fetched.data)

    async def find_application(self, job: Job, application: Application) -> Receipt | None:
        """The candidate by email (`candidate.search`), then each of their applications
        (`application.info`): one to this posting made since the application was accepted."""
        email = application.answer_of_type(job, QuestionType.EMAIL)
        if not isinstance(email, str) or self.credentials.api_key is None:
            return None  # Ashby requires an email; without a key nothing was sent
        try:
            found = await self._post("/candidate.search", job, {"email": email})
            for candidate in apply.candidates(found.data):
                ids = parsing.texts(candidate.get("applicationIds"))[: apply.MAX_LOOKED_UP]
                for application_id in ids:
                    info = await self._post(
                        "/application.info", job, {"applicationId": application_id}
                    )
                    if apply.is_this_application(info.data, job, application):
                        return Receipt(
                            ats_application_id=application_id[:256],
                            ats_candidate_id=(parsing.text(candidate.get("id")) or "")[:256]
                            or None,
                        )
        except EmbloyAtsError as exc:
            raise exc.locate(self.mode, job.external_id) from None
        return None

    async def _post(self, path: str, job: Job, body: dict[str, Any]) -> Fetched:
        return await self.request_json(
            "POST", path, job_id=job.external_id, headers=_VERSION, json_body=body
        )

    ways_in = (
        WayIn(
            "authenticated API",
            origin=ORIGIN,
            auth=basic("api_key"),
            job=Request(
                "/jobPosting.info",
                method="POST",
                headers=_VERSION,
                body=lambda job_id: {"jobPostingId": job_id.lower()},
                envelope=errors.posting,
                id_field="id",
                id_casefold=True,
                what="job posting",
            ),
            mapper=_with_form,
            errors={401: _KEY_REJECTED, 403: _KEY_REJECTED},
            # `job.list` needs jobsRead, the permission `jobPosting.info` needs; `limit` is
            # Ashby's documented page size. Only the status and the envelope are read.
            verify=Verify(
                "/job.list",
                method="POST",
                headers=_VERSION,
                body={"limit": 1},
                envelope=errors.succeeded,
                missing="answered 404 for /job.list: this base_url serves no Ashby API",
                missing_hint="Leave base_url unset, or point it at Ashby's API origin.",
            ),
        ),
        WayIn(
            "public Posting API",
            origin=ORIGIN,
            job=Request(
                "/posting-api/job-board/{job_board_name}",
                params={"includeCompensation": "true"},
                envelope=_board_posting,
                id_field="id",
                id_casefold=True,
                what="job posting",
                keep=_own_posting,
            ),
            mapper=_from_board,
            errors={
                404: ErrorRule(
                    JobNotFound,
                    "has no job board named {job_board_name!r} (HTTP {status})",
                    hint=_BOARD_HINT,
                )
            },
            verify=Verify(
                "/posting-api/job-board/{job_board_name}",
                envelope=errors.succeeded,
                missing="has no job board named {job_board_name!r}",
                missing_hint=_BOARD_HINT,
            ),
        ),
    )
