"""The `embloy-ats` command line.

Every failure prints one clear line on stderr and exits with a code that says what kind of
failure it was (each error class carries its `exit_code`); a traceback only with EMBLOY_ATS_DEBUG=1.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from embloy_ats.connector import Connector
from embloy_ats.errors import ConfigurationError, EmbloyAtsError
from embloy_ats.http import HttpClient
from embloy_ats.logs import configure_logging
from embloy_ats.model import Job
from embloy_ats.registry import Registry

app = typer.Typer(
    name="embloy-ats",
    help="Fetch jobs on demand from Applicant Tracking Systems, normalised for Embloy.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

ENV_PREFIX = "EMBLOY_ATS_"
#: the --setting/--credential options every command that configures a connector takes.
SettingOptions = Annotated[
    list[str], typer.Option("--setting", "-s", help="NAME=VALUE, repeatable.")
]
CredentialOptions = Annotated[
    list[str],
    typer.Option(
        "--credential", "-c", help="NAME=VALUE, repeatable (or EMBLOY_ATS_<MODE>_<NAME>)."
    ),
]


def _pairs(values: Iterable[str], kind: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for value in values:
        name, sep, content = value.partition("=")
        if not sep or not name.strip():
            raise ConfigurationError(f"--{kind} expects NAME=VALUE, got {name[:40]!r}")
        pairs[name.strip()] = content
    return pairs


def env_values(mode: str, names: Iterable[str], environ: Mapping[str, str]) -> dict[str, str]:
    """`EMBLOY_ATS_<MODE>_<NAME>` for each field the connector declares."""
    found = {}
    for name in names:
        key = f"{ENV_PREFIX}{mode}_{name}".upper()
        if environ.get(key):
            found[name] = environ[key]
    return found


def _connector(
    mode: str,
    settings: list[str],
    credentials: list[str],
    http: HttpClient | None,
) -> Connector:
    cls = Registry.discover().get(mode).connector
    given_settings = env_values(mode, cls.settings_model.model_fields, os.environ)
    given_settings |= _pairs(settings, "setting")
    given_credentials = env_values(mode, cls.credentials_model.model_fields, os.environ)
    given_credentials |= _pairs(credentials, "credential")
    return cls(given_settings, given_credentials, http=http)


def _run(coro: Any) -> Any:
    try:
        return asyncio.run(coro)
    except EmbloyAtsError as exc:
        err.print(f"[bold red]error:[/] {exc}", markup=True)
        raise typer.Exit(exc.exit_code) from None


async def _fetch(connector: Connector, job_id: str) -> Job:
    try:
        return await connector.fetch_job(job_id)
    finally:
        await connector.http.aclose()


def _print_job(job: Job, as_json: bool) -> None:
    if as_json:
        out.print_json(job.model_dump_json(), highlight=False)
        return
    out.print(f"[bold]{job.title}[/]  ({job.slug})", markup=True)
    rows: list[tuple[str, str]] = [
        ("company", job.company or "-"),
        ("status", f"{job.status} / {job.visibility}"),
        ("employment", f"{job.employment_type or '-'}, workplace {job.workplace_type or '-'}"),
        ("department", job.department or "-"),
        ("locations", "; ".join(
            ", ".join(p for p in (loc.city, loc.region, loc.country_code) if p) or (loc.raw or "?")
            for loc in job.locations
        ) or "-"),
        ("compensation", "; ".join(
            f"{c.kind} {c.min_amount or '?'}-{c.max_amount or '?'} {c.currency or ''}"
            f"{' per ' + c.interval if c.interval else ''}".strip()
            for c in job.compensation
        ) or "-"),
        ("posted", job.posted_at.isoformat() if job.posted_at else "-"),
        ("updated", job.updated_at.isoformat() if job.updated_at else "-"),
        ("url", job.posting_url or "-"),
    ]  # fmt: skip
    for name, value in rows:
        out.print(f"  {name:<13}{value}", markup=False)
    if job.questions:
        table = Table(title=f"{len(job.questions)} application questions", title_justify="left")
        for column in ("id", "label", "type", "required", "options"):
            table.add_column(column)
        for q in job.questions:
            options = ", ".join(o.label for o in q.options) or ", ".join(q.accepted_file_types)
            table.add_row(q.id, q.label, str(q.type), "yes" if q.required else "", options)
        out.print(table)
    text = job.description_text
    out.print(text[:600] + (" ..." if len(text) > 600 else ""), markup=False)


@app.command("connectors")
def connectors_command(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """List the installed connectors: version, auth, settings, job id pattern."""
    registry = Registry.discover()
    infos = registry.available()
    from embloy_ats.applications import submits

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
    http = None
    if replay:
        from embloy_ats.replay import replay_transport

        http = HttpClient(transport=_guard(lambda: replay_transport(replay)))
    connector = _guard(lambda: _connector(mode, setting, credential, http))
    _print_job(_run(_fetch(connector, job_id)), as_json)


def _guard(make: Any) -> Any:
    try:
        return make()
    except EmbloyAtsError as exc:
        err.print(f"[bold red]error:[/] {exc}", markup=True)
        raise typer.Exit(exc.exit_code) from None


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


# The command groups live beside what they drive; each adds itself to `app`.
from embloy_ats.kit.commands import register as _register_kit  # noqa: E402
from embloy_ats.resolver_cli import register as _register_resolver  # noqa: E402
from embloy_ats.service.applications_cli import register as _register_applications  # noqa: E402
from embloy_ats.service.cli import register as _register_service  # noqa: E402

_register_resolver(app)
_register_service(app)
_register_applications(app)
_register_kit(app)
