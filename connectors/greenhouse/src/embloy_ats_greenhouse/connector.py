"""Greenhouse: Harvest API v3 with credentials, the public Job Board API without.

With `client_id` + `client_secret` the connector reads Harvest v3 (OAuth2 client credentials):
internal, draft and closed jobs, confidential flags, pay ranges and demographic questions.
Without them it reads the public Job Board API, which serves live public posts only. The job
id is the numeric job post id in both (the Job Board's `id` is the Harvest job post id).

Applications go to the Job Board API's `POST /v1/boards/{board_token}/jobs/{id}` with the
`job_board_api_key` (whichever way jobs are read); after an ambiguous outcome they are looked
up through Harvest v3 where its credentials are given (the Job Board API answers no id).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Self

from embloy_ats.contract import (
    NUMERIC_ID,
    AfterValidator,
    Application,
    Auth,
    AuthKind,
    AuthSpec,
    BasicAuth,
    ConfigurationError,
    Connector,
    ConnectorSettings,
    Credentials,
    EmbloyAtsError,
    Fetched,
    Field,
    Job,
    JobNotFound,
    OAuth2Token,
    PathSegment,
    PayloadError,
    PermissionDenied,
    QuestionType,
    RateLimitPolicy,
    Receipt,
    Request,
    SecretStr,
    Verify,
    WayIn,
    link_cursor,
    model_validator,
)

from embloy_ats_greenhouse import apply, harvest
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
#: v3 pages by the `cursor` of the `Link: next` URL, which must travel alone.
_CURSOR = link_cursor("cursor")


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
    job_board_api_key: SecretStr | None = Field(
        default=None,
        description="Job Board API key (Configure > Dev Center > API Credentials, type Job "
        "Board): submits applications to the board of board_token; sent as the Basic user.",
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


def _harvest_auth(connector: GreenhouseConnector) -> Auth:
    """OAuth2 client credentials, the client authenticated by HTTP Basic; `sub` names the
    user the integration acts as. A base_url override (sandbox, local fake) serves the token
    too: every request goes to the configured origin, the secret never to a host nobody chose.
    """
    creds, settings = connector.credentials, connector.settings
    assert creds.client_id is not None  # it chose this way
    assert creds.client_secret is not None  # given together with the id
    return OAuth2Token(
        token_url=connector.base_url + "/token" if settings.base_url else TOKEN_URL,
        client_id=creds.client_id,
        client_secret=creds.client_secret,
        client_auth="basic",
        extra_form={"sub": settings.user_id} if settings.user_id else {},
    )


class GreenhouseConnector(Connector[GreenhouseSettings, GreenhouseCredentials]):
    mode = "greenhouse"
    display_name = "Greenhouse"
    job_id_pattern = NUMERIC_ID
    job_id_format = "numeric job post id (`gh_jid` in the posting URL)"
    # The Job Board API is cached by Greenhouse and documents no limit; we stay polite.
    rate_limit = RateLimitPolicy(50, 10.0, note="undocumented for the Job Board API; polite cap")
    supports_questions = True
    supports_compensation = True
    docs_url = "https://developers.greenhouse.io/job-board.html"
    submit_credentials = ("job_board_api_key",)
    # Greenhouse documents no limit for the Job Board API's POST; the same polite cap.
    submit_rate_limit = RateLimitPolicy(
        50, 10.0, note="undocumented for the Job Board API's application POST; polite cap"
    )

    def check_config(self) -> None:
        if self.credentials.client_id is None and self.settings.user_id is not None:
            raise ConfigurationError(
                "setting 'user_id' is only used with Harvest credentials "
                "(client_id + client_secret)"
            )
        if self.credentials.job_board_api_key is not None and self.settings.board_token is None:
            raise ConfigurationError(
                "credential 'job_board_api_key' submits to a job board: set 'board_token' too",
                hint="board_token is `acme` in boards.greenhouse.io/acme.",
            )

    # -- applications ---------------------------------------------------------------------

    async def submit_application(self, job: Job, application: Application) -> Receipt:
        """One `POST /v1/boards/{board_token}/jobs/{id}` with the Job Board API key; the
        answer's body decides (Greenhouse has answered errors with HTTP 200)."""
        key, board = self.credentials.job_board_api_key, self.settings.board_token
        try:
            if key is None or board is None:
                raise ConfigurationError(
                    "submitting applications needs the credential 'job_board_api_key' and the "
                    "setting 'board_token'",
                    hint="Create a Job Board API key (Configure > Dev Center > API Credentials) "
                    "and set it with the board's token (`acme` in boards.greenhouse.io/acme).",
                )
            fetched = await self.request_json(
                "POST",
                "/v1/boards/{board_token}/jobs/{job_id}",
                job_id=job.external_id,
                json_body=apply.body(job, application),
                ok_statuses=frozenset({400, 422}),
                auth=BasicAuth(key),
                origin=JOB_BOARD_ORIGIN,
                rate_limit=self.submit_rate_limit,
            )
            return apply.receipt(fetched, application)
        except EmbloyAtsError as exc:
            raise exc.locate(self.mode, job.external_id) from None

    @property
    def find_application(
        self,
    ) -> Callable[[Job, Application], Awaitable[Receipt | None]] | None:
        """The lookup after an ambiguous outcome, through Harvest v3: only with its
        credentials (the Job Board API cannot read applications back)."""
        return self._find_in_harvest if self.credentials.client_id is not None else None

    async def _find_in_harvest(self, job: Job, application: Application) -> Receipt | None:
        """The candidates with the application's email (`GET /v3/candidates?email=`), then
        their applications (`GET /v3/applications?candidate_ids=`) on this post."""
        email = application.answer_of_type(job, QuestionType.EMAIL)
        if not isinstance(email, str):
            return None  # Greenhouse requires an email: nothing without one was saved
        try:
            candidates: list[str] = []
            async for page in self.pages(
                "/v3/candidates",
                job_id=job.external_id,
                params={"email": email, "per_page": "100"},
                following=_CURSOR,
                max_pages=MAX_PAGES,
            ):
                candidates += harvest.ref_ids([c.get("id") for c in _items(page)])
            if not candidates:
                return None
            applications: list[dict[str, Any]] = []
            for start in range(0, len(candidates), MAX_IDS):
                chunk = ",".join(candidates[start : start + MAX_IDS])
                async for page in self.pages(
                    "/v3/applications",
                    job_id=job.external_id,
                    params={"candidate_ids": chunk, "per_page": "500"},
                    following=_CURSOR,
                    max_pages=MAX_PAGES,
                ):
                    applications += _items(page)
            return apply.application_of(applications, job, application)
        except EmbloyAtsError as exc:
            raise exc.locate(self.mode, job.external_id) from None

    async def _load_from_harvest(self, job_id: str) -> Job:
        posts, fetched = await self._list("/v3/job_posts", "ids", [job_id], job_id, needed=True)
        if not posts:
            raise JobNotFound("has no such job post (Harvest answered an empty list)")
        post = next((p for p in posts if harvest.ref_id(p.get("id")) == job_id), None)
        if post is None:
            raise PayloadError("answered another job post when asked for this one")
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
            raise PayloadError("answered a job post without a title")
        everything = fetched + f_jobs + f_locs + f_ranges + f_qs + f_deps + f_offs + f_ins + f_opts
        return self.new_job(external_id=job_id, fetched=everything, **fields)

    async def _list(
        self, path: str, filter_name: str, ids: list[str], job_id: str, *, needed: bool = False
    ) -> tuple[list[dict[str, Any]], list[Fetched]]:
        """Every item of a v3 list filtered by ids (in chunks of 50, following `Link: next`).

        An optional list the credentials may not read (HTTP 403: the scope was not granted)
        leaves its field empty instead of failing the whole job; needed ones raise.
        """
        items: list[dict[str, Any]] = []
        fetched: list[Fetched] = []
        try:
            for start in range(0, len(ids), MAX_IDS):
                chunk = {filter_name: ",".join(ids[start : start + MAX_IDS])}
                async for page in self.pages(
                    path, job_id=job_id, params=chunk, following=_CURSOR, max_pages=MAX_PAGES
                ):
                    fetched.append(page)
                    if not isinstance(page.data, list):
                        if needed:
                            raise PayloadError(
                                f"answered {type(page.data).__name__} where {path} "
                                "(a JSON array) was expected"
                            )
                        break
                    items.extend(item for item in page.data if isinstance(item, dict))
        except PermissionDenied:
            if needed:
                raise
            log.warning(
                "Harvest refused %s (HTTP 403): grant its list scope to map it",
                path,
                extra={"connector": self.mode, "job_id": job_id},
            )
        return items, fetched

    ways_in = (
        WayIn(
            "Job Board API",
            origin=JOB_BOARD_ORIGIN,
            job=Request(
                "/v1/boards/{board_token}/jobs/{job_id}",
                params={"questions": "true", "pay_transparency": "true"},
                id_field="id",
            ),
            mapper=job_fields,
            # "Retrieve job board": only the status is read.
            verify=Verify(
                "/v1/boards/{board_token}",
                missing="has no job board {board_token!r}",
                missing_hint="Check board_token: it is `acme` in boards.greenhouse.io/acme.",
            ),
        ),
        WayIn(
            "Harvest API v3",
            origin=HARVEST_ORIGIN,
            auth=AuthSpec(
                (AuthKind.OAUTH2_CLIENT_CREDENTIALS,), ("client_id", "client_secret"), _harvest_auth
            ),
            load=_load_from_harvest,
            rate_limit=HARVEST_RATE_LIMIT,
            # the token grant, then one job post (v3 lists take `per_page`, 1 to 500)
            verify=Verify(
                "/v3/job_posts",
                params={"per_page": "1"},
                missing="answered 404 for /v3/job_posts: this base_url serves no Harvest v3",
                missing_hint="Leave base_url unset, or point it at a Harvest v3 origin.",
                errors={
                    403: "Grant the credential the harvest:job_posts:list scope; list endpoints "
                    "answer only when the user it acts as (user_id) is a Site Admin."
                },
                says="Harvest v3: token issued, GET /v3/job_posts?per_page=1 answered",
            ),
        ),
    )


def _items(page: Fetched) -> list[dict[str, Any]]:
    """A v3 list page's records; anything but a JSON array is unreadable."""
    if not isinstance(page.data, list):
        raise PayloadError(f"answered {type(page.data).__name__} where a JSON array was expected")
    return [item for item in page.data if isinstance(item, dict)]
