"""Ashby: `jobPosting.info` with an API key, else the public Posting API of a job board."""

from __future__ import annotations

from typing import Any

from embloy_ats.contract import (
    UUID_ID,
    Asked,
    AuthenticationFailed,
    Connector,
    ConnectorSettings,
    Credentials,
    ErrorRule,
    Field,
    JobNotFound,
    JsonValue,
    PathSegment,
    PayloadError,
    RateLimitPolicy,
    Request,
    SecretStr,
    Verify,
    WayIn,
    basic,
    parsing,
)

from embloy_ats_ashby import errors, job_posting, posting_api

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
        description="An Ashby API key with the jobsRead permission (sent as the Basic user).",
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
            mapper=job_posting.job_fields,
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
            mapper=posting_api.job_fields,
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
