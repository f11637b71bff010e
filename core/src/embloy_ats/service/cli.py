"""CLI: `tokens issue/revoke`, `serve` (with a delivery worker), and the `demo` (the
README's main command)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import typer

from embloy_ats.crypto import KeyRing
from embloy_ats.errors import ConfigurationError, EmbloyAtsError
from embloy_ats.logs import server_log_config
from embloy_ats.resolver import Resolver
from embloy_ats.resolver_cli import with_resolver
from embloy_ats.service.runner import KEEP_ALIVE_SECONDS
from embloy_ats.service.tokens import TokenService, secret_from_env
from embloy_ats.terminal import err, fail, out, print_job, run

tokens_app = typer.Typer(help="Client tokens for ATS partners.", no_args_is_help=True)


@tokens_app.command("issue")
def tokens_issue(
    tenant: Annotated[str, typer.Argument(help="Tenant name or id.")],
    expires_in: Annotated[float, typer.Option("--expires-in", help="Lifetime in days.")] = 365,
) -> None:
    """Print a new client token for the tenant (give it to the partner; it is shown once)."""

    async def work(resolver: Resolver) -> tuple[str, str]:
        found = await resolver.tenant(tenant)
        return await TokenService(secret_from_env(), resolver.store).issue_client_token(
            found.id, days=expires_in
        )

    token, jti = with_resolver(work)
    out.print(token, markup=False)
    err.print(f"token id {jti}; revoke with `embloy-ats tokens revoke {jti}`", markup=False)


@tokens_app.command("revoke")
def tokens_revoke(
    token: Annotated[str, typer.Argument(help="The client token, or its id.")],
) -> None:
    """Revoke a client token: it stops working at once."""
    jti = with_resolver(lambda r: TokenService(secret_from_env(), r.store).revoke(token))
    err.print(f"revoked {jti}", markup=False)


#: the bearer token /metrics asks for; unset, the metrics are open to whoever reaches them.
METRICS_TOKEN_ENV = "EMBLOY_ATS_METRICS_TOKEN"  # noqa: S105 - a variable's name
_MIN_METRICS_TOKEN = 16


def metrics_token_from_env(environ: Mapping[str, str] = os.environ) -> str | None:
    token = environ.get(METRICS_TOKEN_ENV, "").strip()
    if token and len(token) < _MIN_METRICS_TOKEN:
        raise ConfigurationError(
            f"{METRICS_TOKEN_ENV} is shorter than {_MIN_METRICS_TOKEN} characters",
            hint="Use a long random value, e.g. `openssl rand -hex 32`.",
        )
    return token or None


def serve_command(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free port).")] = 8000,
    access_log: Annotated[
        bool, typer.Option("--access-log/--no-access-log", help="Log one line per request.")
    ] = True,
    shutdown_timeout: Annotated[
        int,
        typer.Option(
            min=0, help="Seconds requests under way may take to finish once asked to stop."
        ),
    ] = 30,
    worker: Annotated[
        bool,
        typer.Option(
            "--worker/--no-worker",
            help="Deliver applications in this process too (one worker); off when separate "
            "`embloy-ats worker` processes deliver them.",
        ),
    ] = True,
) -> None:
    """Run the HTTP service (EMBLOY_ATS_DATABASE_URL, _SECRET_KEY, _ENCRYPTION_KEYS).

    The database is opened before the server listens: one that cannot be used stops it
    with one line. SIGTERM or Ctrl-C stops taking connections, lets requests under way
    finish (up to --shutdown-timeout), stops the delivery worker (sends under way get
    EMBLOY_ATS_DELIVERY_STOP_GRACE), then closes the database.
    """
    import uvicorn

    from embloy_ats.applications import DeliverySettings, limits_from_env
    from embloy_ats.service.app import create_app
    from embloy_ats.service.applications_api import Applications

    try:
        secret = secret_from_env()
        keys = KeyRing.from_env()
        if keys is None:
            raise ConfigurationError(
                "EMBLOY_ATS_ENCRYPTION_KEYS is not set; the service cannot read credentials",
                hint="Set it (`embloy-ats keys generate`); only `embloy-ats demo` runs without.",
            )
        resolver = Resolver.from_env()
        applications = Applications.beside(
            resolver, keys, worker=worker, settings=DeliverySettings.from_env(),
            limits=limits_from_env(),
        )  # fmt: skip
        app = create_app(
            resolver,
            TokenService(secret, resolver.store),
            metrics_token=metrics_token_from_env(),
            applications=applications,
        )
    except EmbloyAtsError as exc:
        raise fail(exc) from None
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="info",
            access_log=access_log,
            proxy_headers=False,
            log_config=server_log_config(),
            timeout_graceful_shutdown=shutdown_timeout,
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
        )
    )

    async def serve() -> None:
        # Both no-ops in the app's lifespan, which closes them at shutdown: a database that
        # cannot be used stops serve here, with one line, before it listens.
        await resolver.open()
        await applications.store.open()
        await server.serve()

    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: a clean stop, already logged
        run(serve())


def demo_command(
    cassettes: Annotated[Path, typer.Option(help="Recorded ATS answers to replay.")] = Path(
        "cassettes"
    ),
    as_json: Annotated[bool, typer.Option("--json", help="Print the Job as JSON.")] = False,
    ats: Annotated[
        str, typer.Option(help="The recorded ATS the sandbox plays: greenhouse, lever, ...")
    ] = "greenhouse",
) -> None:
    """Run the whole Apply-with-Embloy flow offline: service, sandbox ATS, partner, candidate."""
    from embloy_ats.service.demo import run_demo

    try:
        job = asyncio.run(run_demo(cassettes, err, ats))
    except EmbloyAtsError as exc:
        raise fail(exc) from None
    if as_json:
        out.print_json(json.dumps(json.loads(job.model_dump_json())))
    else:
        print_job(job, as_json=False)


def register(app: typer.Typer) -> None:
    app.add_typer(tokens_app, name="tokens")
    app.command("serve")(serve_command)
    app.command("demo")(demo_command)
