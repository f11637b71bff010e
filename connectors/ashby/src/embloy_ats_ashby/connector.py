"""Ashby: `jobPosting.info` with an API key, else the public Posting API of a job board."""

from __future__ import annotations

from typing import Any, ClassVar

from embloy_ats import (
    ConfigurationError,
    Connector,
    ConnectorSettings,
    Credentials,
    Fetched,
    Job,
    JobNotFound,
    PayloadError,
    RateLimitPolicy,
)
from embloy_ats.auth import Auth, AuthKind, BasicAuth, NoAuth
from embloy_ats.parsing import require_object, require_text
from embloy_ats.validation import UUID_ID, PathSegment
from pydantic import Field, SecretStr

from embloy_ats_ashby import job_posting, posting_api
from embloy_ats_ashby.errors import raise_error_envelope

#: Ashby answers a missing key with 401 and a wrong or deactivated one with 403; both
#: carry a body worth reading (the 403 of a key lacking a permission names it).
_AUTH_STATUSES = frozenset({401, 403})


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


class AshbyConnector(Connector):
    mode: ClassVar[str] = "ashby"
    display_name: ClassVar[str] = "Ashby"
    settings_model = AshbySettings
    credentials_model = AshbyCredentials
    auth_kinds = (AuthKind.BASIC, AuthKind.NONE)
    job_id_pattern = UUID_ID
    job_id_format = "job posting UUID (the id in jobs.ashbyhq.com/{board}/{id})"
    default_base_url = "https://api.ashbyhq.com"
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

    settings: AshbySettings
    credentials: AshbyCredentials

    def check_config(self) -> None:
        if self.credentials.api_key is None and self.settings.job_board_name is None:
            raise ConfigurationError(
                "needs the credential 'api_key' (authenticated API) or the setting "
                "'job_board_name' (public Posting API)",
                connector=self.mode,
            )

    def make_auth(self) -> Auth:
        if self.credentials.api_key is None:
            return NoAuth()
        return BasicAuth(username=self.credentials.api_key)

    async def load_job(self, job_id: str) -> Job:
        if self.credentials.api_key is not None:
            return await self._job_posting_info(job_id)
        return await self._posting_api(job_id)

    async def verify(self) -> str:
        """With a key: `POST /job.list {"limit": 1}` (jobsRead, the permission
        `jobPosting.info` needs; `limit` is Ashby's documented page size). Without: the
        public board, `GET /posting-api/job-board/{name}`. Only the status and Ashby's
        documented `success: false` envelope are read."""
        if self.credentials.api_key is None:
            return await self._verify_board()
        try:
            fetched = await self.verify_request(
                "POST",
                "/job.list",
                json_body={"limit": 1},
                headers={"Accept": "application/json; version=1"},
                ok_statuses=_AUTH_STATUSES,
                missing="answered 404 for /job.list: this base_url serves no Ashby API",
                missing_hint="Leave base_url unset, or point it at Ashby's API origin.",
            )
        except PayloadError as exc:
            if exc.status_code is None or exc.status_code not in _AUTH_STATUSES:
                raise
            raise_error_envelope(
                {},
                status=exc.status_code,
                connector=self.mode,
                job_id=None,
                request_id=exc.request_id,
            )
        status = fetched.response.status_code
        body = fetched.data if isinstance(fetched.data, dict) else {}
        if status in _AUTH_STATUSES or body.get("success") is False:
            raise_error_envelope(
                body,
                status=status,
                connector=self.mode,
                job_id=None,
                request_id=fetched.response.request_id,
            )
        return "API key accepted: POST /job.list with limit 1 answered (jobsRead)"

    async def _verify_board(self) -> str:
        board_name = self.settings.job_board_name
        assert board_name is not None  # checked in check_config
        fetched = await self.verify_request(
            "GET",
            "/posting-api/job-board/{board}",
            board=board_name,
            missing=f"has no job board named {board_name!r}",
            missing_hint="Check the job_board_name setting: it is the name in "
            "jobs.ashbyhq.com/<name>.",
        )
        if isinstance(fetched.data, dict) and fetched.data.get("success") is False:
            raise_error_envelope(
                fetched.data,
                status=fetched.response.status_code,
                connector=self.mode,
                job_id=None,
                request_id=fetched.response.request_id,
            )
        return f"Posting API: job board {board_name!r} exists"

    async def _job_posting_info(self, job_id: str) -> Job:
        try:
            fetched = await self.request_json(
                "POST",
                "/jobPosting.info",
                job_id=job_id,
                json_body={"jobPostingId": job_id.lower()},
                headers={"Accept": "application/json; version=1"},
                ok_statuses=_AUTH_STATUSES,
            )
        except PayloadError as exc:
            rejected = exc.status_code
            if rejected is None or rejected not in _AUTH_STATUSES:
                raise
            # A 401/403 whose body is not JSON: Ashby's human-readable key rejection.
            raise_error_envelope(
                {},
                status=rejected,
                connector=self.mode,
                job_id=job_id,
                request_id=exc.request_id,
            )
        status = fetched.response.status_code
        if status in _AUTH_STATUSES:
            raise_error_envelope(
                fetched.data if isinstance(fetched.data, dict) else {},
                status=status,
                connector=self.mode,
                job_id=job_id,
                request_id=fetched.response.request_id,
            )
        body = require_object(fetched.data, connector=self.mode, job_id=job_id, what="an answer")
        if body.get("success") is False:
            raise_error_envelope(
                body,
                status=status,
                connector=self.mode,
                job_id=job_id,
                request_id=fetched.response.request_id,
            )
        results = body.get("results")
        if results is None or results == {}:
            raise JobNotFound(
                "answered success with no job posting", connector=self.mode, job_id=job_id
            )
        posting = require_object(results, connector=self.mode, job_id=job_id, what="a posting")
        external_id = self._checked_id(posting, job_id)
        return self.new_job(
            external_id=external_id, fetched=[fetched], **job_posting.job_fields(posting)
        )

    async def _posting_api(self, job_id: str) -> Job:
        board_name = self.settings.job_board_name
        assert board_name is not None  # checked in check_config
        try:
            fetched = await self.get_json(
                "/posting-api/job-board/{board}",
                job_id=job_id,
                params={"includeCompensation": "true"},
                board=board_name,
            )
        except JobNotFound as exc:  # HTTP 404: Ashby knows no board by that name
            raise JobNotFound(
                f"has no job board named {board_name!r} (HTTP {exc.status_code})",
                connector=self.mode,
                job_id=job_id,
                hint="Check the job_board_name setting: it is the name in jobs.ashbyhq.com/<name>.",
                status_code=exc.status_code,
                request_id=exc.request_id,
            ) from None
        board = require_object(fetched.data, connector=self.mode, job_id=job_id, what="a board")
        if board.get("success") is False:
            raise_error_envelope(
                board,
                status=fetched.response.status_code,
                connector=self.mode,
                job_id=job_id,
                request_id=fetched.response.request_id,
            )
        if not isinstance(board.get("jobs"), list):
            raise PayloadError(
                "answered a job board without a 'jobs' list", connector=self.mode, job_id=job_id
            )
        posting = posting_api.find_posting(board, job_id)
        if posting is None:
            raise JobNotFound(
                f"has no published posting with this id on job board {board_name!r}",
                connector=self.mode,
                job_id=job_id,
            )
        external_id = self._checked_id(posting, job_id)
        # The board holds every job; the Job keeps only its own posting.
        own: dict[str, Any] = {"apiVersion": board.get("apiVersion"), "jobs": [posting]}
        kept = Fetched(fetched.path, own, fetched.response)
        return self.new_job(
            external_id=external_id, fetched=[kept], **posting_api.job_fields(posting)
        )

    def _checked_id(self, posting: dict[str, Any], job_id: str) -> str:
        external_id = require_text(posting, "id", connector=self.mode, job_id=job_id)
        if external_id.casefold() != job_id.casefold():
            raise PayloadError(
                f"answered posting {external_id[:40]!r} when asked for this one",
                connector=self.mode,
                job_id=job_id,
            )
        require_text(posting, "title", connector=self.mode, job_id=job_id)
        return external_id
