"""The `embloy-ats` command line.

Every failure prints one clear line on stderr and exits with a code that says what kind of
failure it was (each error class carries its `exit_code`); a traceback only with EMBLOY_ATS_DEBUG=1.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from typer import _click as click  # typer carries its own click; its group speaks that one
from typer.core import TyperGroup

from embloy_ats.connector import Connector
from embloy_ats.errors import EmbloyAtsError
from embloy_ats.http import HttpClient
from embloy_ats.logs import configure_logging
from embloy_ats.model import Job
from embloy_ats.registry import Registry
from embloy_ats.terminal import (
    CredentialOptions,
    SettingOptions,
    connector_from_options,
    err,
    guard,
    out,
    print_job,
    run,
)


class Commands(TyperGroup):
    """`fetch` and `connectors`, with the other command groups added on first need.

    The groups live beside what they drive (the service, the stores, keys, the kit) and
    import it: a `fetch` never loads them, while `--help`, a typo's suggestions and any
    other command see every command, in the order they were added.
    """

    _grouped = False

    def _add_groups(self) -> None:
        if self._grouped:
            return
        self._grouped = True
        from embloy_ats.kit.commands import register as register_kit_commands
        from embloy_ats.resolver_cli import register as register_resolver_commands
        from embloy_ats.service.applications_cli import register as register_application_commands
        from embloy_ats.service.cli import register as register_service_commands

        groups = typer.Typer(pretty_exceptions_enable=False, add_completion=False)
        register_resolver_commands(groups)
        register_service_commands(groups)
        register_application_commands(groups)
        register_kit_commands(groups)
        for name, command in typer.main.get_group(groups).commands.items():
            self.add_command(command, name)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            self._add_groups()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._add_groups()
        return super().list_commands(ctx)


app = typer.Typer(
    cls=Commands,
    name="embloy-ats",
    help="Fetch jobs on demand from Applicant Tracking Systems, normalised for Embloy.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


async def _fetch(connector: Connector, job_id: str) -> Job:
    try:
        return await connector.fetch_job(job_id)
    finally:
        await connector.http.aclose()


@app.command("connectors")
def connectors_command(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """List the installed connectors: version, auth, settings, job id pattern."""
    registry = Registry.discover()
    infos = registry.available()
    from embloy_ats.submission.capability import submits

    described = [info.connector.describe() | {"version": info.version,
                 "distribution": info.distribution, "submits": submits(info.connector)}
                 for info in infos]  # fmt: skip
    if as_json:
        out.print_json(json.dumps({"connectors": described, "failed": registry.failures}))
        return
    table = Table(title="Installed connectors", title_justify="left")
    columns = ("mode", "version", "auth", "settings", "credentials", "job id", "rate limit",
               "submits")  # fmt: skip
    for column in columns:
        table.add_column(column)
    for d in described:
        table.add_row(
            d["mode"],
            d["version"],
            ", ".join(d["auth"]),
            ", ".join(f["name"] + ("" if f["required"] else "?") for f in d["settings"]),
            ", ".join(f["name"] for f in d["credentials"]) or "-",
            d["job_id_pattern"],
            d["rate_limit"],
            "yes" if d["submits"] else "no",
        )
    out.print(table)
    for mode, reason in registry.failures.items():
        err.print(f"[yellow]skipped[/] {mode}: {reason}", markup=True)


@app.command("fetch")
def fetch_command(
    mode: Annotated[str, typer.Argument(help="Connector mode, e.g. greenhouse.")],
    job_id: Annotated[str, typer.Argument(help="The job's id in the ATS.")],
    setting: SettingOptions = [],  # noqa: B006 - typer reads the default, never mutates it
    credential: CredentialOptions = [],  # noqa: B006
    as_json: Annotated[bool, typer.Option("--json", help="Print the Job as JSON.")] = False,
    replay: Annotated[
        list[Path] | None,
        typer.Option("--replay", help="Answer from these cassettes instead of the network."),
    ] = None,
) -> None:
    """Fetch one job and print it, normalised."""
    if replay:
        from embloy_ats.replay import replay_transport

        http = HttpClient(transport=guard(lambda: replay_transport(replay)))
    else:  # one fetch, then the process ends: httpx's own pool, not the engine
        http = HttpClient(one_shot=True)
    connector = guard(lambda: connector_from_options(mode, setting, credential, http))
    print_job(run(_fetch(connector, job_id)), as_json)


def main() -> None:
    configure_logging()
    try:
        app()
    except Exception as exc:
        if os.environ.get("EMBLOY_ATS_DEBUG"):
            raise
        print(
            f"internal error: {type(exc).__name__}; rerun with EMBLOY_ATS_DEBUG=1 and report it",
            file=sys.stderr,
        )
        sys.exit(EmbloyAtsError.exit_code)
