"""CLI commands over the resolver: tenants, connections, resolve, jobs, encryption keys.

Configuration from the environment: EMBLOY_ATS_DATABASE_URL (default: a SQLite file in the
working directory) and EMBLOY_ATS_ENCRYPTION_KEYS. Bad input prints one line, exits non-zero
and changes nothing: everything is validated before the first write.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, TypeVar

import typer
from rich.table import Table
from rich.text import Text

from embloy_ats.crypto import KeyRing
from embloy_ats.errors import EmbloyAtsError
from embloy_ats.resolver import Resolver
from embloy_ats.terminal import CredentialOptions, SettingOptions, err, fail, out, pairs, print_job

T = TypeVar("T")

tenants_app = typer.Typer(help="Embloy clients (employers) and their ids.", no_args_is_help=True)
connections_app = typer.Typer(help="A tenant's connection to an ATS.", no_args_is_help=True)
jobs_app = typer.Typer(help="Jobs resolved for a tenant.", no_args_is_help=True)
keys_app = typer.Typer(help="Encryption keys for stored credentials.", no_args_is_help=True)


def with_resolver(work: Callable[[Resolver], Awaitable[T]]) -> T:
    """Open the configured resolver, run `work`, close it; errors become one line."""

    async def run() -> T:
        async with Resolver.from_env() as resolver:
            return await work(resolver)

    try:
        return asyncio.run(run())
    except EmbloyAtsError as exc:
        raise fail(exc) from None


@tenants_app.command("add")
def tenants_add(name: Annotated[str, typer.Argument(help="The tenant's name.")]) -> None:
    """Add a tenant; prints its id."""
    tenant = with_resolver(lambda r: r.create_tenant(name))
    out.print(tenant.id, markup=False)


@tenants_app.command("list")
def tenants_list() -> None:
    """List tenants with their connected modes."""

    async def work(r: Resolver) -> list[tuple[str, str, str]]:
        rows = []
        for tenant in await r.store.list_tenants():
            modes = [c.mode for c in await r.store.list_connections(tenant.id)]
            rows.append((tenant.id, tenant.name, ", ".join(modes) or "-"))
        return rows

    table = Table(title="Tenants", title_justify="left")
    for column in ("id", "name", "connections"):
        table.add_column(column)
    for row in with_resolver(work):
        table.add_row(*map(Text, row))  # names are text, never markup
    out.print(table)


@connections_app.command("set")
def connections_set(
    tenant: Annotated[str, typer.Argument(help="Tenant name or id.")],
    mode: Annotated[str, typer.Argument(help="Connector mode, e.g. greenhouse.")],
    setting: SettingOptions = [],  # noqa: B006 - typer reads the default, never mutates it
    credential: CredentialOptions = [],  # noqa: B006
) -> None:
    """Connect a tenant to an ATS (credentials are stored encrypted)."""
    settings, credentials = pairs(setting, "setting"), pairs(credential, "credential")
    with_resolver(lambda r: r.set_connection(tenant, mode, settings, credentials))
    err.print(f"connected {tenant} to {mode}", markup=False)


@jobs_app.command("list")
def jobs_list(
    tenant: Annotated[str, typer.Argument(help="Tenant name or id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """List the jobs stored for a tenant."""
    jobs = with_resolver(lambda r: r.jobs(tenant))
    if as_json:
        out.print_json(json.dumps([json.loads(job.model_dump_json()) for job in jobs]))
        return
    table = Table(title=f"{len(jobs)} jobs", title_justify="left")
    for column in ("slug", "title", "status", "fetched"):
        table.add_column(column)
    for job in jobs:
        cells = (job.slug, job.title, str(job.status), job.fetched_at.isoformat())
        table.add_row(*map(Text, cells))  # the ATS's text, never markup
    out.print(table)


def resolve_command(
    tenant: Annotated[str, typer.Argument(help="Tenant name or id.")],
    mode: Annotated[str, typer.Argument(help="Connector mode.")],
    job_id: Annotated[str, typer.Argument(help="The job's id in the ATS.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the Job as JSON.")] = False,
) -> None:
    """Resolve a job as a candidate's apply would: from the store, else from the ATS."""
    resolution = with_resolver(lambda r: r.resolve_detailed(tenant, mode, job_id))
    note = {
        "store": "from the store",
        "upstream": "fetched from the ATS",
        "stale": "STALE: the ATS failed, served the stored copy",
    }[resolution.source]
    err.print(f"{note} (age {resolution.age:.0f} s)", markup=False)
    print_job(resolution.job, as_json)


@keys_app.command("generate")
def keys_generate() -> None:
    """Print a new encryption key (put it first in EMBLOY_ATS_ENCRYPTION_KEYS)."""
    out.print(KeyRing.generate(), markup=False)


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Re-encrypt every stored credential, answer and file under the first key of
    EMBLOY_ATS_ENCRYPTION_KEYS."""
    from embloy_ats.applications import application_store_beside

    async def work(r: Resolver) -> tuple[int, int]:
        connections = await r.rotate_credentials()  # refuses without keys
        assert r.keys is not None
        async with application_store_beside(r.store, r.keys) as applications:
            return connections, await applications.rotate_keys()

    connections, values = with_resolver(work)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    err.print(
        f"re-encrypted {connections} connection(s) and {values} stored application value(s) "
        f"(answers, file names and files) at {stamp}",
        markup=False,
    )


def register(app: typer.Typer) -> None:
    app.add_typer(tenants_app, name="tenants")
    app.add_typer(connections_app, name="connections")
    app.add_typer(jobs_app, name="jobs")
    app.add_typer(keys_app, name="keys")
    app.command("resolve")(resolve_command)
