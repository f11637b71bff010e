"""The application pipeline against a fake ATS on loopback, on SQLite and on PostgreSQL.

`pipeline` is everything the service and a worker need: the job store with a tenant whose
connection points at the fake ATS, the job fetched from it, the outbox, the service that
accepts applications, and workers on a manual clock (time moves when a test says so).
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from embloy_ats import HttpClient, Job, Timeouts
from embloy_ats.applications import (
    Accepted,
    ApplicationService,
    ApplicationStatus,
    ApplicationStore,
    DeliverySettings,
    InvalidApplication,
    StoredConnectors,
    UploadedFile,
    Worker,
    application_store_for,
    delivery_http_client,
)
from embloy_ats.crypto import KeyRing
from embloy_ats.registry import Registry
from embloy_ats.resolver import Resolver
from embloy_ats.store import store_for

from benchmarks.apply_ats import (
    JOB_ID,
    MODE,
    ApplyAts,
    ScriptedAts,
    registry_with_apply_ats,
    running_apply_ats,
)
from tests.resolver import conftest as resolver_conftest
from tests.resolver.conftest import ManualClock, make_registry

pg_schema = resolver_conftest.pg_schema
clock = resolver_conftest.clock

#: in every answer, file name and file of the test applications: it must never show up
#: in a log, an error, a metric or the database's bytes.
SENTINEL = "zq7sentinel"
PDF = b"%PDF-1.7\n% " + f"{SENTINEL}-filecontent".encode() + b"\n%%EOF\n"
SETTINGS = DeliverySettings(
    lease=5.0, backoff_base=2.0, backoff_max=60.0, lookup_delay=1.0, attempt_timeout=5.0
)

Form = tuple[dict[str, list[str]], dict[str, list[UploadedFile]]]


def form(n: int = 0, **answers: list[str]) -> Form:
    """A valid application to the fake ATS's job; candidate `n` has their own email."""
    fields = {
        "answer.name": [f"Jane {SENTINEL}name Doe"],
        "answer.email": [f"jane.{SENTINEL}.{n}@example.org"],
        "answer.phone": ["+49 30 1234 5678"],
        "answer.letter": [f"I would like to work here. {SENTINEL}letter"],
        "answer.permit": ["yes"],
        "answer.start": ["s2"],
        "answer.languages": ["en", "de"],
        "answer.years": ["7.5"],
        "answer.available": ["2027-01-15"],
        "answer.profile": ["linkedin.com/in/jane"],
        "request_token": ["not an answer: ignored"],
    }
    fields.update({f"answer.{key}": value for key, value in answers.items()})
    files = {"answer.resume": [UploadedFile(f"{SENTINEL}-cv.pdf", "application/pdf", PDF)]}
    return fields, files


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/embloy.db"
    url: str = request.getfixturevalue("pg_schema")
    return url


@pytest.fixture
async def ats() -> AsyncIterator[ApplyAts]:
    async with running_apply_ats() as started:
        yield started


@pytest.fixture
def private_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMBLOY_ATS_ALLOW_PRIVATE_NETWORK", "1")


@dataclass
class Pipeline:
    url: str
    #: the one encryption key of `keys`.
    key: str
    keys: KeyRing
    registry: Registry
    resolver: Resolver
    store: ApplicationStore
    service: ApplicationService
    connectors: StoredConnectors
    ats: ScriptedAts
    clock: ManualClock
    tenant_id: str
    job: Job
    #: candidate `n`'s application to `job`, as the apply page posts it.
    form_for: Callable[..., Form] = field(default=form)

    def worker(self, **settings: Any) -> Worker:
        """A worker on the manual clock; backoff jitter fixed at its largest draw."""
        return Worker(
            self.store,
            self.connectors,
            settings=dataclasses.replace(SETTINGS, **settings),
            clock=self.clock,
            jitter=lambda: 1.0,
        )

    async def accept(self, n: int = 0, key: str | None = None, **answers: list[str]) -> Accepted:
        fields, files = self.form_for(n, **answers)
        result = await self.service.accept(
            self.tenant_id, self.job, fields, files, idempotency_key=key,
            redirect_url="https://partner.example/thanks",
        )  # fmt: skip
        assert isinstance(result, Accepted), getattr(result, "fields", result)
        return result

    async def status(self, application_id: str) -> ApplicationStatus:
        record = await self.store.show(application_id)
        return record.status

    async def drain(self, worker: Worker, *, rounds: int = 60) -> None:
        """Run the worker, moving the clock to each next due attempt, until nothing is
        pending (or `rounds` runs)."""
        for _ in range(rounds):
            if await worker.run_once():
                continue
            pending = [
                record.next_attempt_at
                for status in (ApplicationStatus.QUEUED, ApplicationStatus.RETRYING,
                               ApplicationStatus.DELIVERING)
                for record in await self.store.list_applications(status=status, limit=10_000)
                if record.next_attempt_at is not None
            ]  # fmt: skip
            if not pending:
                return
            now = self.clock.now().timestamp()
            self.clock.advance(max(0.0, min(pending) - now) + 0.01)
        raise AssertionError(f"still pending after {rounds} rounds")


@contextlib.asynccontextmanager
async def started_pipeline(
    database_url: str,
    ats: ScriptedAts,
    clock: ManualClock,
    *,
    mode: str = MODE,
    job_id: str = JOB_ID,
    settings: Mapping[str, str] | None = None,
    credentials: Mapping[str, str] | None = None,
    form_for: Callable[..., Form] = form,
) -> AsyncIterator[Pipeline]:
    """Everything a delivery needs, for tenant `acme` whose `mode` connection points at
    `ats` with `settings` and `credentials`, and the job `job_id` fetched from it."""
    key = KeyRing.generate()
    keys = KeyRing([key])
    registry = registry_with_apply_ats(make_registry())  # and tests.fakes' connector
    resolver = Resolver(
        store_for(database_url), keys=keys, registry=registry,
        http=HttpClient(allow_private_network=True),
    )  # fmt: skip
    await resolver.open()
    store = application_store_for(database_url, keys)
    await store.open()
    http = delivery_http_client(
        timeouts=Timeouts(connect=2.0, read=1.0, write=2.0, pool=2.0, attempt=1.0),
        allow_private_network=True,
        clock=clock,
    )
    connectors = StoredConnectors(
        resolver.store, keys=keys, registry=registry, http=http, clock=clock
    )
    try:
        tenant = await resolver.create_tenant("acme")
        await resolver.set_connection(
            "acme", mode, {"base_url": ats.url, **(settings or {})}, credentials
        )
        job = await resolver.resolve("acme", mode, job_id)
        service = ApplicationService(store, registry=registry, settings=SETTINGS, clock=clock)
        yield Pipeline(
            database_url, key, keys, registry, resolver, store, service, connectors, ats, clock,
            tenant.id, job, form_for,
        )  # fmt: skip
    finally:
        await http.aclose()
        await store.close()
        await resolver.close()


@pytest.fixture
async def pipeline(
    database_url: str, ats: ApplyAts, clock: ManualClock, private_network: None
) -> AsyncIterator[Pipeline]:
    async with started_pipeline(database_url, ats, clock) as started:
        yield started


def invalid(result: object) -> dict[str, str]:
    assert isinstance(result, InvalidApplication), result
    return result.fields
