"""CLI: `applications list/show/retry/purge`, and `worker`, which delivers them.

Every command reads EMBLOY_ATS_DATABASE_URL and EMBLOY_ATS_ENCRYPTION_KEYS (applications
are encrypted with the same keys as credentials). A database that cannot be used stops the
command at once with the one line every command prints; nothing here prints an answer, a
file or anything else a candidate sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, TypeVar

import typer
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from rich.table import Table
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from embloy_ats.applications import (
    ApplicationRecord,
    ApplicationService,
    ApplicationStatus,
    ApplicationStore,
    DeliverySettings,
    StoredConnectors,
    Worker,
    application_store_beside,
)
from embloy_ats.crypto import ENCRYPTION_KEYS_ENV, KeyRing
from embloy_ats.errors import ConfigurationError, EmbloyAtsError
from embloy_ats.resolver import Resolver
from embloy_ats.terminal import err, fail, out, run

T = TypeVar("T")

applications_app = typer.Typer(
    help="Applications: where each one stands; put failed ones back in the queue.",
    no_args_is_help=True,
)


def keys_of(resolver: Resolver) -> KeyRing:
    """The resolver's keys (EMBLOY_ATS_ENCRYPTION_KEYS), which applications need."""
    keys = resolver.keys
    if keys is None:
        raise ConfigurationError(
            f"{ENCRYPTION_KEYS_ENV} is not set; applications are stored encrypted with it",
            hint="Set it to the keys the service runs with (`embloy-ats keys generate`).",
        )
    return keys


@dataclasses.dataclass(frozen=True)
class _Opened:
    resolver: Resolver
    store: ApplicationStore
    service: ApplicationService


def _with_applications(work: Callable[[_Opened], Awaitable[T]]) -> T:
    """Open the job store and the applications beside it, run `work`, close them."""

    async def opened() -> T:
        settings = DeliverySettings.from_env()
        resolver = Resolver.from_env()
        keys = keys_of(resolver)
        async with resolver:
            store = application_store_beside(resolver.store, keys)
            async with store:
                service = ApplicationService(store, registry=resolver.registry, settings=settings)
                return await work(_Opened(resolver, store, service))

    result: T = run(opened())
    return result


def _when(iso: str | None) -> str:
    return iso.replace("+00:00", "Z") if iso else "-"


@applications_app.command("list")
def applications_list(
    tenant: Annotated[str | None, typer.Option("--tenant", help="Tenant name or id.")] = None,
    status: Annotated[
        ApplicationStatus | None, typer.Option("--status", help="Only this status.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="At most this many.")] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """List applications, newest first: status, attempts, and why the failed ones failed."""

    async def work(opened: _Opened) -> tuple[list[ApplicationRecord], dict[str, str]]:
        tenant_id = (await opened.resolver.tenant(tenant)).id if tenant else None
        names = {t.id: t.name for t in await opened.resolver.store.list_tenants()}
        found = await opened.store.list_applications(
            tenant_id=tenant_id, status=status, limit=limit
        )
        return found, names

    records, names = _with_applications(work)
    if as_json:
        out.print_json(json.dumps([record.to_json() for record in records]))
        return
    table = Table(title=f"{len(records)} applications", title_justify="left")
    for column in ("id", "tenant", "job", "status", "attempts", "created", "last error"):
        table.add_column(column, overflow="fold")
    for record in records:
        shown = record.to_json()
        table.add_row(
            record.application_id,
            names.get(record.tenant_id, record.tenant_id),
            f"{record.mode}__{record.job_id}",
            record.status.value
            + (f" ({record.failure_reason.value})" if record.failure_reason else ""),
            str(record.attempts),
            _when(shown["created_at"]),
            (record.last_error or "")[:120],
        )
    out.print(table)


@applications_app.command("show")
def applications_show(
    application_id: Annotated[str, typer.Argument(help="The application's id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Show where one application stands (never its answers or files)."""
    record = _with_applications(lambda opened: opened.store.show(application_id))
    shown = record.to_json()
    if as_json:
        out.print_json(json.dumps(shown))
        return
    for name, value in shown.items():
        text = _when(value) if name.endswith("_at") else ("-" if value is None else str(value))
        out.print(f"  {name:<20}{text}", markup=False)


@applications_app.command("retry")
def applications_retry(
    application_id: Annotated[str, typer.Argument(help="The id of a failed application.")],
) -> None:
    """Put a failed application back in the queue, with a fresh delivery deadline."""
    record = _with_applications(lambda opened: opened.service.retry(application_id))
    err.print(
        f"application {record.application_id} is queued again; a worker sends it next "
        f"(deadline {_when(record.to_json()['deadline_at'])})",
        markup=False,
    )


@applications_app.command("purge")
def applications_purge() -> None:
    """Delete what the retention settings say is due (a running worker does it hourly)."""
    report = _with_applications(lambda opened: opened.service.purge())
    err.print(
        f"purged {report.files} file(s), {report.applications} application(s) and "
        f"{report.job_snapshots} job snapshot(s)",
        markup=False,
    )


def worker_command(
    concurrency: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=1000,
            help="Applications sent at once (default: EMBLOY_ATS_DELIVERY_CONCURRENCY, 8).",
        ),
    ] = None,
    metrics_port: Annotated[
        int | None,
        typer.Option(
            help="Serve Prometheus metrics on this port (/metrics; 0: any free port, which "
            "the worker prints).",
            min=0,
        ),
    ] = None,
    metrics_host: Annotated[
        str, typer.Option(help="Interface the metrics listen on.")
    ] = "127.0.0.1",
) -> None:
    """Deliver applications to their ATS until SIGTERM or Ctrl-C.

    Any number of workers may share one PostgreSQL database (or one SQLite file): a worker
    claims each application with a lease, so none is sent twice at once. On SIGTERM or
    Ctrl-C it takes nothing new and lets the sends under way finish (up to
    EMBLOY_ATS_DELIVERY_STOP_GRACE); a second Ctrl-C stops at once.
    """
    from embloy_ats.service.cli import metrics_token_from_env

    try:
        settings = DeliverySettings.from_env()
        if concurrency is not None:
            settings = dataclasses.replace(settings, concurrency=concurrency)
        metrics_token = metrics_token_from_env() if metrics_port is not None else None
        resolver = Resolver.from_env()
        keys = keys_of(resolver)
    except EmbloyAtsError as exc:
        raise fail(exc) from None
    metrics = (metrics_host, metrics_port, metrics_token) if metrics_port is not None else None
    run(_deliver(resolver, keys, settings, metrics))


async def _deliver(
    resolver: Resolver,
    keys: KeyRing,
    settings: DeliverySettings,
    metrics: tuple[str, int, str | None] | None,
) -> None:
    async with resolver:  # a database that cannot be used stops here, with one line
        store = application_store_beside(resolver.store, keys)
        async with store:
            connectors = StoredConnectors(resolver.store, keys=keys, registry=resolver.registry)
            worker = Worker(store, connectors, settings=settings)
            try:
                async with _metrics_served(metrics):
                    await _run_until_signalled(worker, settings)
            finally:
                await connectors.aclose()


async def _run_until_signalled(worker: Worker, settings: DeliverySettings) -> None:
    running = asyncio.create_task(worker.run())
    signals = 0

    def on_signal() -> None:
        nonlocal signals
        signals += 1
        if signals == 1:
            err.print(
                f"stopping: sends under way get up to {settings.stop_grace:g} s to finish "
                "(Ctrl-C again stops at once)",
                markup=False,
            )
            worker.stop()
        else:
            running.cancel()

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    err.print(
        f"delivering applications (worker {worker.name}, up to {settings.concurrency} at "
        f"once) since {stamp}; SIGTERM or Ctrl-C stops",
        markup=False,
    )
    try:
        await running
        err.print("stopped", markup=False)
    except asyncio.CancelledError:
        if not running.cancelled():
            raise
        err.print(
            "stopped at once: what was being sent is taken over when its lease expires",
            markup=False,
        )
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


def metrics_app(token: str | None) -> Starlette:
    """`/metrics` alone, for a worker process; with `token`, only for `Bearer <token>`."""
    from embloy_ats.service.app import _bearer_matches

    expected = token.encode() if token else None

    async def endpoint(request: Request) -> Response:
        if expected is not None and not _bearer_matches(
            request.headers.get("authorization"), expected
        ):
            return JSONResponse(
                {
                    "error": {
                        "code": "invalid_token",
                        "message": "the metrics need the bearer token",
                    }
                },
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
            )
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return Starlette(routes=[Route("/metrics", endpoint, methods=["GET"])])


@contextlib.asynccontextmanager
async def _metrics_served(metrics: tuple[str, int, str | None] | None) -> AsyncIterator[None]:
    if metrics is None:
        yield
        return
    from embloy_ats.service.runner import serving

    host, port, token = metrics
    async with serving(metrics_app(token), host=host, port=port) as url:
        err.print(f"metrics at {url}/metrics", markup=False)
        yield


def register(app: typer.Typer) -> None:
    app.add_typer(applications_app, name="applications")
    app.command("worker")(worker_command)
