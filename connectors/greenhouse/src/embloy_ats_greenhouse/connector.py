"""Greenhouse: Harvest API v3 with credentials, the public Job Board API without.

With `client_id` + `client_secret` the connector reads Harvest v3 (OAuth2 client credentials):
internal, draft and closed jobs, confidential flags, pay ranges and demographic questions.
Without them it reads the public Job Board API, which serves live public posts only. The job
id is the numeric job post id in both (the Job Board's `id` is the Harvest job post id).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Self
from urllib.parse import parse_qs, urlsplit

from embloy_ats import (
    ConfigurationError,
    Connector,
    ConnectorSettings,
    Credentials,
    Fetched,
    Job,
    JobNotFound,
    PayloadError,
    PermissionDenied,
    RateLimitPolicy,
)
from embloy_ats.auth import Auth, AuthKind, NoAuth, OAuth2Token
from embloy_ats.parsing import require_object, require_text
from embloy_ats.validation import NUMERIC_ID, PathSegment
from pydantic import AfterValidator, Field, SecretStr, model_validator

from embloy_ats_greenhouse import harvest
from embloy_ats_greenhouse.job_board import job_fields

log = logging.getLogger("embloy_ats.greenhouse")

JOB_BOARD_ORIGIN = "https://boards-api.greenhouse.io"
HARVEST_ORIGIN = "https://harvest.greenhouse.io"
TOKEN_URL = "https://auth.greenhouse.io/token"  # noqa: S105 - a URL, not a secret
# Harvest v3 counts requests in fixed 30 s windows and announces the allowance of each
# integration in X-RateLimit-Limit (the docs' example shows 75); core reads X-RateLimit-* and
# Retry-After. 50 per 30 s stays under that example.
HARVEST_RATE_LIMIT = RateLimitPolicy(
    50,
    30.0,
    note="Harvest v3: fixed 30 s window, allowance per integration in X-RateLimit-Limit "
    "(docs example 75); we keep to 50",
)
#: `ids` and `*_ids` filters take at most this many ids.
MAX_IDS = 50
#: pages followed on one list endpoint before giving up (the lists here are small).
MAX_PAGES = 10
_NEXT_LINK = re.compile(r"<([^>]*)>\s*;[^,]*?\brel=\"?next\"?", re.IGNORECASE)


def _numeric(value: str) -> str:
    if not value.isascii() or not NUMERIC_ID.fullmatch(value):
        raise ValueError("must be a numeric Greenhouse user id")
    return value


class GreenhouseSettings(ConnectorSettings):
    board_token: PathSegment | None = Field(
        default=None,
        description="The job board's token: `acme` in boards.greenhouse.io/acme. "
        "Required without Harvest credentials (Job Board API).",
    )
    user_id: Annotated[str, AfterValidator(_numeric)] | None = Field(
        default=None,
        description="Harvest v3 only: the Greenhouse user id the integration acts as (sent as "
        "`sub` with the token request); unset, the credential's own service user.",
    )


class GreenhouseCredentials(Credentials):
    client_id: SecretStr | None = Field(
        default=None, description="Harvest v3 OAuth client id (Dev Center > API Credentials)."
    )
    client_secret: SecretStr | None = Field(
        default=None, description="Harvest v3 OAuth client secret (shown once when created)."
    )

    @model_validator(mode="after")
    def _both_or_neither(self) -> Self:
        if (self.client_id is None) != (self.client_secret is None):
            missing = "client_secret" if self.client_secret is None else "client_id"
            raise ValueError(
                f"Harvest v3 needs client_id and client_secret together; {missing} is missing "
                "(give both, or neither to use the public Job Board API)"
            )
        return self


class GreenhouseConnector(Connector):
    mode: ClassVar[str] = "greenhouse"
    display_name: ClassVar[str] = "Greenhouse"
    settings_model = GreenhouseSettings
    credentials_model = GreenhouseCredentials
    auth_kinds = (AuthKind.NONE, AuthKind.OAUTH2_CLIENT_CREDENTIALS)
    job_id_pattern = NUMERIC_ID
    job_id_format = "numeric job post id (`gh_jid` in the posting URL)"
    default_base_url = JOB_BOARD_ORIGIN
    # The Job Board API is cached by Greenhouse and documents no limit; we stay polite.
    # With Harvest credentials an instance keeps HARVEST_RATE_LIMIT (rate_limit_policy).
    rate_limit = RateLimitPolicy(50, 10.0, note="undocumented for the Job Board API; polite cap")
    supports_questions = True
    supports_compensation = True
    docs_url = "https://developers.greenhouse.io/job-board.html"

    settings: GreenhouseSettings
    credentials: GreenhouseCredentials

    def check_config(self) -> None:
        if self.uses_harvest:
            return
        if self.settings.board_token is None:
            raise ConfigurationError(
                "setting 'board_token' is required without Harvest credentials "
                "(client_id + client_secret)",
                connector=self.mode,
            )
        if self.settings.user_id is not None:
            raise ConfigurationError(
                "setting 'user_id' is only used with Harvest credentials "
                "(client_id + client_secret)",
                connector=self.mode,
            )

    @property
    def uses_harvest(self) -> bool:
        return self.credentials.client_id is not None

    def api_origin(self) -> str:
        return HARVEST_ORIGIN if self.uses_harvest else JOB_BOARD_ORIGIN

    def rate_limit_policy(self) -> RateLimitPolicy:
        return HARVEST_RATE_LIMIT if self.uses_harvest else self.rate_limit

    def make_auth(self) -> Auth:
        creds = self.credentials
        if creds.client_id is None or creds.client_secret is None:
            return NoAuth()
        # A base_url override (sandbox, local fake) serves the token too: every request
        # goes to the configured origin, and the secret never to a host nobody chose.
        token_url = self.base_url + "/token" if self.settings.base_url else TOKEN_URL
        return OAuth2Token(
            token_url=token_url,
            client_id=creds.client_id,
            client_secret=creds.client_secret,
            client_auth="basic",  # Greenhouse authenticates the client by HTTP Basic
            extra_form={"sub": self.settings.user_id} if self.settings.user_id else {},
        )

    async def load_job(self, job_id: str) -> Job:
        if self.uses_harvest:
            return await self._load_from_harvest(job_id)
        return await self._load_from_job_board(job_id)

    async def verify(self) -> str:
        """Harvest: the token grant, then one job post; Job Board: the board itself.

        Harvest v3 lists take `per_page` (1 to 500); "Retrieve job board" is
        `GET /v1/boards/{board_token}` in the Job Board API docs. Only the status is read.
        """
        if self.uses_harvest:
            await self.verify_request(
                "GET",
                "/v3/job_posts",
                params={"per_page": "1"},
                missing="answered 404 for /v3/job_posts: this base_url serves no Harvest v3",
                missing_hint="Leave base_url unset, or point it at a Harvest v3 origin.",
                forbidden_hint="Grant the credential the harvest:job_posts:list scope; list "
                "endpoints answer only when the user it acts as (user_id) is a Site Admin.",
            )
            return "Harvest v3: token issued, GET /v3/job_posts?per_page=1 answered"
        board = self.settings.board_token
        if board is None:  # refused by check_config; kept for the type checker
            raise ConfigurationError("setting 'board_token' is missing", connector=self.mode)
        await self.verify_request(
            "GET",
            "/v1/boards/{board}",
            board=board,
            missing=f"has no job board {board!r}",
            missing_hint="Check board_token: it is `acme` in boards.greenhouse.io/acme.",
        )
        return f"Job Board API: board {board!r} exists (GET /v1/boards/{board})"

    # -- Job Board API (public) ---------------------------------------------------------------

    async def _load_from_job_board(self, job_id: str) -> Job:
        board = self.settings.board_token
        if board is None:  # refused by check_config; kept for the type checker
            raise ConfigurationError("setting 'board_token' is missing", connector=self.mode)
        fetched = await self.get_json(
            "/v1/boards/{board}/jobs/{job_id}",
            job_id=job_id,
            params={"questions": "true", "pay_transparency": "true"},
            board=board,
        )
        payload = require_object(fetched.data, connector=self.mode, job_id=job_id, what="a job")
        external_id = require_text(payload, "id", connector=self.mode, job_id=job_id)
        if external_id != job_id:
            raise PayloadError(
                f"answered job {external_id[:32]!r} when asked for this one",
                connector=self.mode,
                job_id=job_id,
            )
        return self.new_job(external_id=external_id, fetched=[fetched], **job_fields(payload))

    # -- Harvest API v3 (OAuth2 client credentials) -------------------------------------------

    async def _load_from_harvest(self, job_id: str) -> Job:
        posts, fetched = await self._list("/v3/job_posts", "ids", [job_id], job_id, needed=True)
        if not posts:
            raise JobNotFound(
                "has no such job post (Harvest answered an empty list)",
                connector=self.mode,
                job_id=job_id,
            )
        post = next((p for p in posts if harvest.ref_id(p.get("id")) == job_id), None)
        if post is None:
            other = harvest.ref_id(posts[0].get("id")) or "?"
            raise PayloadError(
                f"answered job post {other[:32]!r} when asked for this one",
                connector=self.mode,
                job_id=job_id,
            )
        parent = harvest.ref_id(post.get("job_id"))
        set_id = harvest.ref_id(post.get("demographic_question_set_id"))
        (
            (jobs, f_jobs),
            (locations, f_locs),
            (ranges, f_ranges),
            (questions, f_qs),
        ) = await asyncio.gather(
            self._list("/v3/jobs", "ids", [parent] if parent else [], job_id, needed=True),
            self._list("/v3/job_post_locations", "job_post_ids", [job_id], job_id),
            self._list("/v3/pay_input_ranges", "job_post_ids", [job_id], job_id),
            self._list(
                "/v3/demographic_questions",
                "demographic_question_set_ids",
                [set_id] if set_id else [],
                job_id,
            ),
        )
        job = next((j for j in jobs if harvest.ref_id(j.get("id")) == parent), {})
        department = harvest.ref_id(job.get("department_id"))
        (
            (departments, f_deps),
            (offices, f_offs),
            (inputs, f_ins),
            (options, f_opts),
        ) = await asyncio.gather(
            self._list("/v3/departments", "ids", [department] if department else [], job_id),
            self._list("/v3/offices", "ids", harvest.office_ids(job, locations), job_id),
            self._list(
                "/v3/pay_inputs",
                "ids",
                harvest.ref_ids([r.get("pay_input_id") for r in ranges]),
                job_id,
            ),
            self._list(
                "/v3/demographic_answer_options",
                "demographic_question_ids",
                harvest.ref_ids([q.get("id") for q in questions]),
                job_id,
            ),
        )
        answers = harvest.HarvestAnswers(
            post=post,
            job=job,
            departments=departments,
            offices=offices,
            post_locations=locations,
            pay_ranges=ranges,
            pay_inputs=inputs,
            demographic_questions=questions,
            demographic_options=options,
        )
        fields = harvest.job_fields(answers)
        if fields["title"] is None:
            raise PayloadError(
                "answered a job post without a title", connector=self.mode, job_id=job_id
            )
        everything = fetched + f_jobs + f_locs + f_ranges + f_qs + f_deps + f_offs + f_ins + f_opts
        return self.new_job(external_id=job_id, fetched=everything, **fields)

    async def _list(
        self,
        path: str,
        filter_name: str,
        ids: list[str],
        job_id: str,
        *,
        needed: bool = False,
    ) -> tuple[list[dict[str, Any]], list[Fetched]]:
        """Every item of a v3 list filtered by ids (in chunks of 50, following `Link: next`).

        An optional list the credentials may not read (HTTP 403: the scope was not granted)
        leaves its field empty instead of failing the whole job; needed ones raise.
        """
        items: list[dict[str, Any]] = []
        fetched: list[Fetched] = []
        try:
            for start in range(0, len(ids), MAX_IDS):
                chunk = ",".join(ids[start : start + MAX_IDS])
                params: dict[str, str] = {filter_name: chunk}
                seen: set[str] = set()
                for _ in range(MAX_PAGES):
                    page = await self.get_json(path, job_id=job_id, params=params)
                    fetched.append(page)
                    if not isinstance(page.data, list):
                        if needed:
                            raise PayloadError(
                                f"answered {type(page.data).__name__} where {path} "
                                "(a JSON array) was expected",
                                connector=self.mode,
                                job_id=job_id,
                            )
                        break
                    items.extend(item for item in page.data if isinstance(item, dict))
                    cursor = next_cursor(page.response.headers)
                    if cursor is None or cursor in seen:
                        break
                    seen.add(cursor)
                    params = {"cursor": cursor}  # v3: the cursor must travel alone
        except PermissionDenied:
            if needed:
                raise
            log.warning(
                "Harvest refused %s (HTTP 403): grant its list scope to map it",
                path,
                extra={"connector": self.mode, "job_id": job_id},
            )
        return items, fetched


def next_cursor(headers: Mapping[str, str]) -> str | None:
    """The `cursor` of the `rel="next"` URL in a Link header (RFC 8288), if any.

    Only the cursor is taken: the next page is asked for on our own base URL, so a Link
    header can never send the token to another host.
    """
    link = headers.get("link") or headers.get("Link")
    match = _NEXT_LINK.search(link) if link else None
    if match is None:
        return None
    cursors = parse_qs(urlsplit(match.group(1)).query).get("cursor")
    return cursors[0] if cursors and cursors[0] else None
