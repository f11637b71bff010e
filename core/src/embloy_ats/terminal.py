"""What every `embloy-ats` command shares: its output, its connector options, its errors.

The command groups (`cli`, `resolver_cli`, `service.cli`, `kit.commands`, `kit.doctor`)
import these from here and never from each other, so the CLI has no import cycle.
A failure is one line on stderr and the exit code of its error class.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Coroutine, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from embloy_ats.connector import Connector
from embloy_ats.errors import ConfigurationError, EmbloyAtsError
from embloy_ats.http import HttpClient
from embloy_ats.model import Job
from embloy_ats.registry import Registry

T = TypeVar("T")

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


def fail(exc: EmbloyAtsError) -> typer.Exit:
    """Print `exc` as the one error line; the caller raises what this returns."""
    err.print(f"[bold red]error:[/] {escape(str(exc))}", markup=True)
    return typer.Exit(exc.exit_code)


def guard(make: Callable[[], T]) -> T:
    """`make()`, with an EmbloyAtsError turned into the one error line and its exit code."""
    try:
        return make()
    except EmbloyAtsError as exc:
        raise fail(exc) from None


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run `coro` to completion, with an EmbloyAtsError turned into the one error line."""
    return guard(lambda: asyncio.run(coro))


def pairs(values: Iterable[str], kind: str) -> dict[str, str]:
    """`NAME=VALUE` options as a mapping; `kind` names the option in the error."""
    found: dict[str, str] = {}
    for value in values:
        name, sep, content = value.partition("=")
        if not sep or not name.strip():
            raise ConfigurationError(f"--{kind} expects NAME=VALUE, got {name[:40]!r}")
        found[name.strip()] = content
    return found


def env_values(mode: str, names: Iterable[str], environ: Mapping[str, str]) -> dict[str, str]:
    """`EMBLOY_ATS_<MODE>_<NAME>` for each field the connector declares."""
    found = {}
    for name in names:
        key = f"{ENV_PREFIX}{mode}_{name}".upper()
        if environ.get(key):
            found[name] = environ[key]
    return found


def connector_from_options(
    mode: str, settings: list[str], credentials: list[str], http: HttpClient | None
) -> Connector:
    """The connector `mode`, configured from the environment with the options over it."""
    cls = Registry.discover().get(mode).connector
    given_settings = env_values(mode, cls.settings_model.model_fields, os.environ)
    given_settings |= pairs(settings, "setting")
    given_credentials = env_values(mode, cls.credentials_model.model_fields, os.environ)
    given_credentials |= pairs(credentials, "credential")
    return cls(given_settings, given_credentials, http=http)


@contextmanager
def progress_bar(
    total: int, description: str, *, enabled: bool = True
) -> Iterator[Callable[[], None]]:
    """A rich progress bar on stderr; yields a callable that advances it by one."""
    if not enabled:
        yield lambda: None
        return
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    with progress:
        task = progress.add_task(description, total=total)
        yield lambda: progress.advance(task)


def print_job(job: Job, as_json: bool) -> None:
    """A job as the commands show it: JSON, or a summary with its questions."""
    if as_json:
        out.print_json(job.model_dump_json(), highlight=False)
        return
    out.print(f"[bold]{escape(job.title)}[/]  ({escape(job.slug)})", markup=True)
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
            cells = (q.id, q.label, str(q.type), "yes" if q.required else "", options)
            table.add_row(*(Text(cell) for cell in cells))  # the ATS's text, never markup
        out.print(table)
    text = job.description_text
    out.print(text[:600] + (" ..." if len(text) > 600 else ""), markup=False)
