"""The Embloy-side HTTP service: token exchange, the apply handle, the apply page.

Every error is JSON `{"error": {"code", "message", "request_id"}}` with the status the kind
of error deserves; never a stack trace, never a secret. What the candidate's browser gets (the
handle answer, the apply page) carries the job's public view only, and failures there speak
plain words: the operator detail goes to the log, under the request id both show.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import math
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException

from embloy_ats import errors
from embloy_ats.model import Job, JobStatus, http_url
from embloy_ats.public import PublicJob
from embloy_ats.request_id import current_request_id, new_request_id
from embloy_ats.resolver import NoConnection, Resolution, Resolver
from embloy_ats.service.candidate import (
    EXPIRED,
    CandidateFailure,
    HandleAnswer,
    Session,
    words_for,
)
from embloy_ats.service.middleware import RequestIdMiddleware
from embloy_ats.service.tokens import ExpiredToken, InvalidToken, RequestClaims, TokenService

if TYPE_CHECKING:
    from embloy_ats.service.applications_api import Applications

log = logging.getLogger("embloy_ats.service")
_MAX_BODY = 16 * 1024
#: seconds the readiness check waits for the database.
READY_TIMEOUT = 2.0
_GONE = (JobStatus.CLOSED, JobStatus.ARCHIVED)
#: public views of stored jobs kept serialised (a few KiB each, but a job's description
#: may be megabytes), at most so many and so many characters in all; the oldest go first.
_MAX_VIEWS = 2048
_MAX_VIEW_CHARS = 32 * 1024 * 1024
#: connections an exchange remembers having seen; the oldest are looked up again.
_MAX_CONNECTIONS_SEEN = 10_000


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


def api_error(exc: Exception) -> ApiError:
    """The HTTP face of an error: status, stable code, a message safe to show."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, InvalidToken):
        return ApiError(401, "invalid_token", exc.message)
    if isinstance(exc, errors.InvalidJobId):
        return ApiError(400, "invalid_job_slug", str(exc))
    if isinstance(exc, NoConnection):
        return ApiError(400, "not_connected", str(exc))
    if isinstance(exc, errors.ConfigurationError):
        return ApiError(400, "bad_request", str(exc))
    if isinstance(exc, errors.JobNotFound):
        return ApiError(404, "job_not_found", str(exc))
    if isinstance(exc, errors.RateLimited):
        wait = math.ceil(exc.retry_after) if exc.retry_after is not None else 60
        return ApiError(429, "rate_limited", str(exc), {"Retry-After": str(max(1, wait))})
    if isinstance(exc, errors.UpstreamTimeout):
        return ApiError(504, "upstream_timeout", str(exc))
    if isinstance(exc, errors.UpstreamUnavailable):
        return ApiError(503, "upstream_unavailable", str(exc))
    if isinstance(exc, errors.DatabaseUnavailable):
        return ApiError(503, "service_unavailable", str(exc), {"Retry-After": "5"})
    if isinstance(exc, errors.EmbloyAtsError):
        return ApiError(502, "upstream_error", str(exc))
    return _internal_error()


def _internal_error() -> ApiError:
    return ApiError(500, "internal_error", "an unexpected error occurred; it has been logged")


def _json_error(error: ApiError) -> JSONResponse:
    body = {"code": error.code, "message": error.message, "request_id": current_request_id()}
    return JSONResponse({"error": body}, status_code=error.status, headers=error.headers)


#: How loud a failure a candidate met is in the log: tokens and forms refused are routine, a job
#: gone or an ATS slow is worth a look, anything else needs the operator (credentials, setup,
#: bugs).
_QUIET = dict.fromkeys(
    ("invalid_token", "unreadable_form", "unsupported_media_type", "too_many_parts",
     "body_too_large", "invalid_idempotency_key", "idempotency_key_reused"),
    logging.INFO,
)  # fmt: skip
_WORTH_A_LOOK = {"job_gone", "job_not_found", "invalid_job_slug", "rate_limited",
                 "upstream_unavailable", "upstream_timeout", "submission_unsupported"}  # fmt: skip


def _candidate_failure(exc: Exception, claims: RequestClaims | None, path: str) -> CandidateFailure:
    """Log the operator detail under the request id; answer the candidate in plain words."""
    error = api_error(exc)
    request_id = current_request_id() or new_request_id()
    level = _QUIET.get(
        error.code, logging.WARNING if error.code in _WORTH_A_LOOK else logging.ERROR
    )
    known = isinstance(exc, errors.EmbloyAtsError | ApiError)
    log.log(
        level,
        "%s: %d %s for %s (request %s): %s",
        path,
        error.status,
        error.code,
        f"{claims.mode} job {claims.job_slug!r}" if claims else "a token not verified",
        request_id,
        str(exc) if known else type(exc).__name__,
        exc_info=exc if error.status == 500 else None,
        extra={
            "status": error.status,
            "code": error.code,
            "tenant_id": claims.tenant_id if claims else None,
            "mode": claims.mode if claims else None,
            "job_slug": claims.job_slug if claims else None,
            "connector": getattr(exc, "connector", None),
            "job_id": getattr(exc, "job_id", None),
            "upstream_status": getattr(exc, "status_code", None),
            "upstream_request_id": getattr(exc, "request_id", None),
        },
    )
    expired = exc if isinstance(exc, ExpiredToken) else None
    cancel_url = claims.cancel_url if claims else expired.cancel_url if expired else None
    return CandidateFailure(
        error.status,
        error.code,
        EXPIRED if expired else words_for(error.code),
        request_id,
        cancel_url=cancel_url,
        headers=error.headers,
    )


async def _read_fields(request: Request) -> dict[str, str]:
    """The body as form-encoded (what the Embloy SDKs send) or JSON.

    Read as it streams in and refused once past the cap (at once if its Content-Length
    says so): a huge body is never buffered to be measured.
    """
    too_large = ApiError(413, "body_too_large", f"the body exceeds {_MAX_BODY} bytes")
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > _MAX_BODY:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > _MAX_BODY:
            raise too_large
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    try:
        if kind == "application/json":
            data = json.loads(body or b"{}")
            if not isinstance(data, dict):
                raise ValueError
            return {str(k): v for k, v in data.items() if isinstance(v, str)}
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=False))
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "bad_request", "the body is not valid form data or JSON") from None


def _field(fields: dict[str, str], name: str, *, required: bool) -> str | None:
    value = fields.get(name, "").strip()
    if not value:
        if required:
            raise ApiError(400, "bad_request", f"the field {name!r} is required")
        return None
    if len(value) > 2048 or not value.isprintable():
        raise ApiError(400, "bad_request", f"the field {name!r} is malformed")
    return value


def _url_field(fields: dict[str, str], name: str) -> str | None:
    value = _field(fields, name, required=False)
    try:
        return http_url(value)
    except ValueError:
        raise ApiError(400, "bad_request", f"{name} must be an http(s) URL") from None


_TOKEN_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            media: {
                "schema": {
                    "type": "object",
                    "required": ["mode", "job_slug"],
                    "properties": {
                        "mode": {"type": "string", "description": "The connector mode."},
                        "job_slug": {"type": "string", "description": "The job's id in the ATS."},
                        "success_url": {"type": "string", "format": "uri"},
                        "cancel_url": {"type": "string", "format": "uri"},
                    },
                }
            }
            for media in ("application/x-www-form-urlencoded", "application/json")
        },
    }
}
_ERROR_SCHEMA = {
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {
                    "error": {
                        "type": "object",
                        "required": ["code", "message", "request_id"],
                        "properties": {
                            "code": {"type": "string"},
                            "message": {"type": "string"},
                            "request_id": {"type": "string"},
                            "cancel_url": {"type": "string", "format": "uri"},
                        },
                    }
                },
            }
        }
    }
}
_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"description": text, **_ERROR_SCHEMA}
    for status, text in {
        400: "Bad input", 401: "Bad or expired token", 404: "Job gone", 429: "ATS rate limit",
        502: "ATS error", 503: "ATS unavailable", 504: "ATS timeout",
    }.items()
}  # fmt: skip


def _responses(ok: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"description": ok}, **_ERRORS}


def _header_read_by_hand(name: str) -> dict[str, Any]:
    """The description of an optional header the route reads from the request itself, as
    `Header()` describes it: a `Header()` parameter costs a validation per request (about
    a sixth of a minimal route's CPU) for a value the token check judges anyway."""
    schema = {
        "anyOf": [{"type": "string"}, {"type": "null"}],
        "title": name.replace("_", " ").title(),
    }
    return {"parameters": [{"name": name, "in": "header", "required": False, "schema": schema}]}


def create_app(
    resolver: Resolver,
    tokens: TokenService,
    *,
    owns_resolver: bool = True,
    on_resolved: Callable[[Resolution], None] | None = None,
    metrics_token: str | None = None,
    applications: Applications | None = None,
) -> FastAPI:
    """The service over an (unopened) resolver; it is opened and closed with the app.
    With `metrics_token`, /metrics answers only requests that bear it. `applications`
    (default: beside the resolver's store, without a worker, when it has encryption keys)
    is started and stopped with the app."""
    if applications is None and resolver.keys is not None:
        from embloy_ats.service.applications_api import Applications

        applications = Applications.beside(resolver, resolver.keys)
    expected = metrics_token.encode() if metrics_token else None
    #: readiness pings still running (cancelled ones wind down in the background).
    pings: set[asyncio.Task[None]] = set()

    def _settle_ping(ping: asyncio.Task[None]) -> None:
        pings.discard(ping)
        if not ping.cancelled():
            ping.exception()  # retrieved, even when no request waits for it any more

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if owns_resolver:
            await resolver.open()
        try:
            if applications is not None:
                await applications.start()
            try:
                yield
            finally:
                if applications is not None:
                    await applications.stop()  # its worker first: sends under way finish
        finally:
            if owns_resolver:
                await resolver.close()

    app = FastAPI(
        title="embloy-ats",
        version="0.1.0",
        summary="Apply with Embloy: token exchange and on-demand job resolution for any ATS.",
        lifespan=lifespan,
        # Swagger UI and ReDoc load their scripts from a CDN onto this origin; the
        # description itself stays at /openapi.json, for any OpenAPI viewer.
        docs_url=None,
        redoc_url=None,
    )

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return _json_error(exc)

    @app.exception_handler(CandidateFailure)
    async def _candidate(_: Request, exc: CandidateFailure) -> JSONResponse:
        return JSONResponse(exc.as_json(), status_code=exc.status, headers=exc.headers)

    @app.exception_handler(errors.EmbloyAtsError)
    async def _domain_error(_: Request, exc: errors.EmbloyAtsError) -> JSONResponse:
        return _json_error(api_error(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _json_error(ApiError(400, "bad_request", "the request is malformed"))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return _json_error(ApiError(exc.status_code, code, str(exc.detail)))

    app.add_middleware(RequestIdMiddleware, on_error=lambda: _json_error(_internal_error()))

    async def resolve(claims: RequestClaims) -> Resolution:
        resolution = await resolver.resolve_detailed(claims.tenant_id, claims.mode, claims.job_slug)
        if on_resolved is not None:
            on_resolved(resolution)
        if resolution.job.status in _GONE:
            raise ApiError(404, "job_gone", f"the job is {resolution.job.status.value}")
        return resolution

    async def open_for_candidate(token: str | None, path: str) -> tuple[RequestClaims, Resolution]:
        """The verified claims and the resolved job, or a `CandidateFailure`."""
        claims: RequestClaims | None = None
        try:
            claims = await tokens.verify_request_token(token)
            return claims, await resolve(claims)
        except Exception as exc:  # noqa: BLE001 - every failure gets plain words
            raise _candidate_failure(exc, claims, path) from None

    #: (tenant, mode) -> when a connection was last seen: trusted as long as a client
    #: token's record. A connection goes only with its tenant, whose client tokens go too.
    connected: dict[tuple[str, str], float] = {}

    async def is_connected(tenant_id: str, mode: str) -> bool:
        key, now = (tenant_id, mode), tokens.clock.monotonic()
        seen = connected.pop(key, None)
        if seen is None or now - seen >= tokens.revocation_check_seconds:
            if await resolver.store.get_connection(tenant_id, mode) is None:
                return False
            seen = now
        connected[key] = seen
        while len(connected) > _MAX_CONNECTIONS_SEEN:
            del connected[next(iter(connected))]
        return True

    @app.post(
        "/api/v0/sdk/request/auth/token",
        openapi_extra={**_TOKEN_BODY, **_header_read_by_hand("client_token")},
        response_model=dict[str, str],
        responses=_responses("A request token"),
        tags=["sdk"],
    )
    async def request_token(request: Request) -> Response:
        """Exchange a partner's client token for a short-lived request token for one job."""
        client = await tokens.verify_client_token(request.headers.get("client_token"))
        tenant_id = client.tenant_id
        fields = await _read_fields(request)
        mode = _field(fields, "mode", required=True) or ""
        slug = _field(fields, "job_slug", required=True) or ""
        slug = slug.removeprefix(f"{mode}__")  # Embloy's own "<mode>__<id>" form works too
        success_url, cancel_url = (
            _url_field(fields, "success_url"),
            _url_field(fields, "cancel_url"),
        )
        connector = resolver.registry.get(mode).connector
        job_id = connector.validate_job_id(slug)
        if not await is_connected(tenant_id, mode):
            raise NoConnection(f"this client has no connection for mode {mode!r}", connector=mode)
        token = tokens.issue_request_token(
            client, mode, job_id, success_url=success_url, cancel_url=cancel_url
        )
        return JSONResponse({"request_token": token})

    @app.post(
        "/api/v0/sdk/request/handle",
        openapi_extra=_header_read_by_hand("request_token"),
        response_model=HandleAnswer,
        responses=_responses("The session and the job's public view"),
        tags=["sdk"],
    )
    async def handle(request: Request) -> Response:
        """Verify a request token and answer the job it is for, resolved on demand: what the
        employer published, never the ATS's raw answer or its internal fields."""
        claims, resolution = await open_for_candidate(
            request.headers.get("request_token"), "handle"
        )
        session = Session(
            mode=claims.mode,
            job_slug=claims.job_slug,
            success_url=claims.success_url,
            cancel_url=claims.cancel_url,
            expires_at=claims.expires_at,
            source=resolution.source,
            stale=resolution.stale,
        )
        # HandleAnswer's JSON, byte for byte, with the job's part serialised once
        job = public_view(claims, resolution.job)
        return Response(
            f'{{"session":{session.model_dump_json()},"job":{job}}}',
            media_type="application/json",
        )

    #: (tenant, mode, job id, when fetched) -> the job's public view as JSON: one tenant's
    #: view is never another's, and a job fetched again is a new entry.
    views: dict[tuple[str, str, str, datetime], str] = {}
    view_chars = 0

    def public_view(claims: RequestClaims, job: Job) -> str:
        """The public view of the job as the candidate gets it, built once per fetch."""
        nonlocal view_chars
        key = (claims.tenant_id, claims.mode, claims.job_slug, job.fetched_at)
        view = views.get(key)
        if view is None:
            taken = applications.service.job_taken(job) if applications else job
            view = views[key] = PublicJob.of(taken).model_dump_json()
            view_chars += len(view)
            while len(views) > _MAX_VIEWS or view_chars > _MAX_VIEW_CHARS:
                view_chars -= len(views.pop(next(iter(views))))
        return view

    from embloy_ats.service.applications_api import add_application_routes

    add_application_routes(
        app,
        resolver=resolver,
        tokens=tokens,
        applications=applications,
        resolve=resolve,
        open_for_candidate=open_for_candidate,
    )

    @app.get("/healthz", tags=["ops"])
    async def healthz() -> dict[str, str]:
        """Liveness: the process answers. It asks nothing else, so it stays cheap."""
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["ops"],
        responses={503: {"description": "The database does not answer"}},
    )
    async def readyz() -> JSONResponse:
        """Readiness: the database answers, so requests can be served."""
        ping = asyncio.create_task(resolver.store.ping())
        pings.add(ping)
        ping.add_done_callback(_settle_ping)
        done, _ = await asyncio.wait({ping}, timeout=READY_TIMEOUT)
        failure = ping.exception() if done else TimeoutError(f"no answer in {READY_TIMEOUT} s")
        if failure is None:
            return JSONResponse({"status": "ready"}, headers={"Cache-Control": "no-store"})
        # Not awaited: cancelling a query can wait on the very server that hangs.
        ping.cancel()
        log.warning(
            "not ready: the database does not answer (%s: %s)", type(failure).__name__, failure
        )
        return JSONResponse(
            {"status": "unavailable", "reason": "the database does not answer"},
            status_code=503,
            headers={"Cache-Control": "no-store"},
        )

    @app.get(
        "/metrics",
        response_class=PlainTextResponse,
        tags=["ops"],
        responses={401: {"description": "Metrics need the bearer token", **_ERROR_SCHEMA}},
    )
    async def metrics_endpoint(
        authorization: str | None = Header(default=None),
    ) -> Response:
        """Prometheus metrics; with a metrics token set, only for `Bearer <token>`."""
        if expected is not None and not _bearer_matches(authorization, expected):
            raise ApiError(
                401,
                "invalid_token",
                "the metrics need the bearer token",
                {"WWW-Authenticate": 'Bearer realm="metrics"'},
            )
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app


def _bearer_matches(authorization: str | None, expected: bytes) -> bool:
    scheme, _, given = (authorization or "").partition(" ")
    # compare_digest: the time taken says nothing about how much of the token was right
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), expected)


_PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",  # the request token is in the URL
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
