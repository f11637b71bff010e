"""`embloy-ats doctor`: is this configuration ready to serve candidates?

Every check is one row (check, status, detail): the database URL, whether the database
answers and is migrated, the encryption keys and whether stored credentials decrypt with
them, the token secret, the installed connectors, the applications (stuck or failed ones),
and for every tenant connection: its credentials decrypt, its connector builds, and its
`verify()` succeeds against the ATS.
A failed check makes the exit code non-zero; a warning does not.

Nothing secret is printed: URLs lose their password, and every detail is scrubbed of
every secret the run has seen (keys, the token secret, passwords, decrypted credentials).
`diagnose` is the whole of it and takes its registry and HTTP client, so tests can run it
against fakes; `doctor_command` is the CLI around it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import typer
from cryptography.fernet import Fernet, InvalidToken
from rich.table import Table
from rich.text import Text

from embloy_ats.connector import Connector, VerifyUnsupported
from embloy_ats.crypto import ENCRYPTION_KEYS_ENV, KeyRing
from embloy_ats.errors import ConfigurationError, DatabaseUnavailable, EmbloyAtsError
from embloy_ats.http import HttpClient
from embloy_ats.registry import Registry
from embloy_ats.store import (
    DATABASE_URL_ENV,
    DEFAULT_DATABASE_URL,
    Store,
    StoredConnection,
    Tenant,
    store_for,
)
from embloy_ats.terminal import err, out, progress_bar

log = logging.getLogger("embloy_ats.doctor")

#: seconds one connection's `verify()` may take, token request included.
VERIFY_TIMEOUT = 60.0
#: a due application no worker has taken for this long is stuck (workers look every second).
STUCK_AFTER = 300.0
REDACTED = "***"


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"


_STYLES = {Status.OK: "green", Status.WARN: "yellow", Status.FAIL: "bold red", Status.SKIP: "dim"}


@dataclass(frozen=True)
class Check:
    check: str
    status: Status
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"check": self.check, "status": self.status.value, "detail": self.detail}


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)

    def add(self, check: str, status: Status, detail: str) -> None:
        self.checks.append(Check(check, status, detail))

    def row(self, check: str) -> Check:
        """The row named `check` (tests and scripts read rows by name)."""
        for row in self.checks:
            if row.check == check:
                return row
        raise KeyError(check)

    @property
    def ok(self) -> bool:
        return all(row.status is not Status.FAIL for row in self.checks)

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def counts(self) -> dict[str, int]:
        return {s.value: sum(row.status is s for row in self.checks) for s in Status}

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "exit_code": self.exit_code,
            "summary": self.counts(),
            "checks": [row.as_dict() for row in self.checks],
        }


Advance = Callable[[], None]
ProgressFactory = Callable[[int], AbstractContextManager[Advance]]


@contextmanager
def no_progress(total: int) -> Iterator[Advance]:
    yield lambda: None


class _Secrets:
    """Every secret this run has seen; each detail is scrubbed of them before it is kept."""

    def __init__(self) -> None:
        self._values: set[str] = set()

    def add(self, *values: str | None) -> None:
        for value in values:
            if value and len(value) >= 4:
                self._values.add(value)

    def scrub(self, text: str) -> str:
        for value in sorted(self._values, key=len, reverse=True):
            text = text.replace(value, REDACTED)
        return text


def safe_url(url: str) -> tuple[str, list[str]]:
    """The URL with its password (userinfo or `?password=`) replaced; and what was removed."""
    parts = urlsplit(url)
    removed: list[str] = []
    netloc = parts.netloc
    userinfo, at, hostport = netloc.rpartition("@")
    if at and ":" in userinfo:
        user, _, password = userinfo.partition(":")
        removed += [password, unquote(password)]
        netloc = f"{user}:{REDACTED}@{hostport}"
    query = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if "password" in key.lower() and value:
            removed.append(value)
            value = REDACTED
        query.append((key, value))
    if not removed:
        return url, []  # unchanged: rebuilding could alter it (sqlite:////abs/path)
    rebuilt = urlunsplit((parts.scheme, netloc, parts.path, urlencode(query, safe="*"), ""))
    return rebuilt, removed


def _error_text(exc: EmbloyAtsError) -> str:
    return f"{type(exc).__name__}: {exc.message}. {exc.hint}".rstrip()


def _one_line(text: str) -> str:
    return " ".join(text.split())


# -- the checks ----------------------------------------------------------------------------


@dataclass
class _Connection:
    tenant: Tenant
    stored: StoredConnection
    #: the decrypted credentials; None when they cannot be read.
    credentials: dict[str, str] | None = None
    connector: Connector | None = None
    #: why the connector did not build.
    error: str = "not built"

    @property
    def label(self) -> str:
        return f"{self.tenant.name} / {self.stored.mode}"


class _Doctor:
    def __init__(
        self,
        environ: Mapping[str, str],
        registry: Registry,
        http: HttpClient,
        concurrency: int,
        verify_timeout: float,
        progress: ProgressFactory,
    ) -> None:
        self.env = environ
        self.registry = registry
        self.http = http
        self.concurrency = max(1, concurrency)
        self.verify_timeout = verify_timeout
        self.progress = progress
        self.secrets = _Secrets()
        self.report = Report()

    def add(self, check: str, status: Status, detail: str) -> None:
        self.report.add(self.secrets.scrub(check), status, self.secrets.scrub(detail))

    async def run(self) -> Report:
        keys, key_problem, key_count = self._read_keys()
        url = self._database_url()
        store, tenants, stored = await self._open_database(url)
        try:
            connections = self._decrypt(tenants, stored, keys)
            self._keys_row(keys, key_problem, key_count, store is not None, connections)
            self._secret_key_row()
            self._connectors_rows()
            if store is None:
                self.add("tenants", Status.SKIP, "not checked: the database is not usable")
                return self.report
            self._tenants_row(tenants, connections)
            await self._applications_rows(store, keys[0] if keys else None)
            self._build(connections)
            outcomes = await self._verify_all(connections)
            for connection in connections:
                self._connection_rows(connection, outcomes.get(id(connection)))
            return self.report
        finally:
            if store is not None:
                await store.close()

    # -- configuration ----------------------------------------------------------------------

    def _read_keys(self) -> tuple[tuple[KeyRing, Fernet] | None, EmbloyAtsError | None, int]:
        raw = self.env.get(ENCRYPTION_KEYS_ENV, "")
        keys = [key.strip() for key in raw.split(",") if key.strip()]
        self.secrets.add(raw, *keys)
        if not keys:
            return None, None, 0
        try:
            ring = KeyRing(keys)  # refuses any value that is not a Fernet key
        except ConfigurationError as exc:
            return None, exc, len(keys)
        return (ring, Fernet(keys[0].encode())), None, len(keys)

    def _database_url(self) -> str:
        given = self.env.get(DATABASE_URL_ENV, "").strip()
        shown, removed = safe_url(given or DEFAULT_DATABASE_URL)
        self.secrets.add(*removed)
        if given:
            self.add("database URL", Status.OK, f"{DATABASE_URL_ENV}={shown}")
        else:
            self.add(
                "database URL",
                Status.WARN,
                f"{DATABASE_URL_ENV} is not set: the default {DEFAULT_DATABASE_URL}, a file "
                "in the working directory",
            )
        return given or DEFAULT_DATABASE_URL

    async def _open_database(
        self, url: str
    ) -> tuple[Store | None, list[Tenant], list[StoredConnection]]:
        try:
            store = store_for(url)
        except ConfigurationError as exc:
            self.add("database", Status.FAIL, _error_text(exc))
            return None, [], []
        from embloy_ats.store.sqlite import SqliteStore

        if isinstance(store, SqliteStore) and _sqlite_file_missing(store.path):
            self.add(
                "database",
                Status.WARN,
                f"SQLite file {store.path!r} does not exist yet (it is created on first "
                f"use); check {DATABASE_URL_ENV} if you expected data there",
            )
            return None, [], []
        try:
            await store.open()  # PostgreSQL: one quick connection first, then the pool
            tenants = await store.list_tenants()
            stored = await store.list_connections()
        except DatabaseUnavailable as exc:
            await store.close()
            self.add("database", Status.FAIL, exc.message)  # what every command says
            return None, [], []
        except EmbloyAtsError as exc:
            await store.close()
            self.add("database", Status.FAIL, _error_text(exc))
            return None, [], []
        except Exception as exc:  # a broken file or server: report it, never crash
            await store.close()
            log.debug("database check failed", exc_info=True)
            self.add("database", Status.FAIL, f"{type(exc).__name__}: {_one_line(str(exc))}")
            return None, [], []
        kind = "SQLite" if isinstance(store, SqliteStore) else "PostgreSQL"
        self.add("database", Status.OK, f"{kind} reachable, migrations applied")
        return store, tenants, stored

    def _decrypt(
        self,
        tenants: list[Tenant],
        stored: list[StoredConnection],
        keys: tuple[KeyRing, Fernet] | None,
    ) -> list[_Connection]:
        by_id = {tenant.id: tenant for tenant in tenants}
        connections = []
        for item in stored:
            tenant = by_id.get(item.tenant_id) or Tenant(item.tenant_id, item.tenant_id, 0.0)
            connection = _Connection(tenant, item)
            connections.append(connection)
            if item.credentials is None:
                connection.credentials = {}
            elif keys is not None:
                ring, _ = keys
                try:
                    connection.credentials = ring.decrypt(
                        item.credentials, what=f"tenant {tenant.name!r} / {item.mode}"
                    )
                except (ConfigurationError, ValueError):  # unreadable, or not our JSON
                    continue
                self.secrets.add(*connection.credentials.values())
        connections.sort(key=lambda c: (c.tenant.name, c.stored.mode))
        return connections

    def _keys_row(
        self,
        keys: tuple[KeyRing, Fernet] | None,
        problem: EmbloyAtsError | None,
        count: int,
        database: bool,
        connections: list[_Connection],
    ) -> None:
        name = "encryption keys"
        stored = [c for c in connections if c.stored.credentials is not None]
        unreadable = [c for c in stored if c.credentials is None]
        if problem is not None:
            self.add(name, Status.FAIL, f"not valid: {_error_text(problem)}")
            return
        if keys is None:
            if stored:
                self.add(
                    name,
                    Status.FAIL,
                    f"{ENCRYPTION_KEYS_ENV} is not set: {len(stored)} stored credential(s) "
                    "cannot be read",
                )
            else:
                self.add(
                    name,
                    Status.WARN,
                    f"{ENCRYPTION_KEYS_ENV} is not set: connections cannot store credentials "
                    "(`embloy-ats keys generate` makes a key)",
                )
            return
        given = f"{count} key{'s' if count != 1 else ''}, valid"
        if not database:
            self.add(name, Status.OK, f"{given}; stored credentials not checked (no database)")
            return
        if not stored:
            self.add(name, Status.OK, f"{given}; no stored credentials yet")
            return
        if unreadable:
            self.add(
                name,
                Status.FAIL,
                f"{given}; {len(unreadable)} of {len(stored)} stored credentials do not "
                "decrypt with them",
            )
            return
        _, first = keys
        older = [c for c in stored if not _decrypts(first, c.stored.credentials)]
        if older:
            self.add(
                name,
                Status.WARN,
                f"{given}; {len(older)} of {len(stored)} stored credentials are under an older "
                "key: run `embloy-ats keys rotate`",
            )
            return
        self.add(name, Status.OK, f"{given}; all {len(stored)} stored credentials decrypt")

    def _secret_key_row(self) -> None:
        from embloy_ats.service.tokens import SECRET_KEY_ENV, secret_from_env

        value = self.env.get(SECRET_KEY_ENV, "")
        self.secrets.add(value)
        try:
            secret_from_env(self.env)
        except ConfigurationError as exc:
            state = "is not set" if not value else f"is too short ({len(value.encode())} bytes)"
            self.add(
                "secret key",
                Status.FAIL,
                f"{SECRET_KEY_ENV} {state}: the service cannot sign tokens. {exc.hint}",
            )
            return
        self.add("secret key", Status.OK, f"{SECRET_KEY_ENV} is set ({len(value.encode())} bytes)")

    def _connectors_rows(self) -> None:
        infos = self.registry.available()
        if infos:
            loaded = ", ".join(f"{i.mode} ({i.distribution} {i.version})" for i in infos)
            self.add("connectors", Status.OK, f"{len(infos)} loaded: {loaded}")
        elif not self.registry.failures:
            self.add("connectors", Status.WARN, "none installed: no mode can be resolved")
        for mode, why in sorted(self.registry.failures.items()):
            self.add(f"connector {mode}", Status.FAIL, f"does not load: {_one_line(why)}")

    # -- tenant connections -----------------------------------------------------------------

    def _tenants_row(self, tenants: list[Tenant], connections: list[_Connection]) -> None:
        if not tenants:
            self.add("tenants", Status.WARN, "none yet (`embloy-ats tenants add NAME`)")
            return
        self.add(
            "tenants",
            Status.OK,
            f"{len(tenants)} tenant{'s' if len(tenants) != 1 else ''}, "
            f"{len(connections)} connection{'s' if len(connections) != 1 else ''}",
        )

    async def _applications_rows(self, store: Store, keys: KeyRing | None) -> None:
        """The queue: how many applications stand where, whether any are stuck (due and
        untaken, or held by a worker that stopped renewing its lease), and the failed."""
        if keys is None:
            self.add("applications", Status.SKIP, f"not checked: {ENCRYPTION_KEYS_ENV} is not set")
            return
        from embloy_ats.applications import ApplicationStatus, application_store_beside

        applications = application_store_beside(store, keys)
        now = time.time()
        try:
            await applications.open()
            overview = await applications.overview(now=now)
        except EmbloyAtsError as exc:
            self.add("applications", Status.FAIL, _error_text(exc))
            return
        except Exception as exc:  # a broken table or server: report it, never crash
            log.debug("applications check failed", exc_info=True)
            self.add("applications", Status.FAIL, f"{type(exc).__name__}: {_one_line(str(exc))}")
            return
        finally:
            await applications.close()
        counts = overview.counts
        self.add(
            "applications",
            Status.OK,
            ", ".join(f"{counts.get(status, 0)} {status.value}" for status in ApplicationStatus),
        )
        waited = now - overview.oldest_due_at if overview.oldest_due_at is not None else 0.0
        leases = overview.expired_leases
        dead = (
            f"; {leases} held by a worker that stopped renewing its lease (it died)"
            if leases
            else ""
        )
        if waited > STUCK_AFTER:
            self.add(
                "applications stuck",
                Status.FAIL,
                f"the oldest due application has waited {_duration(waited)} for a worker{dead}: "
                "is a worker running (`embloy-ats serve` runs one unless --no-worker, "
                "`embloy-ats worker` runs more)?",
            )
        elif leases:
            self.add(
                "applications stuck",
                Status.WARN,
                f"{leases} held by a worker that stopped renewing its lease (it died or "
                "hangs); a running worker takes them over, looking each up in the ATS first",
            )
        else:
            self.add("applications stuck", Status.OK, "none: every due one is being taken")
        failed = counts.get(ApplicationStatus.FAILED, 0)
        if failed:
            self.add(
                "applications failed",
                Status.WARN,
                f"{failed} failed: `embloy-ats applications list --status failed` says why; "
                "fix the cause, then `embloy-ats applications retry ID`",
            )
        else:
            self.add("applications failed", Status.OK, "none")

    def _build(self, connections: list[_Connection]) -> None:
        for connection in connections:
            if connection.credentials is None:
                continue
            try:
                cls = self.registry.get(connection.stored.mode).connector
                connection.connector = cls(
                    connection.stored.settings, connection.credentials, http=self.http
                )
            except EmbloyAtsError as exc:
                connection.error = _error_text(exc)
            except Exception as exc:  # a connector's own bug must not stop the others
                log.debug("connector build failed", exc_info=True)
                connection.error = f"unexpected {type(exc).__name__} while building it"

    async def _verify_all(self, connections: list[_Connection]) -> dict[int, Check]:
        ready = [c for c in connections if c.connector is not None]
        outcomes: dict[int, Check] = {}
        gate = asyncio.Semaphore(self.concurrency)
        with self.progress(len(ready)) as advance:

            async def one(connection: _Connection) -> None:
                async with gate:
                    outcomes[id(connection)] = await self._verify(connection)
                advance()

            await asyncio.gather(*(one(c) for c in ready))
        return outcomes

    async def _verify(self, connection: _Connection) -> Check:
        name = f"{connection.label}: ATS"
        connector = connection.connector
        assert connector is not None
        try:
            async with asyncio.timeout(self.verify_timeout):
                checked = await connector.verify()
        except VerifyUnsupported:
            return Check(name, Status.SKIP, "not checkable: the connector cannot verify "
                         "credentials without a job id")  # fmt: skip
        except EmbloyAtsError as exc:
            return Check(name, Status.FAIL, _error_text(exc))
        except TimeoutError:
            return Check(name, Status.FAIL, f"no answer within {self.verify_timeout:g} s")
        except Exception as exc:  # a connector's own bug must not stop the others
            log.debug("verify failed", exc_info=True)
            return Check(name, Status.FAIL, f"unexpected {type(exc).__name__} in verify()")
        return Check(name, Status.OK, checked)

    def _connection_rows(self, connection: _Connection, verified: Check | None) -> None:
        label = connection.label
        stored = connection.stored
        if stored.credentials is None:
            self.add(f"{label}: credentials", Status.OK, "none stored")
        elif connection.credentials is None:
            why = (
                f"cannot be decrypted with {ENCRYPTION_KEYS_ENV}: tampered with, or stored "
                "under another key; set them again with `embloy-ats connections set`"
            )
            if not self.env.get(ENCRYPTION_KEYS_ENV, "").strip():
                why = f"cannot be read: {ENCRYPTION_KEYS_ENV} is not set"
            self.add(f"{label}: credentials", Status.FAIL, why)
            self.add(f"{label}: connector", Status.SKIP, "not built: credentials unreadable")
            self.add(f"{label}: ATS", Status.SKIP, "not checked: credentials unreadable")
            return
        else:
            names = ", ".join(sorted(connection.credentials)) or "none"
            self.add(f"{label}: credentials", Status.OK, f"decrypt ({names})")
        connector = connection.connector
        if connector is None:
            self.add(f"{label}: connector", Status.FAIL, connection.error)
            self.add(f"{label}: ATS", Status.SKIP, "not checked: the connector does not build")
            return
        self.add(
            f"{label}: connector", Status.OK, f"{connector.display_name} via {connector.base_url}"
        )
        if verified is not None:
            self.add(verified.check, verified.status, verified.detail)


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172_800:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86_400:.0f} days"


def _sqlite_file_missing(path: str) -> bool:
    """True when opening would create the file: doctor looks, it does not create."""
    return path != ":memory:" and not Path(path).is_file()


def _decrypts(fernet: Fernet, token: bytes | None) -> bool:
    if token is None:
        return True
    try:
        fernet.decrypt(token)
    except InvalidToken:
        return False
    return True


async def diagnose(
    environ: Mapping[str, str] | None = None,
    *,
    registry: Registry | None = None,
    http: HttpClient | None = None,
    concurrency: int = 8,
    verify_timeout: float = VERIFY_TIMEOUT,
    progress: ProgressFactory = no_progress,
) -> Report:
    """Check the configuration `environ` (default: the process environment) describes.

    `registry` and `http` default to the installed connectors and a fresh client (closed
    at the end; one passed in is left open). At most `concurrency` connections are
    verified at once; `progress(total)` yields a callable advanced once per connection.
    """
    own_http = http is None
    client = http if http is not None else HttpClient()
    doctor = _Doctor(
        dict(os.environ if environ is None else environ),
        registry if registry is not None else Registry.discover(),
        client,
        concurrency,
        verify_timeout,
        progress,
    )
    try:
        return await doctor.run()
    finally:
        if own_http:
            await client.aclose()


# -- the command ---------------------------------------------------------------------------


def render(report: Report) -> Table:
    table = Table(title="embloy-ats doctor", title_justify="left")
    table.add_column("check")
    table.add_column("status")
    table.add_column("detail", overflow="fold")
    for row in report.checks:
        table.add_row(
            Text(row.check), Text(row.status.value, style=_STYLES[row.status]), Text(row.detail)
        )
    return table


def doctor_command(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    concurrency: Annotated[
        int, typer.Option(min=1, max=64, help="How many connections are verified at once.")
    ] = 8,
) -> None:
    """Check this configuration: database, keys, connectors, every tenant connection.

    Each tenant connection's credentials are tried against its ATS with one cheap request
    (no job id). Exits 1 when any check fails; secrets are never printed.
    """

    def bar(total: int) -> AbstractContextManager[Advance]:
        return progress_bar(total, "verifying connections", enabled=total > 0)

    report = asyncio.run(diagnose(concurrency=concurrency, progress=bar))
    if as_json:
        out.print_json(json.dumps(report.as_dict()))
    else:
        out.print(render(report))
        counts = report.counts()
        err.print(", ".join(f"{counts[s.value]} {s.value}" for s in Status), markup=False)
    raise typer.Exit(report.exit_code)
