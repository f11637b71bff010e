"""Soak: thousands of candidates, seven tenants on six ATS, every fault on, through the service.

The real service (`create_app` on uvicorn, loopback) resolves jobs from the fake ATS
(`benchmarks.fake_ats`), which serves the recorded payloads and synthetic Greenhouse jobs
while it resets connections, answers 429 and 5xx, trickles and truncates bodies. Afterwards:
every call ended in the right Job or a typed error, the store holds only whole jobs of the
tenant that asked for them, each tenant's credentials went only to its own ATS, no secret
reached a log or an answer, and the service still answers /healthz.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import random
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from embloy_ats import HttpClient, Job, JobNotFound, JobStatus, Registry, RetryPolicy, Timeouts
from embloy_ats.crypto import KeyRing
from embloy_ats.http import engine_transport
from embloy_ats.public import PublicJob
from embloy_ats.resolver import FreshnessPolicy, Resolver
from embloy_ats.service.app import create_app
from embloy_ats.service.runner import serving
from embloy_ats.service.tokens import TokenService
from embloy_ats.store import store_for

from benchmarks.fake_ats import SYNTHETIC_TITLE, FakeAts, Faults
from tests.resolver.conftest import PG_URL

CALLS = int(os.environ.get("EMBLOY_ATS_SOAK_CALLS", "2500"))
CONCURRENCY = 24
SECRET = "soak-token-signing-secret-" + "x" * 20
TAG = uuid.uuid4().hex[:8]


@dataclass(frozen=True)
class Tenant:
    name: str
    mode: str
    settings: dict[str, str]
    credentials: dict[str, str]
    job_ids: tuple[str, ...]

    @property
    def secret(self) -> str | None:
        return next(iter(self.credentials.values()), None)


GREENHOUSE_IDS = tuple(str(n) for n in range(1, 31))
TENANTS = (
    Tenant("soak-gh-a", "greenhouse", {"board_token": "bench-a"}, {}, GREENHOUSE_IDS),
    Tenant("soak-gh-b", "greenhouse", {"board_token": "bench-b"}, {}, GREENHOUSE_IDS),
    Tenant("soak-tt", "teamtailor", {}, {"api_key": f"tt-key-{TAG}"}, ("7199", "26", "999999")),
    Tenant(
        "soak-rc", "recruitee", {"company": "acme", "company_id": "12345"},
        {"api_token": f"rc-token-{TAG}"}, ("2705510", "999999999"),
    ),
    Tenant(
        "soak-ab", "ashby", {}, {"api_key": f"ab-key-{TAG}"},
        ("3f0c9a6e-2b1d-4c8e-9a57-6d2e8b1f4c20", "8d41f6b2-7c39-4e0a-b1d5-2a9c6e3f7b18",
         "00000000-0000-4000-8000-000000000000"),
    ),
    Tenant(
        "soak-lv", "lever", {}, {"api_key": f"lv-key-{TAG}"},
        ("3f6c2a9e-8d41-4b7a-9c25-71e0d4b8a6f3", "c81d4e2a-57b9-4f06-a3e8-2b9f0d6c1e47",
         "0b7e5d1c-93a4-4f2e-8c61-5a9d2e4f7b30"),
    ),
    Tenant(
        "soak-wk", "workable", {"subdomain": "example"}, {"access_token": f"wk-token-{TAG}"},
        ("7E1A3C905B", "GROOV005", "0000000000"),
    ),
)  # fmt: skip
#: the error codes the service may answer while the ATS misbehaves (never internal_error).
FAULT_CODES = {"upstream_unavailable", "upstream_timeout", "rate_limited", "upstream_error"}


@dataclass
class Outcomes:
    statuses: Counter[str] = field(default_factory=Counter)
    answered: set[tuple[str, str]] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/soak.db"
        return
    schema = f"soak_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
async def ats() -> AsyncIterator[FakeAts]:
    fake = FakeAts(max_lifetime=300, record_authorizations=True)
    await fake.start()
    yield fake
    await fake.stop()


async def expected_outcomes(ats: FakeAts) -> dict[tuple[str, str], Job | None]:
    """What each tenant's jobs are when nothing goes wrong (None: the ATS says it is gone)."""
    registry = Registry.discover()
    expected: dict[tuple[str, str], Job | None] = {}
    http = HttpClient(allow_private_network=True)
    try:
        for tenant in TENANTS:
            cls = registry.get(tenant.mode).connector
            connector = cls(tenant.settings | {"base_url": ats.url}, tenant.credentials, http=http)
            for job_id in tenant.job_ids:
                try:
                    expected[(tenant.name, job_id)] = await connector.fetch_job(job_id)
                except JobNotFound:
                    expected[(tenant.name, job_id)] = None
    finally:
        await http.aclose()
    return expected


def check_answer(
    tenant: Tenant, job_id: str, expected: Job | None, response: httpx.Response, seen: Outcomes
) -> None:
    where = f"{tenant.name}/{job_id}"
    seen.bodies.append(response.text)
    gone = expected is not None and expected.status in (JobStatus.CLOSED, JobStatus.ARCHIVED)
    if response.status_code == 200:
        body = response.json()
        job = PublicJob.model_validate(body["job"])
        seen.statuses[f"200 {body['session']['source']}"] += 1
        seen.answered.add((tenant.name, job_id))
        if expected is None or gone:
            seen.problems.append(f"{where}: a job the ATS says is gone was answered")
        elif (job.slug, job.title) != (expected.slug, expected.title):
            seen.problems.append(f"{where}: answered {job.slug}")
        if tenant.mode == "greenhouse" and f"/{tenant.settings['board_token']}/" not in str(
            job.posting_url
        ):
            seen.problems.append(f"{where}: a job of another board: {job.posting_url}")
        return
    code = response.json().get("error", {}).get("code")
    seen.statuses[f"{response.status_code} {code}"] += 1
    if code == "job_not_found":
        if expected is not None:
            seen.problems.append(f"{where}: an existing job was answered as not found")
    elif code == "job_gone":
        if not gone:
            seen.problems.append(f"{where}: an open job was answered as gone")
    elif code not in FAULT_CODES:
        seen.problems.append(f"{where}: HTTP {response.status_code} {code}")


def decoded(authorization: str) -> str:
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "basic":
        return base64.b64decode(value).decode()
    return value


async def test_soak_with_every_fault(
    database: str, ats: FakeAts, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    expected = await expected_outcomes(ats)
    assert SYNTHETIC_TITLE in {job.title for job in expected.values() if job is not None}
    assert sum(job is None for job in expected.values()) >= 5, "some jobs are gone"
    ats.faults = Faults.everything(seed=7)
    ats.reseed(7)
    ats.reset_stats()

    resolver = Resolver(
        store_for(database),
        keys=KeyRing([KeyRing.generate()]),
        http=HttpClient(
            allow_private_network=True,
            timeouts=Timeouts(connect=1.0, read=0.5, write=1.0, pool=5.0, attempt=0.3),
            retry=RetryPolicy(attempts=3, deadline=5.0, max_retry_after=0.5),
        ),
        # short lives: jobs go stale and misses expire during the soak, so faults keep
        # reaching the ATS, and stale-if-error answers are exercised too
        policy=FreshnessPolicy(max_age=0.5, stale_if_error=3600, negative_ttl=0.5, failure_ttl=0),
    )
    tokens = TokenService(SECRET, resolver.store)
    app = create_app(resolver, tokens)
    seen = Outcomes()
    by_name = {tenant.name: tenant for tenant in TENANTS}
    async with serving(app) as url:
        client_tokens = {}
        for tenant in TENANTS:
            created = await resolver.create_tenant(tenant.name)
            settings = tenant.settings | {"base_url": ats.url}
            await resolver.set_connection(tenant.name, tenant.mode, settings, tenant.credentials)
            client_tokens[tenant.name], _ = await tokens.issue_client_token(created.id, days=1)
        # The candidates' side runs on the engine's pool: httpcore's pool looks at every
        # connection it holds for each request it places, a third of this test's CPU.
        pool = engine_transport(allow_private_network=True, max_connections=CONCURRENCY)
        async with httpx.AsyncClient(base_url=url, timeout=60, transport=pool) as web:
            request_tokens: dict[tuple[str, str], str] = {}
            for (name, job_id), _ in expected.items():
                exchange = await web.post(
                    "/api/v0/sdk/request/auth/token",
                    headers={"client_token": client_tokens[name]},
                    data={"mode": by_name[name].mode, "job_slug": job_id},
                )
                assert exchange.status_code == 200, exchange.text
                request_tokens[(name, job_id)] = exchange.json()["request_token"]

            draws = random.Random(11)
            keys = list(expected)
            plan = [draws.choice(keys) for _ in range(CALLS)]
            gate = asyncio.Semaphore(CONCURRENCY)

            async def candidate(key: tuple[str, str]) -> None:
                async with gate:
                    response = await web.post(
                        "/api/v0/sdk/request/handle",
                        headers={"request_token": request_tokens[key]},
                    )
                check_answer(by_name[key[0]], key[1], expected[key], response, seen)

            # a guard against a hang, not a speed limit: the soak shares the machine with
            # the rest of the suite (pytest-xdist), so its pace is the machine's
            await asyncio.wait_for(asyncio.gather(*(candidate(key) for key in plan)), 600)
            health = await web.get("/healthz")

        print(f"\nsoak on {database.split(':')[0]}: {dict(seen.statuses)}")
        print(f"fake ATS: {ats.stats.requests} requests, {dict(ats.stats.by_outcome)}")
        # -- every call ended in the right Job or a typed error --------------------------------
        assert seen.problems == [], seen.problems[:20]
        assert sum(seen.statuses.values()) == CALLS
        faults = sum(
            n for status, n in seen.statuses.items() if not status.startswith(("200", "404"))
        )
        assert faults > 0, f"the faults never reached a candidate: {seen.statuses}"
        assert seen.statuses["200 upstream"] > 0, seen.statuses
        assert seen.statuses["200 store"] > 0, seen.statuses
        upstream_faults = {k: v for k, v in ats.stats.by_outcome.items() if k != "ok"}
        assert len(upstream_faults) >= 7, f"every fault was injected: {upstream_faults}"

        # -- the store holds whole jobs, each of its own tenant ------------------------------------
        stored_rows = 0
        for tenant_row in await resolver.store.list_tenants():
            tenant = by_name[tenant_row.name]
            for row in await resolver.store.list_jobs(tenant_row.id):
                stored_rows += 1
                job = Job.model_validate_json(row.job_json)
                assert (row.tenant_id, row.mode) == (tenant_row.id, tenant.mode)
                assert row.job_id in tenant.job_ids, f"{tenant.name} holds a job it never asked"
                want = expected[(tenant.name, row.job_id)]
                assert want is not None, f"{tenant.name}/{row.job_id}: a missing job was stored"
                assert (job.external_id, job.title) == (want.external_id, want.title)
                if tenant.mode == "greenhouse":
                    assert f"/{tenant.settings['board_token']}/" in str(job.posting_url)
        assert stored_rows >= len(seen.answered)
        assert stored_rows == await count_rows(resolver)

        # -- credentials went only to their own ATS; no secret in a log or an answer ------------
        secrets = {tenant.mode: tenant.secret for tenant in TENANTS if tenant.secret}
        for path, authorization in ats.stats.authorizations:
            if authorization is None:
                continue
            sent = decoded(authorization)
            owners = [mode for mode, secret in secrets.items() if secret in sent]
            assert len(owners) == 1, f"{path}: credentials of {owners}"
            assert owner_matches(path, owners[0]), f"{path} received {owners[0]}'s credentials"
        # the service's own lines reached the capture, so the check below reads them
        assert any(r.name.startswith("embloy_ats.") for r in caplog.records)
        logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
        answered = "\n".join(seen.bodies)
        for secret in secrets.values():
            assert secret not in logged
            assert secret not in answered
        if database.startswith("sqlite:///"):
            dump = b"".join(p.read_bytes() for p in Path(database[10:]).parent.glob("soak.db*"))
            assert not any(secret.encode() in dump for secret in secrets.values())

        # -- and the service is still well -------------------------------------------------------
        assert health.status_code == 200
        assert health.json() == {"status": "ok"}


def owner_matches(path: str, mode: str) -> bool:
    first = path.strip("/").split("/", 1)[0]
    return {
        "teamtailor": first == "v1" and path.startswith("/v1/jobs/"),
        "lever": path.startswith("/v1/postings/"),
        "recruitee": first == "c",
        "ashby": first == "jobPosting.info",
        "workable": first == "spi",
    }.get(mode, False)


async def count_rows(resolver: Resolver) -> int:
    store: Any = resolver.store
    if hasattr(store, "db"):
        row = store.db.execute("SELECT count(*) FROM jobs").fetchone()
        return int(row[0])
    async with store.pool.connection() as conn:
        cursor = await conn.execute("SELECT count(*) FROM jobs")
        found = await cursor.fetchone()
        return int(found[0])
