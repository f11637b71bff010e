"""`embloy-ats doctor`: every check a row, every failure a non-zero exit, no secret printed.

The configuration under test is real (a SQLite file, encrypted connections stored by the
resolver, the installed connectors); the ATS answers come from an `httpx.MockTransport`.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from embloy_ats import Connector, Job, RateLimitPolicy, Registry
from embloy_ats.applications import (
    Accepted,
    ApplicationService,
    ApplicationStore,
    FailureReason,
    application_store_for,
)
from embloy_ats.cli import app
from embloy_ats.connector import VerifyUnsupported
from embloy_ats.crypto import ENCRYPTION_KEYS_ENV, KeyRing
from embloy_ats.kit.doctor import Report, Status, diagnose, render, safe_url
from embloy_ats.registry import ENTRY_POINT_GROUP
from embloy_ats.resolver import Resolver
from embloy_ats.service.tokens import SECRET_KEY_ENV
from embloy_ats.store import DATABASE_URL_ENV, StoredConnection, store_for
from embloy_ats.validation import NUMERIC_ID
from rich.console import Console
from typer.testing import CliRunner

from benchmarks.apply_ats import JOB_ID, MODE, QUESTIONS, registry_with_apply_ats
from tests.applications.conftest import form
from tests.conftest import FakeAts
from tests.fakes import FakeConnector
from tests.resolver.conftest import ManualClock

KEY = KeyRing.generate()
OTHER_KEY = KeyRing.generate()
SECRET = "s3cr3t-" + "k" * 40
TOKEN = "wk-doctor-Tq7xN2"


class SlowConnector(Connector):
    """Verifies by waiting; counts how many verifies run at once."""

    mode: ClassVar[str] = "slow"
    display_name: ClassVar[str] = "Slow ATS"
    job_id_pattern = NUMERIC_ID
    job_id_format = "numeric"
    default_base_url = "https://slow-ats.example"
    rate_limit = RateLimitPolicy(1000, 1.0)
    running: ClassVar[int] = 0
    most: ClassVar[int] = 0
    delay: ClassVar[float] = 0.02

    async def load_job(self, job_id: str) -> Job:
        raise NotImplementedError

    async def verify(self) -> str:
        cls = type(self)
        cls.running += 1
        cls.most = max(cls.most, cls.running)
        try:
            await asyncio.sleep(cls.delay)
        finally:
            cls.running -= 1
        return "waited"


def registry(*extra: type[Connector]) -> Registry:
    """The installed connectors, plus test ones under their modes."""
    found = Registry.discover()
    classes: list[type[Connector]] = [FakeConnector, *extra]
    for cls in classes:
        where = f"{cls.__module__}:{cls.__name__}"
        found.entry_points[cls.mode] = [EntryPoint(cls.mode, where, ENTRY_POINT_GROUP)]
    return found


def environment(db: Path, **changes: str | None) -> dict[str, str]:
    env: dict[str, str | None] = {
        DATABASE_URL_ENV: f"sqlite:///{db}",
        ENCRYPTION_KEYS_ENV: KEY,
        SECRET_KEY_ENV: SECRET,
    }
    env.update(changes)
    return {name: value for name, value in env.items() if value is not None}


def ats(workable_status: int = 200) -> FakeAts:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.host == "boards-api.greenhouse.io":
            return httpx.Response(200, json={"name": "Acme", "content": ""})
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return httpx.Response(401, json={"error": "Not authorized"})
        return httpx.Response(workable_status, json={"jobs": []})

    return FakeAts(handle)


async def configure(db: Path, *, key: str = KEY, extra: int = 0) -> None:
    """Tenant `acme`: Greenhouse's public board, Workable with a stored token, the fake ATS
    (which cannot verify), and `extra` slow connections on more tenants."""
    resolver = Resolver(
        store_for(f"sqlite:///{db}"), keys=KeyRing([key]), registry=registry(SlowConnector)
    )
    async with resolver:
        await resolver.create_tenant("acme")
        await resolver.set_connection("acme", "greenhouse", {"board_token": "acme"})
        await resolver.set_connection(
            "acme", "workable", {"subdomain": "acme"}, {"access_token": TOKEN}
        )
        await resolver.set_connection("acme", "fake", {"account": "acme"})
        for number in range(extra):
            await resolver.create_tenant(f"t{number:02d}")
            await resolver.set_connection(f"t{number:02d}", "slow", {})


def table_text(report: Report) -> str:
    console = Console(file=io.StringIO(), width=400, color_system=None)
    console.print(render(report))
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(output, str)
    return output


def statuses(report: Report) -> dict[str, str]:
    return {row.check: row.status.value for row in report.checks}


def assert_no_secret(report: Report, *secrets: str) -> None:
    shown = json.dumps(report.as_dict()) + table_text(report)
    for secret in (KEY, OTHER_KEY, SECRET, TOKEN, *secrets):
        assert secret not in shown


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "doctor.db"


async def test_a_healthy_configuration_passes_every_check(db: Path) -> None:
    await configure(db)
    fake = ats()
    report = await diagnose(environment(db), registry=registry(), http=fake.client())
    assert statuses(report) == {
        "database URL": "ok",
        "database": "ok",
        "encryption keys": "ok",
        "secret key": "ok",
        "connectors": "ok",
        "tenants": "ok",
        "applications": "ok",
        "applications stuck": "ok",
        "applications failed": "ok",
        "acme / fake: credentials": "ok",
        "acme / fake: connector": "ok",
        "acme / fake: ATS": "skip",
        "acme / greenhouse: credentials": "ok",
        "acme / greenhouse: connector": "ok",
        "acme / greenhouse: ATS": "ok",
        "acme / workable: credentials": "ok",
        "acme / workable: connector": "ok",
        "acme / workable: ATS": "ok",
    }
    assert report.ok
    assert report.exit_code == 0
    assert report.row("encryption keys").detail == "1 key, valid; all 1 stored credentials decrypt"
    assert report.row("tenants").detail == "1 tenant, 3 connections"
    assert "not checkable" in report.row("acme / fake: ATS").detail
    assert report.row("acme / workable: credentials").detail == "decrypt (access_token)"
    assert "greenhouse" in report.row("connectors").detail
    # exactly the verify requests, no job ids
    sent = sorted(f"{r.method} {r.url}" for r in fake.requests)
    assert sent == [
        "GET https://acme.workable.com/spi/v3/jobs?limit=1",
        "GET https://boards-api.greenhouse.io/v1/boards/acme",
    ]
    assert_no_secret(report)
    data = report.as_dict()
    assert data["ok"] is True
    assert data["summary"] == {"ok": 17, "warn": 0, "fail": 0, "skip": 1}
    assert report.row("applications").detail == (
        "0 queued, 0 delivering, 0 retrying, 0 delivered, 0 failed"
    )
    assert {
        "check": "database",
        "status": "ok",
        "detail": "SQLite reachable, migrations applied",
    } in data["checks"]
    assert "acme / workable: ATS" in table_text(report)


async def test_a_key_that_is_not_a_fernet_key_fails(db: Path) -> None:
    await configure(db)
    fake = ats()
    report = await diagnose(
        environment(db, **{ENCRYPTION_KEYS_ENV: "not-a-fernet-key"}),
        registry=registry(),
        http=fake.client(),
    )
    found = statuses(report)
    assert found["encryption keys"] == "fail"
    assert "not a Fernet key" in report.row("encryption keys").detail
    assert found["acme / workable: credentials"] == "fail"
    assert found["acme / workable: connector"] == "skip"
    assert found["acme / workable: ATS"] == "skip"
    assert found["acme / greenhouse: ATS"] == "ok"  # no credentials: still checked
    assert report.exit_code == 1
    assert not [r for r in fake.requests if r.url.host == "acme.workable.com"]
    assert_no_secret(report, "not-a-fernet-key")


async def test_credentials_stored_under_another_key_fail(db: Path) -> None:
    await configure(db, key=OTHER_KEY)
    report = await diagnose(environment(db), registry=registry(), http=ats().client())
    assert report.row("encryption keys").status is Status.FAIL
    assert "1 of 1 stored credentials do not decrypt" in report.row("encryption keys").detail
    assert report.row("acme / workable: credentials").status is Status.FAIL
    assert report.exit_code == 1


async def test_credentials_under_an_older_key_only_warn(db: Path) -> None:
    await configure(db, key=OTHER_KEY)
    env = environment(db, **{ENCRYPTION_KEYS_ENV: f"{KEY},{OTHER_KEY}"})
    report = await diagnose(env, registry=registry(), http=ats().client())
    assert report.row("encryption keys").status is Status.WARN
    assert "keys rotate" in report.row("encryption keys").detail
    assert report.row("acme / workable: ATS").status is Status.OK
    assert report.exit_code == 0
    assert_no_secret(report)


async def test_a_tampered_credential_fails_its_connection_only(db: Path) -> None:
    await configure(db)
    store = store_for(f"sqlite:///{db}")
    await store.open()
    try:
        [tenant] = await store.list_tenants()
        stored = await store.get_connection(tenant.id, "workable")
        assert stored is not None
        assert stored.credentials is not None
        blob = stored.credentials[:-8] + (
            b"A" * 8 if stored.credentials[-8:] != b"A" * 8 else b"B" * 8
        )
        await store.put_connection(
            StoredConnection(
                stored.tenant_id, stored.mode, stored.settings, blob, stored.updated_at
            )
        )
    finally:
        await store.close()
    fake = ats()
    report = await diagnose(environment(db), registry=registry(), http=fake.client())
    found = statuses(report)
    assert found["acme / workable: credentials"] == "fail"
    assert "tampered" in report.row("acme / workable: credentials").detail
    assert found["acme / workable: ATS"] == "skip"
    assert found["encryption keys"] == "fail"
    assert found["acme / greenhouse: ATS"] == "ok"
    assert report.exit_code == 1
    assert [r.url.host for r in fake.requests] == ["boards-api.greenhouse.io"]


async def test_a_failing_verify_fails_its_row_and_the_exit_code(db: Path) -> None:
    await configure(db)
    fake = ats(workable_status=403)
    report = await diagnose(environment(db), registry=registry(), http=fake.client())
    row = report.row("acme / workable: ATS")
    assert row.status is Status.FAIL
    assert row.detail.startswith("PermissionDenied: refused access (HTTP 403)")
    assert "r_jobs" in row.detail
    assert report.row("acme / greenhouse: ATS").status is Status.OK
    assert report.exit_code == 1
    assert_no_secret(report)


async def test_rejected_credentials_fail_verify(db: Path) -> None:
    await configure(db)
    fake = FakeAts(lambda request: httpx.Response(401, json={"error": "Not authorized"}))
    report = await diagnose(environment(db), registry=registry(), http=fake.client())
    assert report.row("acme / workable: ATS").detail.startswith("AuthenticationFailed:")
    assert report.row("acme / greenhouse: ATS").status is Status.FAIL
    assert report.exit_code == 1


@pytest.mark.parametrize(("value", "expected"), [(None, "is not set"), ("Qz8x1", "too short")])
async def test_a_missing_or_short_secret_key_fails(
    db: Path, value: str | None, expected: str
) -> None:
    await configure(db)
    env = environment(db, **{SECRET_KEY_ENV: value})
    report = await diagnose(env, registry=registry(), http=ats().client())
    row = report.row("secret key")
    assert row.status is Status.FAIL
    assert expected in row.detail
    assert "openssl rand" in row.detail
    assert report.row("acme / workable: ATS").status is Status.OK
    assert report.exit_code == 1


async def test_a_connector_that_does_not_load_fails(db: Path) -> None:
    await configure(db)
    broken = registry()
    broken.entry_points["kit_broken"] = [
        EntryPoint("kit_broken", "tests.kit.loopback:Nothing", ENTRY_POINT_GROUP)
    ]
    report = await diagnose(environment(db), registry=broken, http=ats().client())
    assert report.row("connector kit_broken").status is Status.FAIL
    assert "does not load" in report.row("connector kit_broken").detail
    assert report.row("connectors").status is Status.OK
    assert report.exit_code == 1


async def test_a_connection_whose_connector_is_gone_fails(db: Path) -> None:
    await configure(db)
    without_fake = Registry.discover()  # "fake" is not installed here
    report = await diagnose(environment(db), registry=without_fake, http=ats().client())
    assert report.row("acme / fake: connector").status is Status.FAIL
    assert "no connector is installed" in report.row("acme / fake: connector").detail
    assert report.row("acme / fake: ATS").status is Status.SKIP


async def test_verifies_are_bounded_and_advance_the_progress(db: Path) -> None:
    await configure(db, extra=9)
    SlowConnector.most = 0
    advanced: list[int] = []
    totals: list[int] = []

    @contextmanager
    def progress(total: int) -> Iterator[Callable[[], None]]:
        totals.append(total)
        yield lambda: advanced.append(1)

    report = await diagnose(
        environment(db),
        registry=registry(SlowConnector),
        http=ats().client(),
        concurrency=3,
        progress=progress,
    )
    assert totals == [12]  # 3 connections of acme, 9 slow ones
    assert len(advanced) == 12
    assert SlowConnector.most == 3
    assert report.row("t08 / slow: ATS").detail == "waited"
    assert report.exit_code == 0


async def test_a_verify_that_hangs_times_out(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    await configure(db, extra=1)
    monkeypatch.setattr(SlowConnector, "delay", 5.0)
    report = await diagnose(
        environment(db), registry=registry(SlowConnector), http=ats().client(), verify_timeout=0.05
    )
    assert report.row("t00 / slow: ATS").status is Status.FAIL
    assert "no answer within" in report.row("t00 / slow: ATS").detail


async def test_a_missing_sqlite_file_is_not_created(tmp_path: Path) -> None:
    db = tmp_path / "nothing-here.db"
    report = await diagnose(environment(db), registry=registry(), http=ats().client())
    assert report.row("database").status is Status.WARN
    assert "does not exist yet" in report.row("database").detail
    assert report.row("tenants").status is Status.SKIP
    assert not db.exists()


async def test_the_base_connector_cannot_verify() -> None:
    with pytest.raises(VerifyUnsupported) as caught:
        await FakeConnector({"account": "acme"}).verify()
    assert "without a job id" in caught.value.message


def test_urls_lose_their_passwords() -> None:
    assert safe_url("postgresql://app:pa%40ss@db:5432/ats") == (
        "postgresql://app:***@db:5432/ats",
        ["pa%40ss", "pa@ss"],
    )
    assert safe_url("postgresql://db/ats?password=hunter22&sslmode=require")[0] == (
        "postgresql://db/ats?password=***&sslmode=require"
    )
    assert safe_url("sqlite:////var/lib/ats.db") == ("sqlite:////var/lib/ats.db", [])


# -- the command ---------------------------------------------------------------------------


def cli_env(**values: str | None) -> dict[str, str | None]:
    return {
        DATABASE_URL_ENV: None,
        ENCRYPTION_KEYS_ENV: None,
        SECRET_KEY_ENV: None,
        "EMBLOY_ATS_ALLOW_PRIVATE_NETWORK": None,
        **values,
    }


def test_the_command_reports_an_unreachable_postgresql_as_json() -> None:
    url = "postgresql://doctor:pg-Pw-77341@127.0.0.1:1/embloy"
    result = CliRunner().invoke(
        app, ["doctor", "--json"], env=cli_env(**{DATABASE_URL_ENV: url, SECRET_KEY_ENV: SECRET})
    )
    assert result.exit_code == 1, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    rows = {row["check"]: row for row in data["checks"]}
    assert rows["database URL"]["detail"] == (
        f"{DATABASE_URL_ENV}=postgresql://doctor:***@127.0.0.1:1/embloy"
    )
    assert rows["database"]["status"] == "fail"
    assert "cannot reach the PostgreSQL database" in rows["database"]["detail"]
    assert rows["tenants"]["status"] == "skip"
    assert rows["secret key"]["status"] == "ok"
    assert data["ok"] is False
    assert "pg-Pw-77341" not in result.output
    assert SECRET not in result.output


def test_the_command_prints_a_table_and_exits_zero_when_nothing_fails(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    env = cli_env(**environment(db))

    async def add_tenant() -> None:
        async with Resolver(store_for(f"sqlite:///{db}"), keys=KeyRing([KEY])) as resolver:
            await resolver.create_tenant("solo")

    asyncio.run(add_tenant())
    result = CliRunner().invoke(app, ["doctor"], env=env)
    assert result.exit_code == 0, result.output
    assert "embloy-ats doctor" in result.stdout
    assert "1 tenant, 0 connections" in result.stdout
    assert KEY not in result.output
    assert SECRET not in result.output


def test_the_command_fails_without_a_secret_key(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    result = CliRunner().invoke(
        app, ["doctor", "--json"], env=cli_env(**environment(db, **{SECRET_KEY_ENV: None}))
    )
    assert result.exit_code == 1
    rows = {row["check"]: row["status"] for row in json.loads(result.stdout)["checks"]}
    assert rows["secret key"] == "fail"
    assert rows["database"] == "warn"  # the file does not exist, and doctor does not create it


async def test_stuck_and_failed_applications_are_reported(db: Path) -> None:
    """Applications due for an hour that no worker took fail the check (no worker runs);
    one whose worker died holding it and one that failed are named, with what to do."""
    await configure(db)
    keys = KeyRing([KEY])
    clock = ManualClock()
    clock.current = datetime.now(UTC) - timedelta(hours=1)
    service, store = await _applications(db, keys, clock)
    try:
        for n in range(3):
            fields, files = form(n)
            accepted = await service.accept("t", _JOB, fields, files)
            assert isinstance(accepted, Accepted)
        now = clock.now().timestamp()
        failed, _died = await store.claim(now=now, lease=30.0, limit=2)
        await store.mark_failed(failed, now=now, reason=FailureReason.REJECTED,
                                last_error="rejected", in_doubt=False)  # fmt: skip
    finally:
        await store.close()
    report = await diagnose(environment(db), registry=registry(), http=ats().client())
    assert report.row("applications").detail == (
        "1 queued, 1 delivering, 0 retrying, 0 delivered, 1 failed"
    )
    stuck = report.row("applications stuck")
    assert stuck.status is Status.FAIL
    assert "has waited 60 min for a worker" in stuck.detail
    assert "1 held by a worker that stopped renewing its lease" in stuck.detail
    assert "embloy-ats worker" in stuck.detail
    assert report.row("applications failed").status is Status.WARN
    assert "1 failed" in report.row("applications failed").detail
    assert "applications retry ID" in report.row("applications failed").detail
    assert report.exit_code == 1


async def test_a_lease_just_lost_warns_until_it_is_overdue(db: Path) -> None:
    await configure(db)
    keys = KeyRing([KEY])
    clock = ManualClock()
    clock.current = datetime.now(UTC) - timedelta(seconds=90)
    service, store = await _applications(db, keys, clock)
    try:
        fields, files = form(0)
        assert isinstance(await service.accept("t", _JOB, fields, files), Accepted)
        await store.claim(now=clock.now().timestamp() + 30, lease=30.0, limit=1)
    finally:
        await store.close()
    report = await diagnose(environment(db), registry=registry(), http=ats().client())
    assert report.row("applications stuck").status is Status.WARN
    assert "a running worker takes them over" in report.row("applications stuck").detail
    assert report.row("applications failed").status is Status.OK
    assert report.exit_code == 0


async def test_without_keys_the_applications_are_not_checked(db: Path) -> None:
    await configure(db)
    report = await diagnose(
        environment(db, **{ENCRYPTION_KEYS_ENV: None}), registry=registry(), http=ats().client()
    )
    assert report.row("applications").status is Status.SKIP


_JOB = Job(connector=MODE, external_id=JOB_ID, title="Delivery Engineer", questions=QUESTIONS,
           fetched_at=datetime(2026, 11, 1, tzinfo=UTC))  # fmt: skip


async def _applications(
    db: Path, keys: KeyRing, clock: ManualClock
) -> tuple[ApplicationService, ApplicationStore]:
    store = application_store_for(f"sqlite:///{db}", keys)
    await store.open()
    service = ApplicationService(store, registry=registry_with_apply_ats(), clock=clock)
    return service, store
