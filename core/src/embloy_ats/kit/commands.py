"""The kit's commands: `embloy-ats new`, `record`, `cassettes check` and `doctor`.

`register(app)` attaches them to the main CLI. They follow its conventions: a failure is one
line on stderr and an exit code per kind of failure; a secret is never printed, only where
it was found and how long it is.
"""

from __future__ import annotations

import asyncio
import os
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from embloy_ats.connector import Connector
from embloy_ats.errors import ConfigurationError, EmbloyAtsError
from embloy_ats.http import HttpClient
from embloy_ats.registry import Registry
from embloy_ats.terminal import (
    CredentialOptions,
    SettingOptions,
    env_values,
    err,
    fail,
    out,
    pairs,
    progress_bar,
)

if TYPE_CHECKING:
    from embloy_ats.kit.recording import Recording

#: exit code when a cassette holds (or would hold) a secret.
SECRET_FOUND = 1


class AuthStyleName(StrEnum):
    NONE = "none"
    BEARER = "bearer"
    BASIC = "basic"
    HEADER = "header"


# -- new -------------------------------------------------------------------------------------


def new_command(
    name: Annotated[
        str, typer.Argument(help="The connector's mode: a lower-case identifier, e.g. acme.")
    ],
    display_name: Annotated[
        str | None, typer.Option("--display-name", help="The ATS's name as people write it.")
    ] = None,
    auth: Annotated[
        AuthStyleName, typer.Option(help="How the ATS's API authenticates.")
    ] = AuthStyleName.BEARER,
    api_url: Annotated[
        str | None, typer.Option("--api-url", help="The API origin, e.g. https://api.acme.com.")
    ] = None,
    root: Annotated[
        Path | None,
        typer.Option(help="The workspace root (default: found from the current folder)."),
    ] = None,
) -> None:
    """Create a new connector: package, conformance test, cassette folder and docs page."""
    from embloy_ats.kit import scaffold

    try:
        workspace = (root or scaffold.find_workspace(Path.cwd())).resolve()
        plan = scaffold.plan(
            workspace,
            name,
            installed=Registry.discover().modes(),
            display_name=display_name,
            auth=auth.value,
            api_url=api_url,
        )
        scaffold.write(plan)
    except EmbloyAtsError as exc:
        raise fail(exc) from None
    names = plan.names
    out.print(
        f"Created the [bold]{escape(names.display_name)}[/] connector "
        f"(mode [bold]{names.mode}[/], package {names.distribution}) in {workspace}:",
        markup=True,
    )
    for path in plan.files:
        out.print(f"  {path}", markup=False)
    for addition in plan.pyproject_additions:
        out.print(f"  pyproject.toml: added to {addition}", markup=False)
    package = Path("connectors", names.mode, "src", names.package)
    env = f"EMBLOY_ATS_{names.mode.upper()}_API_KEY"
    key = f"{env}=... " if auth is not AuthStyleName.NONE else ""
    steps = [
        "uv sync   (installs the package: its entry point makes the mode known; commit uv.lock)",
        f"{package / 'connector.py'}: settle the TODOs (API path, base URL, id pattern, "
        "rate limit)",
        f"{key}uv run embloy-ats record {names.mode} KNOWN_ID UNKNOWN_ID "
        "[--setting base_url=<sandbox URL>]",
    ]
    if auth is not AuthStyleName.NONE:
        steps.append(f"{env}=wrong uv run embloy-ats record {names.mode} KNOWN_ID")
    steps += [
        f"cassettes/{names.mode}/PROVENANCE.md: say where each cassette comes from",
        f"{package / 'mapping.py'}: fill job_fields()",
        f"tests/connectors/test_{names.mode}.py: set KNOWN_JOB_ID, UNKNOWN_JOB_ID and the "
        "`settings = {...}` line `record` printed, then "
        f"uv run pytest tests/connectors/test_{names.mode}.py",
        f"docs/connectors/{names.mode}.md: settings, id format, rate limit and the mapping",
        *plan.warnings,
    ]
    out.print("\nNext steps:", markup=False)
    for number, step in enumerate(steps, 1):
        out.print(f"  {number}. {step}", markup=False)


# -- record ----------------------------------------------------------------------------------


def record_command(
    mode: Annotated[str, typer.Argument(help="Connector mode, e.g. greenhouse.")],
    job_ids: Annotated[list[str], typer.Argument(help="The job ids to record, one cassette each.")],
    setting: SettingOptions = [],  # noqa: B006 - typer reads the default, never mutates it
    credential: CredentialOptions = [],  # noqa: B006
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Where to write (default: cassettes/MODE).")
    ] = None,
    name: Annotated[
        str | None,
        typer.Option("--name", help="The cassette's file name (one job id only)."),
    ] = None,
) -> None:
    """Record real ATS answers to cassettes, secrets scrubbed, then scan them.

    Each cassette is named after what the ATS answered: found_<id>.yaml, not_found_<id>.yaml,
    auth_failed_<id>.yaml. Nothing is written for a job whose cassette the scan flags.
    """
    from embloy_ats.kit.recording import check_cassette_name, record_jobs, settings_line

    try:
        cls = Registry.discover().get(mode).connector
        settings = env_values(mode, cls.settings_model.model_fields, os.environ)
        settings |= pairs(setting, "setting")
        credentials = env_values(mode, cls.credentials_model.model_fields, os.environ)
        credentials |= pairs(credential, "credential")
        if name is not None and len(job_ids) > 1:
            raise ConfigurationError("--name names one cassette: give a single job id with it")
        file_name = check_cassette_name(name) if name is not None else None
        cls(settings, credentials, http=HttpClient())  # check the configuration up front
    except EmbloyAtsError as exc:
        raise fail(exc) from None
    target = out_dir or Path("cassettes", mode)

    def make_connector() -> Connector:
        return cls(settings, credentials, http=HttpClient())

    with progress_bar(len(job_ids), f"recording {mode}", enabled=len(job_ids) > 1) as advance:

        def report(result: Recording) -> None:
            _print_recording(result)
            advance()

        results = asyncio.run(
            record_jobs(
                make_connector,
                job_ids,
                target,
                name=file_name,
                known=[value for value in credentials.values() if value],
                on_done=report,
            )
        )
    written = [r for r in results if r.cassette is not None]
    out.print(f"{len(written)} of {len(results)} cassettes written to {target}", markup=False)
    if written:
        out.print(f"Write where they come from in {target / 'PROVENANCE.md'}.", markup=False)
        out.print("The conformance test replays them with these settings:", markup=False)
        out.print(f"    {settings_line(settings, credentials.values())}", markup=False)
    failed = next((r for r in results if r.exit_code), None)
    if failed is not None:
        raise typer.Exit(failed.exit_code)


def _print_recording(result: Recording) -> None:
    requests = f"{result.interactions} request{'s' if result.interactions != 1 else ''}"
    if result.cassette is not None:
        line = f"[green]recorded[/] {escape(str(result.cassette))} (HTTP {result.status}, "
        line += f"{requests}): {escape(result.outcome)}"
        out.print(line, markup=True)
        return
    err.print(
        f"[bold red]not recorded[/] job {escape(result.job_id[:64])!r}: "
        f"{escape(result.failure or '')} ({escape(result.outcome)})",
        markup=True,
    )
    for finding in result.findings:
        err.print(f"  {finding}", markup=False)


# -- cassettes check -------------------------------------------------------------------------


def credentials_from_environment(environ: dict[str, str]) -> list[str]:
    """The credentials set as EMBLOY_ATS_<MODE>_<NAME> for any installed connector: the
    values recordings were most likely made with."""

    found: list[str] = []
    for info in Registry.discover().available():
        model = info.connector.credentials_model
        found += env_values(info.mode, model.model_fields, environ).values()
    return found


def cassettes_check_command(
    folder: Annotated[
        Path, typer.Argument(help="A folder of cassettes (searched recursively) or one file.")
    ] = Path("cassettes"),
) -> None:
    """Scan every cassette for secrets; exit 1 on any finding (a CI step)."""
    from embloy_ats.testing.cassette_scan import Finding, cassette_files, scan_file

    if not folder.exists():
        raise fail(ConfigurationError(f"{folder} does not exist"))
    files = cassette_files(folder)
    if not files:
        raise fail(ConfigurationError(f"no cassettes (*.yaml, *.yml) under {folder}"))
    known = credentials_from_environment(dict(os.environ))
    findings: list[Finding] = []
    with progress_bar(len(files), "checking cassettes") as advance:
        for path in files:
            findings += scan_file(path, known)
            advance()
    for finding in findings:
        out.print(str(finding), markup=False)
    flagged = len({finding.path for finding in findings})
    if findings:
        err.print(
            f"[bold red]{len(findings)} finding{'s' if len(findings) != 1 else ''}[/] in "
            f"{flagged} of {len(files)} cassettes; re-record them with `embloy-ats record` "
            "(it scrubs) or remove the secret, and revoke any credential that leaked",
            markup=True,
        )
        raise typer.Exit(SECRET_FOUND)
    err.print(f"{len(files)} cassettes checked: no secrets found", markup=False)


def register(app: typer.Typer) -> None:
    """Attach the kit's commands to the `embloy-ats` app."""
    from embloy_ats.kit.doctor import doctor_command

    app.command("new")(new_command)
    app.command("doctor")(doctor_command)
    app.command("record")(record_command)
    cassettes = typer.Typer(
        name="cassettes", help="Work with recorded cassettes.", no_args_is_help=True
    )
    cassettes.command("check")(cassettes_check_command)
    app.add_typer(cassettes, name="cassettes")
