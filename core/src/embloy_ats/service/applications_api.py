"""The candidate's side of applications: the apply page, `POST /api/v0/sdk/apply`, the
thank-you page, and the partner's `GET /api/v0/applications/{id}`.

The request token authorises the post; the job is the one the candidate loaded (the stored
copy, resolved as the page does when there is none). The form is read part by part under
the caps (`apply_form`), checked against the job's questions and stored with its queue
entry in one transaction (`ApplicationService.accept`). A browser gets a `303` to the
partner's `success_url` (or the thank-you page), or the page again with each error next to
its field and its answers kept; any other client gets JSON. Failures speak the candidate's
plain words, with the request id the log line carries; no message repeats what was typed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from fastapi import FastAPI, Header, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from embloy_ats.applications import (
    Accepted,
    ApplicationService,
    ApplicationStore,
    DeliverySettings,
    IdempotencyKeyReused,
    InvalidApplication,
    InvalidIdempotencyKey,
    Limits,
    StoredConnectors,
    SubmissionUnsupported,
    Worker,
    application_store_beside,
    submits,
)
from embloy_ats.clock import SYSTEM_CLOCK, Clock
from embloy_ats.crypto import KeyRing
from embloy_ats.errors import EmbloyAtsError
from embloy_ats.model import SCHEMA_VERSION, Job, JobStatus
from embloy_ats.public import PublicJob
from embloy_ats.request_id import current_request_id
from embloy_ats.resolver import Resolution, Resolver
from embloy_ats.service.app import _PAGE_HEADERS, ApiError, _candidate_failure
from embloy_ats.service.apply_form import FormCaps, UnreadableForm, read_apply_form
from embloy_ats.service.apply_page import (
    APPLY_PATH,
    THANKS_PATH,
    FormState,
    render_apply_page,
    render_error_page,
    render_thanks_page,
)
from embloy_ats.service.candidate import CandidateFailure
from embloy_ats.service.tokens import RequestClaims, TokenService

log = logging.getLogger("embloy_ats.service")
_GONE = (JobStatus.CLOSED, JobStatus.ARCHIVED)
#: longer ids are no application's (ours are 32 hex digits).
_MAX_ID = 64


class Applications:
    """The application pipeline as the service runs it: the store beside the job store, the
    service that accepts, and, when asked, one worker delivering in this process."""

    def __init__(
        self,
        store: ApplicationStore,
        service: ApplicationService,
        *,
        worker: Worker | None = None,
        connectors: StoredConnectors | None = None,
    ) -> None:
        self.store = store
        self.service = service
        self.worker = worker
        self.connectors = connectors
        self._running: asyncio.Task[None] | None = None

    @classmethod
    def beside(
        cls,
        resolver: Resolver,
        keys: KeyRing,
        *,
        worker: bool = False,
        settings: DeliverySettings | None = None,
        limits: Limits | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> Applications:
        """Applications in the resolver's database, encrypted with `keys`; with `worker`,
        delivered by one worker of this process, woken by each application accepted."""
        settings = settings or DeliverySettings()
        store = application_store_beside(resolver.store, keys)
        connectors = delivering = None
        if worker:
            connectors = StoredConnectors(
                resolver.store, keys=keys, registry=resolver.registry, clock=clock
            )
            delivering = Worker(store, connectors, settings=settings, clock=clock)
        service = ApplicationService(
            store,
            registry=resolver.registry,
            limits=limits,
            settings=settings,
            clock=clock,
            on_accepted=delivering.wake if delivering is not None else None,
        )
        return cls(store, service, worker=delivering, connectors=connectors)

    async def start(self) -> None:
        """Open the store (creating its tables) and start the worker, if there is one."""
        await self.store.open()
        if self.worker is not None and self._running is None:
            self._running = asyncio.create_task(self.worker.run())

    async def stop(self) -> None:
        """Stop the worker (sends under way get its grace period), then close the store."""
        try:
            if self.worker is not None and self._running is not None:
                self.worker.stop()
                running, self._running = self._running, None
                with contextlib.suppress(asyncio.CancelledError):
                    await running
        finally:
            if self.connectors is not None:
                await self.connectors.aclose()
            await self.store.close()

    def takes_applications(self, mode: str) -> bool:
        """Whether the connector of `mode` can send applications to its ATS."""
        try:
            return submits(self.service.registry.get(mode).connector)
        except EmbloyAtsError:
            return False


def success_redirect(success_url: str, application_id: str) -> str:
    """The partner's `success_url` with `application_id` added to its query."""
    parts = urlsplit(success_url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), ("application_id", application_id)]
    return urlunsplit(parts._replace(query=urlencode(query)))


_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?")


def form_headers(claims: RequestClaims) -> dict[str, str]:
    """The page's headers, for a page holding the form: its post may be redirected to the
    partner's `success_url`, which `form-action` must allow (browsers hold redirects after
    a form post to it), and to nothing else."""
    headers = dict(_PAGE_HEADERS)
    if not claims.success_url:
        return headers
    parts = urlsplit(claims.success_url)
    origin = f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    if _ORIGIN.fullmatch(origin):
        policy = headers["Content-Security-Policy"]
        headers["Content-Security-Policy"] = policy.replace(
            "form-action 'self'", f"form-action 'self' {origin}"
        )
    return headers


def _wants_html(request: Request) -> bool:
    """A browser's form post: it asks for HTML before JSON."""
    accept = [
        item.split(";", 1)[0].strip().lower()
        for item in request.headers.get("accept", "").split(",")
    ]
    if "text/html" not in accept:
        return False
    return "application/json" not in accept or accept.index("text/html") < accept.index(
        "application/json"
    )


def _as_api_error(exc: Exception) -> Exception:
    """The endpoint's own errors as the statuses and codes they deserve; others unchanged."""
    if isinstance(exc, UnreadableForm):
        return ApiError(exc.status, exc.code, exc.message)
    if isinstance(exc, InvalidIdempotencyKey):
        return ApiError(400, "invalid_idempotency_key", f"{exc.message}. {exc.hint}")
    if isinstance(exc, IdempotencyKeyReused):
        return ApiError(409, "idempotency_key_reused", f"{exc.message}. {exc.hint}")
    if isinstance(exc, SubmissionUnsupported):
        return ApiError(
            409,
            "submission_unsupported",
            f"the {exc.connector} connector cannot send applications to its ATS",
        )
    return exc


_APPLY_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "request_token": {
                            "type": "string",
                            "description": "The request token (or send it as a header).",
                        },
                        "idempotency_key": {
                            "type": "string",
                            "description": "As the Idempotency-Key header (which wins).",
                        },
                    },
                    "additionalProperties": {
                        "description": "answer.<question id>: text, an option id (repeated "
                        "for multiple choice), yes/no, or a file part.",
                    },
                }
            }
        },
    }
}


@dataclass(frozen=True)
class _Sent:
    """What a post carried that its answer needs."""

    token: str | None
    idempotency_key: str | None


def add_application_routes(
    app: FastAPI,
    *,
    resolver: Resolver,
    tokens: TokenService,
    applications: Applications | None,
    resolve: Callable[[RequestClaims], Awaitable[Resolution]],
    open_for_candidate: Callable[[str | None, str], Awaitable[tuple[RequestClaims, Resolution]]],
) -> None:
    """Add the apply page, the apply endpoint, the thank-you page and the status endpoint.
    Without `applications` the page says the job takes none, and the endpoints answer 503."""
    caps = FormCaps.of(applications.service.limits if applications else Limits())

    def takes_applications(mode: str) -> bool:
        return applications is not None and applications.takes_applications(mode)

    def page(job: PublicJob, claims: RequestClaims, form: FormState, *, stale: bool = False) -> str:
        return render_apply_page(
            job,
            claims,
            stale=stale,
            form=form,
            takes_applications=takes_applications(claims.mode),
            max_file_bytes=(
                applications.service.limits_for(claims.mode).max_file_bytes
                if applications
                else None
            ),
        )

    def shown(job: Job) -> Job:
        """What the candidate is asked: not the questions the ATS cannot take."""
        return applications.service.job_taken(job) if applications else job

    def refuse_unless_it_takes_applications(claims: RequestClaims) -> None:
        if not takes_applications(claims.mode):
            raise SubmissionUnsupported(
                "this connector cannot send applications to its ATS", connector=claims.mode
            )

    def unavailable() -> ApiError:
        return ApiError(
            503,
            "applications_unavailable",
            "this service does not take applications (EMBLOY_ATS_ENCRYPTION_KEYS is not set)",
        )

    async def job_for(claims: RequestClaims) -> Job:
        """The job the candidate loaded: the stored copy, else resolved as the page does."""
        stored = await resolver.store.get_job(claims.tenant_id, claims.mode, claims.job_slug)
        if stored is not None:
            job = Job.model_validate_json(stored.job_json)
            if job.schema_version == SCHEMA_VERSION:
                if job.status in _GONE:
                    raise ApiError(404, "job_gone", f"the job is {job.status.value}")
                return job
        return (await resolve(claims)).job

    @app.get("/sdk/apply", response_class=HTMLResponse, tags=["apply"])
    async def apply_page(request_token: str | None = Query(default=None)) -> HTMLResponse:
        """The page the candidate lands on: the job and its application form."""
        try:
            claims, resolution = await open_for_candidate(request_token, "apply page")
        except CandidateFailure as failure:
            return HTMLResponse(
                render_error_page(failure),
                status_code=failure.status,
                headers=_PAGE_HEADERS | failure.headers,
            )
        form = FormState(request_token or "", secrets.token_urlsafe(24))
        return HTMLResponse(
            page(PublicJob.of(shown(resolution.job)), claims, form, stale=resolution.stale),
            headers=form_headers(claims),
        )

    @app.post(
        APPLY_PATH,
        status_code=202,
        openapi_extra=_APPLY_BODY,
        responses={
            202: {"description": "Stored and queued for delivery"},
            303: {"description": "A browser's post: to success_url or the thank-you page"},
            401: {"description": "Bad or expired request token"},
            409: {"description": "Idempotency-Key reused, or the job's ATS takes none"},
            413: {"description": "The form is larger than the caps"},
            422: {"description": "Answers need attention (per field); nothing stored"},
        },
        tags=["sdk"],
    )
    async def apply(
        request: Request,
        request_token: str | None = Header(default=None, convert_underscores=False),
        idempotency_key: str | None = Header(default=None),
    ) -> Response:
        """Apply: the answers as `answer.<question id>` form fields, files as file parts."""
        browser = _wants_html(request)
        claims: RequestClaims | None = None
        sent = _Sent(request_token, idempotency_key)
        read = False
        try:
            if request_token is not None:  # refused before a byte of the body is read
                claims = await tokens.verify_request_token(request_token)
            if applications is None:
                raise unavailable()
            if claims is not None:
                refuse_unless_it_takes_applications(claims)
            form = await read_apply_form(request.headers, request.stream(), caps)
            read = True
            sent = _Sent(
                request_token or form.first("request_token"),
                idempotency_key or form.first("idempotency_key") or None,
            )
            if claims is None:
                claims = await tokens.verify_request_token(sent.token)
                refuse_unless_it_takes_applications(claims)
            job = await job_for(claims)
            result = await applications.service.accept(
                claims.tenant_id,
                job,
                form.fields,
                form.files,
                idempotency_key=sent.idempotency_key,
                redirect_url=claims.success_url,
            )
        except Exception as exc:  # noqa: BLE001 - every failure gets plain words
            failure = _candidate_failure(_as_api_error(exc), claims, "apply")
            if not read:
                # Refused before the body was read: close the connection rather than read
                # the rest of it. A browser still uploading then shows this answer at once;
                # on a kept-alive connection it waits for the server to take the rest.
                failure.headers = failure.headers | {"Connection": "close"}
            if not browser:
                return JSONResponse(
                    failure.as_json(), status_code=failure.status, headers=failure.headers
                )
            retry = f"/sdk/apply?{urlencode({'request_token': sent.token})}" if sent.token else ""
            return HTMLResponse(
                render_error_page(
                    failure, heading="We could not send your application", retry_url=retry
                ),
                status_code=failure.status,
                headers=_PAGE_HEADERS | failure.headers,
            )
        if isinstance(result, InvalidApplication):
            return _refused(
                result, shown(job), claims, form.fields, sent, browser=browser, page=page
            )
        return _accepted(result, claims, browser=browser)

    @app.get(THANKS_PATH, response_class=HTMLResponse, tags=["apply"])
    async def thanks() -> HTMLResponse:
        """Where a candidate lands after applying when the partner gave no success_url."""
        return HTMLResponse(render_thanks_page(), headers=_PAGE_HEADERS)

    @app.get(
        "/api/v0/applications/{application_id}",
        tags=["sdk"],
        responses={
            401: {"description": "Bad client token"},
            404: {"description": "No application of this client has that id"},
        },
    )
    async def application_status(
        application_id: str,
        client_token: str | None = Header(default=None, convert_underscores=False),
    ) -> JSONResponse:
        """Where an application stands: queued, delivering, retrying, delivered or failed."""
        client = await tokens.verify_client_token(client_token)
        if applications is None:
            raise unavailable()
        record = None
        if len(application_id) <= _MAX_ID:
            record = await applications.service.status(client.tenant_id, application_id)
        if record is None:
            raise ApiError(
                404, "application_not_found", "this client has no application with that id"
            )
        return JSONResponse(record.to_api(), headers={"Cache-Control": "no-store"})


def _accepted(result: Accepted, claims: RequestClaims, *, browser: bool) -> Response:
    log.info(
        "application accepted" if not result.replayed else "application replayed",
        extra={"application_id": result.application_id, "tenant_id": claims.tenant_id,
               "mode": claims.mode, "job_slug": claims.job_slug},
    )  # fmt: skip
    if browser:
        target = (
            success_redirect(result.redirect_url, result.application_id)
            if result.redirect_url
            else THANKS_PATH
        )
        return RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})
    return JSONResponse(result.to_json(), status_code=202, headers={"Cache-Control": "no-store"})


def _refused(
    result: InvalidApplication,
    job: Job,
    claims: RequestClaims,
    fields: dict[str, list[str]],
    sent: _Sent,
    *,
    browser: bool,
    page: Callable[[PublicJob, RequestClaims, FormState], str],
) -> Response:
    """422: the errors by field; a browser gets its form back with its answers."""
    log.info(
        "application refused: %d answer(s) need attention",
        len(result.fields),
        extra={"tenant_id": claims.tenant_id, "mode": claims.mode, "job_slug": claims.job_slug,
               "fields": sorted(result.fields)},
    )  # fmt: skip
    if not browser:
        body = result.to_json()
        body["error"]["request_id"] = current_request_id()
        return JSONResponse(body, status_code=422)
    form = FormState(
        sent.token or "",
        sent.idempotency_key or secrets.token_urlsafe(24),
        values=fields,
        errors=result.fields,
    )
    return HTMLResponse(
        page(PublicJob.of(job), claims, form), status_code=422, headers=form_headers(claims)
    )
