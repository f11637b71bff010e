"""The benchmarks: `uv run python -m benchmarks [--quick] [--only NAME ...]`.

Prints one markdown table. Every figure is the median over repeated runs, and every ratio
is taken between two figures measured in the same run. Everything runs on loopback: the
fake ATS (`benchmarks.fake_ats`, its own process), the service processes, PostgreSQL on
127.0.0.1:5432 (EMBLOY_ATS_BENCH_POSTGRES; its rows are skipped if it cannot be reached).
Counts and times are bounded: every process stops by itself.

These are not tests and CI does not run them: the numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import logging
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import psycopg
from embloy_ats.applications import (
    Accepted,
    ApplicationService,
    ApplicationStatus,
    DeliverySettings,
    Limits,
    StoredConnectors,
    UploadedFile,
    Worker,
    application_store_for,
    delivery_http_client,
    validate_answers,
)
from embloy_ats.connector import Connector
from embloy_ats.crypto import KeyRing
from embloy_ats.errors import EmbloyAtsError, JobNotFound
from embloy_ats.http import HttpClient, RetryPolicy, engine_transport
from embloy_ats.resolver import Resolver, connector_for
from embloy_ats.service.apply_form import FormCaps, read_apply_form
from embloy_ats.service.tokens import TokenService, new_secret
from embloy_ats.store import Store, StoredJob, store_for
from embloy_ats.store.postgres import PostgresStore
from embloy_ats.store.sqlite import SqliteStore
from prometheus_client import REGISTRY

from benchmarks.apply_ats import JOB_ID as APPLY_JOB_ID
from benchmarks.apply_ats import MODE as APPLY_MODE
from benchmarks.apply_ats import RemoteApplyAts, registry_with_apply_ats
from benchmarks.fake_ats import Faults, RemoteFake
from benchmarks.greenhouse_post import sync_get_validated

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("EMBLOY_ATS_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
MODE = "greenhouse"
#: jobs per tenant: Greenhouse's client-side limit lets 50 go at once, then 5 a second.
PER_TENANT = 40
QUERY = "questions=true&pay_transparency=true"


@dataclass(frozen=True)
class Size:
    repeats: int
    overhead_calls: int
    stored_calls: int
    concurrency_jobs: int
    levels: tuple[int, ...]
    sequential_sample: int
    herd: int
    storm_jobs: int
    applications: int


FULL = Size(5, 400, 2000, 1000, (10, 50, 100), 40, 500, 40, 1000)
QUICK = Size(3, 120, 600, 300, (10, 100), 20, 200, 12, 100)


@dataclass
class Row:
    benchmark: str
    measured: str
    baseline: str
    ratio: str
    target: str = ""


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *cells: str) -> None:
        self.rows.append(Row(*cells))
        print(f"  {' | '.join(cells)}", file=sys.stderr, flush=True)

    def table(self) -> str:
        head = "| benchmark | measured | baseline (same run) | ratio | target |\n"
        head += "| --- | --- | --- | --- | --- |\n"
        body = "".join(
            f"| {r.benchmark} | {r.measured} | {r.baseline} | {r.ratio} | {r.target} |\n"
            for r in self.rows
        )
        return head + body


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def us(seconds: float) -> str:
    return f"{seconds * 1e6:,.0f} µs"


def secs(seconds: float) -> str:
    return f"{seconds:.2f} s"


# -- processes and databases ------------------------------------------------------------------


class Child:
    """A benchmark process that prints its URL first and stops when its stdin closes."""

    def __init__(
        self,
        module: str,
        env: dict[str, str] | None = None,
        lifetime: float = 900,
        args: Sequence[str] = (),
        checkout: Path | None = None,
    ):
        """`checkout`: run the module of another checkout, in its own environment."""
        python = f"{checkout}/.venv/bin/python" if checkout else sys.executable
        root = checkout or ROOT
        self.proc = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
            [python, "-m", module, "--lifetime", str(lifetime), *args],
            cwd=root,
            env={**os.environ, "PYTHONPATH": str(root), **(env or {})},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if not line.startswith("http://127.0.0.1:"):
            self.stop()
            raise RuntimeError(f"{module} did not start (it printed {line!r})")
        self.url = line

    @property
    def pid(self) -> int:
        return self.proc.pid

    def memory(self) -> dict[str, int]:
        """VmRSS and VmHWM (peak) in KiB, from /proc."""
        found: dict[str, int] = {}
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                name, _, value = line.partition(":")
                if name in ("VmRSS", "VmHWM"):
                    found[name] = int(value.split()[0])
        return found

    def stop(self) -> None:
        if self.proc.stdin is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def postgres_reachable() -> bool:
    try:
        with psycopg.connect(PG_URL, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


@contextlib.contextmanager
def pg_schema() -> Iterator[str]:
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@contextlib.contextmanager
def database(kind: str) -> Iterator[str]:
    if kind == "postgres":
        with pg_schema() as url:
            yield url
        return
    folder = tempfile.mkdtemp(prefix="embloy-bench-")
    try:
        yield f"sqlite:///{folder}/bench.db"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# -- tenants and jobs ---------------------------------------------------------------------------


class Boards:
    """Fresh tenants, one Greenhouse board each, so no run inherits another's rate budget."""

    def __init__(self, resolver: Resolver, ats_url: str) -> None:
        self.resolver, self.ats_url = resolver, ats_url
        self.serial = 0

    async def tenants(self, count: int) -> list[str]:
        names = []
        for _ in range(count):
            self.serial += 1
            name = f"bench{self.serial}"
            await self.resolver.create_tenant(name)
            await self.resolver.set_connection(
                name, MODE, {"board_token": name, "base_url": self.ats_url}
            )
            names.append(name)
        return names

    async def work(
        self, jobs: int, first_id: int = 1, per_tenant: int = PER_TENANT
    ) -> list[tuple[str, str]]:
        """(tenant, job id) for `jobs` distinct unknown jobs, at most `per_tenant` per tenant."""
        tenants = await self.tenants(-(-jobs // per_tenant))
        return [(tenants[n % len(tenants)], str(first_id + n)) for n in range(jobs)]


@contextlib.asynccontextmanager
async def opened(url: str, ats_url: str) -> AsyncIterator[tuple[Resolver, Boards]]:
    resolver = Resolver(store_for(url), http=HttpClient(allow_private_network=True))
    await resolver.open()
    try:
        yield resolver, Boards(resolver, ats_url)
    finally:
        await resolver.close()


async def bare_get(client: httpx.AsyncClient, url: str) -> Any:
    response = await client.get(url)
    response.raise_for_status()
    return json.loads(response.content)


# -- 1. framework overhead -----------------------------------------------------------------------

#: the targets of row 1 against the sync baseline, by store and ATS latency.
TARGETS = {
    ("sqlite", 0.0): "<= 1.3x",
    ("postgres", 0.0): "<= 1.6x",
    ("sqlite", 0.02): "<= 1.02x",
    ("postgres", 0.02): "<= 1.04x",
}


async def overhead(report: Report, fake: RemoteFake, size: Size, kind: str, latency: float) -> None:
    """Resolve vs the issue's baseline (a bare httpx client, on httpcore's pool), vs the
    same bare GET over the engine's transport: the second ratio is the framework's own work
    (normalising, storing, single-flight) with the faster pool taken out of the comparison,
    and vs the stricter baseline of `benchmarks.greenhouse_post` (a reused sync client, the
    payload validated into a typed model of it).

    Two floors go against that strict baseline too, to say what part of a resolve no
    change to the resolver can remove: aiohttp's own GET (the pool under the engine, with
    none of httpx or of our HTTP client), and the connector alone (`ConnectorAlone`)."""
    await fake.set_faults(Faults(latency=latency))
    calls = size.overhead_calls if latency == 0 else PER_TENANT
    times: dict[str, list[float]] = {
        "resolve": [], "bare": [], "engine": [], "sync": [], "aiohttp": [], "alone": [],
    }  # fmt: skip
    ratios: dict[str, list[float]] = {"bare": [], "engine": [], "sync": []}
    gets = (*ratios, "aiohttp")  # the same GET each way: the baselines and a floor
    with database(kind) as url, httpx.Client() as sync_client:
        async with (
            opened(url, fake.url) as (resolver, boards),
            httpx.AsyncClient() as client,
            load_client(10) as engine,
            aiohttp.ClientSession() as session,
        ):
            clients = {"bare": client, "engine": engine}
            alone = ConnectorAlone(resolver)

            async def bare(name: str, tenant: str, job_id: str) -> None:
                url = f"{fake.url}/v1/boards/{tenant}/jobs/{job_id}?{QUERY}"
                if name == "sync":
                    sync_get_validated(sync_client, url)
                elif name == "aiohttp":
                    async with session.get(url) as response:
                        response.raise_for_status()
                        json.loads(await response.read())
                else:
                    await bare_get(clients[name], url)

            warm = await boards.work(PER_TENANT)
            for tenant, job_id in warm:  # connections, pools, connectors, code paths
                await resolver.resolve(tenant, MODE, job_id)
                for name in gets:
                    await bare(name, tenant, job_id)
            for tenant, job_id in await alone.unknown(boards, PER_TENANT, first_id=1):
                await alone.resolve(tenant, job_id)
            for repeat in range(size.repeats):
                first_id = 1_000_000 * (repeat + 1)
                work = await boards.work(calls, first_id=first_id)
                started = time.perf_counter()
                for tenant, job_id in work:
                    await resolver.resolve(tenant, MODE, job_id)
                times["resolve"].append((time.perf_counter() - started) / calls)
                for name in gets:
                    started = time.perf_counter()
                    for tenant, job_id in work:  # the very same payloads
                        await bare(name, tenant, job_id)
                    times[name].append((time.perf_counter() - started) / calls)
                for name in ratios:
                    ratios[name].append(times["resolve"][-1] / times[name][-1])
                unknown = await alone.unknown(boards, calls, first_id=first_id)  # not stored yet
                started = time.perf_counter()
                for tenant, job_id in unknown:
                    await alone.resolve(tenant, job_id)
                times["alone"].append((time.perf_counter() - started) / calls)
    label = "SQLite" if kind == "sqlite" else "PostgreSQL"
    at = "0 ms" if latency == 0 else f"{latency * 1000:.0f} ms"
    resolve = f"resolve {us(median(times['resolve']))}"
    report.add(
        f"1. unknown job, ATS latency {at}, {label}",
        resolve,
        f"httpx GET + json {us(median(times['bare']))}",
        f"{median(ratios['bare']):.2f}x",
    )
    report.add(
        f"1. same, vs the bare GET over the engine's transport, {label}",
        resolve,
        f"httpx (engine) GET + json {us(median(times['engine']))}",
        f"{median(ratios['engine']):.2f}x",
    )
    strict = f"sync GET + json + validation {us(median(times['sync']))}"
    report.add(
        f"1. same, vs a reused sync httpx.Client GET + .json() + pydantic JobPost, {label}",
        resolve,
        strict,
        f"{median(ratios['sync']):.2f}x",
        TARGETS.get((kind, latency), ""),
    )
    for name, what in (
        ("aiohttp", "aiohttp's own GET + json (the pool under the engine)"),
        ("alone", "the connector alone (lookup, fetch, dump, write)"),
    ):
        floor = [a / b for a, b in zip(times[name], times["sync"], strict=True)]
        report.add(
            f"1. floor: {what}, {label}",
            us(median(times[name])),
            strict,
            f"{median(floor):.2f}x",
        )


class ConnectorAlone:
    """What a resolve of an unknown job cannot do without, and nothing else of the
    resolver: the store's lookup, the connector's fetch (its request, mapping and `Job`),
    the job's JSON dump and the store's write. No single-flight, fetch lock, freshness
    check, metric or event; each tenant's connector is built before the clock starts."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self._connectors: dict[str, tuple[str, Connector]] = {}

    async def unknown(self, boards: Boards, jobs: int, *, first_id: int) -> list[tuple[str, str]]:
        """`jobs` distinct jobs no one has asked for, on new tenants, with their connectors."""
        work = await boards.work(jobs, first_id=first_id)
        for name, _ in work:
            if name not in self._connectors:
                tenant = await self.resolver.tenant(name)
                _, connector = await connector_for(
                    self.resolver.store, self.resolver.registry, self.resolver.keys,
                    tenant.id, MODE, http=self.resolver.http, clock=self.resolver.clock,
                    tenant_label=name,
                )  # fmt: skip
                self._connectors[name] = (tenant.id, connector)
        return work

    async def resolve(self, tenant: str, job_id: str) -> None:
        tenant_id, connector = self._connectors[tenant]
        store = self.resolver.store
        await store.lookup(tenant_id, MODE, job_id)
        job = await connector.fetch_job(job_id)
        stored = StoredJob(
            tenant_id, MODE, job_id, job.model_dump_json(), job.fetched_at.timestamp()
        )
        await store.put_job(stored)


# -- 2. stored job ---------------------------------------------------------------------------


def raw_select(store: Store) -> Callable[[str, str, str], Awaitable[Any]]:
    sql = "SELECT job, fetched_at FROM jobs WHERE tenant_id = %s AND mode = %s AND job_id = %s"
    if isinstance(store, SqliteStore):
        db, lite = store.db, sql.replace("%s", "?")

        async def sqlite_select(tenant_id: str, mode: str, job_id: str) -> Any:
            return db.execute(lite, (tenant_id, mode, job_id)).fetchone()

        return sqlite_select
    assert isinstance(store, PostgresStore)
    pool = store.pool

    async def pg_select(tenant_id: str, mode: str, job_id: str) -> Any:
        async with pool.connection() as conn:
            cursor = await conn.execute(sql, (tenant_id, mode, job_id))
            return await cursor.fetchone()

    return pg_select


async def stored(report: Report, fake: RemoteFake, size: Size, kind: str) -> None:
    await fake.set_faults(Faults())
    resolve_times, select_times, ratios = [], [], []
    with database(kind) as url:
        async with opened(url, fake.url) as (resolver, boards):
            work = await boards.work(PER_TENANT)
            ids = {name: (await resolver.tenant(name)).id for name, _ in work}
            for tenant, job_id in work:
                await resolver.resolve(tenant, MODE, job_id)  # fetched and stored
                await resolver.resolve(tenant, MODE, job_id)  # decoded once
            select = raw_select(resolver.store)
            for _ in range(size.repeats):
                picks = [work[n % len(work)] for n in range(size.stored_calls)]
                started = time.perf_counter()
                for tenant, job_id in picks:
                    await resolver.resolve(tenant, MODE, job_id)
                resolve = (time.perf_counter() - started) / len(picks)
                started = time.perf_counter()
                for tenant, job_id in picks:
                    await select(ids[tenant], MODE, job_id)
                raw = (time.perf_counter() - started) / len(picks)
                resolve_times.append(resolve)
                select_times.append(raw)
                ratios.append(resolve / raw)
    label = "SQLite" if kind == "sqlite" else "PostgreSQL"
    report.add(
        f"2. stored job, {label}",
        f"resolve {us(median(resolve_times))}",
        f"raw SELECT of the row {us(median(select_times))}",
        f"{median(ratios):.2f}x",
        "<= 2.5x" if kind == "sqlite" else "",
    )


# -- 3. concurrency ----------------------------------------------------------------------------


async def bounded(limit: int, calls: Sequence[Callable[[], Awaitable[Any]]]) -> list[Any]:
    gate = asyncio.Semaphore(limit)

    async def one(call: Callable[[], Awaitable[Any]]) -> Any:
        async with gate:
            try:
                return await call()
            except EmbloyAtsError as exc:
                return exc

    return await asyncio.gather(*(one(call) for call in calls))


async def concurrency(report: Report, fake: RemoteFake, size: Size, kind: str) -> None:
    latency = 0.05
    await fake.set_faults(Faults(latency=latency))
    jobs = size.concurrency_jobs
    with database(kind) as url:
        async with opened(url, fake.url) as (resolver, boards):
            warm = await boards.work(10)
            await bounded(10, [partial(resolver.resolve, t, MODE, j) for t, j in warm])
            sample = await boards.work(size.sequential_sample, first_id=500_000)
            started = time.perf_counter()
            for tenant, job_id in sample:
                await resolver.resolve(tenant, MODE, job_id)
            sequential = (time.perf_counter() - started) / len(sample) * jobs
            levels = size.levels if kind == "sqlite" else size.levels[-1:]
            for level in levels:
                walls, failures = [], 0
                for repeat in range(max(1, size.repeats - 2)):
                    work = await boards.work(jobs, first_id=1_000_000 * (repeat + 1) + level)
                    calls = [partial(resolver.resolve, t, MODE, j) for t, j in work]
                    started = time.perf_counter()
                    results = await bounded(level, calls)
                    walls.append(time.perf_counter() - started)
                    failures += sum(isinstance(r, Exception) for r in results)
                ideal = jobs / level * latency
                label = "SQLite" if kind == "sqlite" else "PostgreSQL"
                report.add(
                    f"3. {jobs} unknown jobs, 50 ms ATS, C={level}, {label}"
                    + (f" ({failures} failed)" if failures else ""),
                    f"wall {secs(median(walls))}",
                    f"ideal {secs(ideal)}; sequential ~{secs(sequential)} (extrapolated "
                    f"from {len(sample)})",
                    f"{median(walls) / ideal:.2f}x ideal; {sequential / median(walls):.0f}x "
                    "faster than sequential",
                )


# -- 4. herd across two service processes --------------------------------------------------------


def service_env(url: str, secret: str, keys: str) -> dict[str, str]:
    return {
        "EMBLOY_ATS_DATABASE_URL": url,
        "EMBLOY_ATS_SECRET_KEY": secret,
        "EMBLOY_ATS_ENCRYPTION_KEYS": keys,
        "EMBLOY_ATS_ALLOW_PRIVATE_NETWORK": "1",
    }


def load_client(connections: int) -> httpx.AsyncClient:
    """The candidates' browsers: httpx over the engine's pool. Over httpcore's pool, which
    scans every connection for every request, the load generator and not the service was
    the bottleneck at 100 connections (row 6: ~10 s instead of ~2.5 s)."""
    transport = engine_transport(allow_private_network=True, max_connections=connections)
    return httpx.AsyncClient(transport=transport, timeout=60, trust_env=False)


async def answered(web: httpx.AsyncClient, url: str, token: str) -> int:
    """The status of one candidate's apply; 0 if the connection failed (counted, not fatal)."""
    try:
        return (await web.post(url, headers={"request_token": token})).status_code
    except httpx.TransportError:
        return 0


async def herd(report: Report, fake: RemoteFake, size: Size) -> None:
    await fake.set_faults(Faults(latency=0.3))
    secret, keys = new_secret(), KeyRing.generate()
    upstream: list[int] = []
    walls: list[float] = []
    bad: Counter[int] = Counter()  # status -> count; 0: the connection failed
    with database("postgres") as url:
        async with opened(url, fake.url) as (resolver, boards):
            (tenant,) = await boards.tenants(1)
            tenant_id = (await resolver.tenant(tenant)).id
            tokens = TokenService(secret, resolver.store)
            client_token, _ = await tokens.issue_client_token(tenant_id, days=1)
        services = [Child("benchmarks.service_worker", service_env(url, secret, keys))]
        try:
            services.append(Child("benchmarks.service_worker", service_env(url, secret, keys)))
            async with load_client(size.herd) as web:
                for repeat in range(size.repeats):
                    job_id = str(9_000_000 + repeat)
                    exchange = await web.post(
                        f"{services[0].url}/api/v0/sdk/request/auth/token",
                        headers={"client_token": client_token},
                        data={"mode": MODE, "job_slug": job_id},
                    )
                    exchange.raise_for_status()
                    token = exchange.json()["request_token"]
                    await fake.reset()
                    started = time.perf_counter()
                    answers = await asyncio.gather(
                        *(
                            answered(web, f"{services[n % 2].url}/api/v0/sdk/request/handle", token)
                            for n in range(size.herd)
                        )
                    )
                    walls.append(time.perf_counter() - started)
                    bad.update(status for status in answers if status != 200)
                    path = f"GET /v1/boards/{tenant}/jobs/{job_id}"
                    upstream.append((await fake.stats())["by_path"].get(path, 0))
        finally:
            for service in services:
                service.stop()
    failed = ", ".join(f"{n} x {status or 'no answer'}" for status, n in sorted(bad.items()))
    report.add(
        f"4. herd: {size.herd} candidates, one unknown job, 2 service processes, PostgreSQL"
        + (f" (not 200: {failed})" if bad else ""),
        f"{median([float(u) for u in upstream]):.0f} upstream request(s) (max {max(upstream)}); "
        f"all answered in {secs(median(walls))}",
        f"{size.herd} resolves",
        f"{median([float(u) for u in upstream]) / size.herd:.4f} requests per resolve",
        "1 request",
    )


# -- 5. retry amplification under a storm -----------------------------------------------------


async def storm(report: Report, fake: RemoteFake, size: Size) -> None:
    attempts = RetryPolicy().attempts
    scenarios = [
        ("429 (Retry-After 1 s) / 503 storm", Faults(rate_limit_rate=0.5, error_rate=1.0)),
        ("503 storm, no Retry-After", Faults(error_rate=1.0)),
        ("429 with Retry-After 60 s (over the cap)", Faults(rate_limit_rate=1.0, retry_after=60)),
    ]
    candidates = 10
    for name, faults in scenarios:
        ratios, walls, slowest, per_fetch = [], [], [], []
        for repeat in range(max(1, size.repeats - 2)):
            await fake.set_faults(dataclass_replace(faults, seed=repeat))
            with database("sqlite") as url:
                async with opened(url, fake.url) as (resolver, boards):
                    # 4 jobs a board: 3 attempts each stay inside the limiter's burst, so what
                    # is measured is retrying, not queueing for the account's budget
                    work = await boards.work(size.storm_jobs, per_tenant=4)
                    await fake.reset()

                    async def timed(tenant: str, job_id: str) -> float:
                        started = time.perf_counter()
                        with contextlib.suppress(EmbloyAtsError):
                            await resolver.resolve(tenant, MODE, job_id)
                        return time.perf_counter() - started

                    fetches_before = upstream_fetches()
                    started = time.perf_counter()
                    waves = []
                    for _ in range(2):  # the second wave finds the remembered failures
                        waves += await asyncio.gather(
                            *(timed(t, j) for t, j in work for _ in range(candidates))
                        )
                    walls.append(time.perf_counter() - started)
                    slowest.append(max(waves))
                    sent = (await fake.stats())["requests"]
                    # a logical fetch: the resolver leading one fetch of one job (a job whose
                    # remembered failure expired before the second wave is fetched again)
                    fetches = upstream_fetches() - fetches_before
                    per_fetch.append(sent / fetches)
                    ratios.append(sent / (fetches * attempts))
        resolves = size.storm_jobs * candidates * 2
        report.add(
            f"5. {name}: {size.storm_jobs} jobs x {candidates} candidates x 2 waves",
            f"{median(per_fetch):.2f} upstream requests per logical fetch; wall "
            f"{secs(median(walls))}, slowest resolve {secs(median(slowest))}",
            f"{attempts} attempts allowed per fetch; {resolves} resolves",
            f"{median(ratios):.2f}x the allowed attempts",
            "<= 1.1x; time bounded by the 30 s retry deadline",
        )


def upstream_fetches() -> float:
    """Fetches the resolvers in this process have led (the metric counts every outcome)."""
    return sum(
        sample.value
        for metric in REGISTRY.collect()
        if metric.name == "embloy_ats_upstream_fetches"
        for sample in metric.samples
        if sample.name.endswith("_total")
    )


def dataclass_replace(faults: Faults, **changes: Any) -> Faults:
    return dataclasses.replace(faults, **changes)


# -- 6. memory of the service under load (3) --------------------------------------------------


async def memory(report: Report, fake: RemoteFake, size: Size) -> None:
    await fake.set_faults(Faults(latency=0.05))
    secret, keys = new_secret(), KeyRing.generate()
    level = size.levels[-1]
    with database("sqlite") as url:
        async with opened(url, fake.url) as (resolver, boards):
            work = await boards.work(size.concurrency_jobs)
            tokens = TokenService(secret, resolver.store)
            clients = {}
            for name in {name for name, _ in work}:
                client_token, _ = await tokens.issue_client_token((await resolver.tenant(name)).id)
                clients[name] = await tokens.verify_client_token(client_token)
            request_tokens = [
                tokens.issue_request_token(clients[tenant], MODE, job_id) for tenant, job_id in work
            ]
        service = Child("benchmarks.service_worker", service_env(url, secret, keys))
        try:
            async with load_client(level) as web:
                await web.get(f"{service.url}/healthz")
                idle = service.memory().get("VmRSS", 0)

                async def handle(token: str) -> int:
                    answer = await web.post(
                        f"{service.url}/api/v0/sdk/request/handle",
                        headers={"request_token": token},
                    )
                    return answer.status_code

                started = time.perf_counter()
                statuses = await bounded(level, [partial(handle, t) for t in request_tokens])
                wall = time.perf_counter() - started
            peak = service.memory().get("VmHWM", 0)
        finally:
            service.stop()
    failed = sum(status != 200 for status in statuses)
    report.add(
        f"6. service peak RSS under load (3): {len(work)} unknown jobs, C={level}, SQLite"
        + (f" ({failed} answers not 200)" if failed else ""),
        f"peak {peak / 1024:.0f} MiB (VmHWM); load took {secs(wall)} over HTTP",
        f"idle after start {idle / 1024:.0f} MiB",
        f"{peak / idle:.2f}x idle" if idle else "n/a",
    )


# -- 8. one response through the in-process runner -------------------------------------------


async def sequential_gets(url: str, calls: int) -> float:
    """Median seconds of one GET /healthz, one after another on a kept-alive connection."""
    times = []
    async with httpx.AsyncClient(base_url=url) as web:
        await web.get("/healthz")
        for _ in range(calls):
            started = time.perf_counter()
            (await web.get("/healthz")).raise_for_status()
            times.append(time.perf_counter() - started)
    return median(times)


async def runner(report: Report, size: Size) -> None:
    """`serving()` (the demo, the tests, the service processes of 4 and 6) against uvicorn
    bound by host and port, as `embloy-ats serve` binds it: the same app, in this process."""
    from embloy_ats.service.app import create_app
    from embloy_ats.service.runner import serving

    calls = size.stored_calls // 10
    resolver = Resolver(store_for("sqlite://:memory:"))
    app = create_app(resolver, TokenService(new_secret(), resolver.store))
    ours, bound = [], []
    for _ in range(size.repeats):
        async with serving(app) as url:
            ours.append(await sequential_gets(url, calls))
        async with uvicorns_own(app) as url:
            bound.append(await sequential_gets(url, calls))
    report.add(
        f"8. one GET /healthz through serving(), {calls} in a row, kept alive",
        us(median(ours)),
        f"uvicorn bound by host and port (as serve) {us(median(bound))}",
        f"{median(ours) / median(bound):.2f}x",
        "<= 1.1x",
    )
    ours, bound = [], []
    for _ in range(size.repeats * 4):
        started = time.perf_counter()
        async with serving(app):
            pass
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        async with uvicorns_own(app):
            pass
        bound.append(time.perf_counter() - started)
    report.add(
        "8. serving() started, then stopped with no connection open",
        us(median(ours)),
        f"uvicorn's own Server.serve, `started` polled every 10 ms, stopped by `should_exit` "
        f"{us(median(bound))}",
        f"{median(ours) / median(bound):.3f}x",
        "",
    )


@contextlib.asynccontextmanager
async def uvicorns_own(app: Any) -> AsyncIterator[str]:
    """uvicorn's own `Server.serve`, bound by host and port as `embloy-ats serve` binds it,
    waited for until `started` (looked at every 10 ms, as `serving()` once did) and stopped
    by `should_exit`, which it notices at its next 0.1 s tick."""
    import uvicorn
    from embloy_ats.logs import server_log_config

    config = uvicorn.Config(app, port=0, log_level="warning", log_config=server_log_config())
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()  # raises why it could not start
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        await task


# -- 9. applications through the outbox --------------------------------------------------------

#: the fake ATS's limit on application POSTs (it answers 429 above it), and its latency.
APPLY_LIMIT = 10
APPLY_LATENCY = 0.05


async def applications(report: Report, size: Size, kind: str) -> None:
    """N applications accepted into the outbox, then delivered by two workers to an ATS
    answering in 50 ms and taking 10 POSTs a second: every one must arrive exactly once,
    and the wall time is held against the rate limit's bound (N / 10 s)."""
    count = size.applications
    ats_process = Child(
        "benchmarks.apply_ats",
        args=("--latency", str(APPLY_LATENCY), "--limit", str(APPLY_LIMIT)),
    )
    ats = RemoteApplyAts(ats_process.url)
    keys = KeyRing([KeyRing.generate()])
    registry = registry_with_apply_ats()
    try:
        with database(kind) as url:
            resolver = Resolver(
                store_for(url), keys=keys, registry=registry,
                http=HttpClient(allow_private_network=True),
            )  # fmt: skip
            stores = [application_store_for(url, keys) for _ in range(2)]
            http = delivery_http_client(allow_private_network=True)
            async with resolver, stores[0], stores[1]:
                await resolver.create_tenant("bench")
                await resolver.set_connection(
                    "bench", APPLY_MODE,
                    {"base_url": ats.url, "submits_per_second": str(APPLY_LIMIT)},
                )  # fmt: skip
                tenant = await resolver.tenant("bench")
                job = await resolver.resolve("bench", APPLY_MODE, APPLY_JOB_ID)
                service = ApplicationService(stores[0], registry=registry)
                forms = [application_form(n) for n in range(count)]
                started = time.perf_counter()
                for fields, files in forms[:20]:
                    validate_answers(job, fields, files)
                validate = (time.perf_counter() - started) / 20
                started = time.perf_counter()
                for fields, files in forms:
                    accepted = await service.accept(tenant.id, job, fields, files)
                    assert isinstance(accepted, Accepted)
                accept = (time.perf_counter() - started) / count
                connectors = StoredConnectors(
                    resolver.store, keys=keys, registry=registry, http=http
                )
                settings = DeliverySettings(poll_interval=0.2)
                workers = [Worker(store, connectors, settings=settings) for store in stores]
                started = time.perf_counter()
                running = [asyncio.create_task(worker.run()) for worker in workers]
                bound = count / APPLY_LIMIT
                give_up = time.perf_counter() + bound * 2 + 60
                delivered = 0
                while time.perf_counter() < give_up:
                    counts = await stores[0].counts()
                    delivered = counts[ApplicationStatus.DELIVERED]
                    if delivered + counts[ApplicationStatus.FAILED] >= count:
                        break
                    await asyncio.sleep(0.2)
                wall = time.perf_counter() - started
                for worker in workers:
                    worker.stop()
                await asyncio.gather(*running)
                await http.aclose()
        stats = await ats.stats()
    finally:
        ats_process.stop()
    label = "SQLite" if kind == "sqlite" else "PostgreSQL"
    lost = count - stats["distinct"]
    report.add(
        f"9. {count} applications, 2 workers, ATS 50 ms and {APPLY_LIMIT} POSTs/s, {label}",
        f"wall {secs(wall)}; {delivered} delivered, {lost} lost, {stats['duplicates']} "
        f"duplicates, {stats['rate_limited']} x 429",
        f"rate-limit bound {secs(bound)} ({count} / {APPLY_LIMIT} per s)",
        f"{wall / bound:.2f}x the bound",
        "all delivered, 0 lost, 0 duplicates",
    )
    report.add(
        f"9. accepting one application (validate, encrypt, store), {label}",
        f"accept {us(accept)}",
        f"validating alone {us(validate)}",
        f"{accept / validate:.1f}x",
    )


def application_form(n: int) -> tuple[dict[str, list[str]], dict[str, list[UploadedFile]]]:
    """Candidate n's answers to the fake ATS's job, with a small PDF resume."""
    pdf = b"%PDF-1.7\n" + bytes(2048) + b"\n%%EOF\n"
    fields = {
        "answer.name": [f"Candidate {n}"],
        "answer.email": [f"candidate{n}@example.org"],
        "answer.permit": ["yes"],
        "answer.languages": ["en", "de"],
        "answer.letter": ["I would like to work here. " * 20],
    }
    return fields, {"answer.resume": [UploadedFile(f"cv-{n}.pdf", "application/pdf", pdf)]}


# -- 10. another process holds the SQLite file's write lock -------------------------------------

#: The other process: takes the write lock, says so, holds it for argv[2] seconds.
_HOLD_WRITE_LOCK = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
print("held", flush=True)
time.sleep(float(sys.argv[2]))
db.execute("ROLLBACK")
"""
WRITE_LOCK_SECONDS = 6.0  # longer than the store's 5 s busy timeout: the write fails


async def timed_get(web: httpx.AsyncClient, url: str) -> float:
    started = time.perf_counter()
    (await web.get(url)).raise_for_status()
    return time.perf_counter() - started


async def write_lock(report: Report, fake: RemoteFake, size: Size) -> None:
    """A candidate applies to an unknown job while another process holds the SQLite file's
    write lock for longer than the store's busy timeout; /healthz is asked every 20 ms
    meanwhile. The baseline is the same, without the lock."""
    await fake.set_faults(Faults())
    secret, keys = new_secret(), KeyRing.generate()
    healthz: dict[bool, list[float]] = {False: [], True: []}
    answers: dict[bool, list[tuple[int, float]]] = {False: [], True: []}
    repeats = min(size.repeats, 3)
    with database("sqlite") as url:
        async with opened(url, fake.url) as (resolver, boards):
            work = await boards.work(2 * repeats)
            tokens = TokenService(secret, resolver.store)
            clients = {}
            for name, _ in work:
                client_token, _ = await tokens.issue_client_token((await resolver.tenant(name)).id)
                clients[name] = await tokens.verify_client_token(client_token)
            request_tokens = [
                tokens.issue_request_token(clients[tenant], MODE, job_id) for tenant, job_id in work
            ]
        service = Child("benchmarks.service_worker", service_env(url, secret, keys))
        try:
            async with load_client(4) as web:
                for n, token in enumerate(request_tokens):
                    locked = n % 2 == 1
                    holder = await asyncio.create_subprocess_exec(
                        sys.executable, "-c", _HOLD_WRITE_LOCK, url.removeprefix("sqlite:///"),
                        str(WRITE_LOCK_SECONDS if locked else 0), stdout=subprocess.PIPE,
                    )  # fmt: skip
                    assert holder.stdout is not None
                    assert await holder.stdout.readline() == b"held\n"
                    if not locked:
                        await holder.wait()
                    started = time.perf_counter()
                    applying = asyncio.create_task(
                        web.post(
                            f"{service.url}/api/v0/sdk/request/handle",
                            headers={"request_token": token},
                        )
                    )
                    answered: float | None = None
                    while time.perf_counter() - started < WRITE_LOCK_SECONDS or answered is None:
                        healthz[locked].append(await timed_get(web, f"{service.url}/healthz"))
                        if answered is None and applying.done():
                            answered = time.perf_counter() - started
                        await asyncio.sleep(0.02)
                    answers[locked].append(((await applying).status_code, answered))
                    await holder.wait()
        finally:
            service.stop()

    def seen(locked: bool) -> str:
        times = healthz[locked]
        statuses = ", ".join(f"HTTP {code} after {secs(after)}" for code, after in answers[locked])
        return (
            f"/healthz median {median(times) * 1e3:.1f} ms, max {max(times) * 1e3:.0f} ms "
            f"({len(times)} asked); the candidate: {statuses}"
        )

    report.add(
        f"10. another process holds the SQLite write lock {WRITE_LOCK_SECONDS:g} s (busy "
        f"timeout 5 s) while a candidate applies to an unknown job, x{repeats}",
        seen(locked=True),
        f"the same without the lock: {seen(locked=False)}",
        f"{max(healthz[True]) / max(healthz[False]):.1f}x the max without the lock",
        "no stall; HTTP 200",
    )


# -- 11. the database ends every pooled session ----------------------------------------------------


def end_sessions(url: str, application_name: str) -> int:
    with psycopg.connect(url, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            (application_name,),
        ).fetchall()
    return sum(1 for (ended,) in rows if ended)


async def failure_of(resolver: Resolver, tenant: str, job_id: str) -> str | None:
    """What a candidate would see go wrong, if anything (a gone job is a plain 404)."""
    try:
        await resolver.resolve(tenant, MODE, job_id)
    except JobNotFound:
        return None
    except Exception as exc:  # noqa: BLE001 - counted, by kind
        return type(exc).__name__
    return None


async def session_drop(report: Report, fake: RemoteFake, size: Size) -> None:
    """What a restart, a failover or an idle timeout does to the pool: every session ended
    (`pg_terminate_backend`), then 60 resolves: 20 stored jobs (lookups), 20 unknown (lock,
    lookup, upsert) and 20 the ATS says are gone (lock, lookup, miss written)."""
    await fake.set_faults(Faults())
    name = f"bench-drop-{uuid.uuid4().hex[:8]}"
    for together in (True, False):
        failed: Counter[str] = Counter()
        ended: list[int] = []
        total = 0
        with database("postgres") as url:
            store = PostgresStore(f"{url}&application_name={name}")
            resolver = Resolver(store, http=HttpClient(allow_private_network=True))
            await resolver.open()
            try:
                boards = Boards(resolver, fake.url)
                for repeat in range(size.repeats):
                    stored = await boards.work(20, first_id=1)
                    unknown = await boards.work(20, first_id=1)
                    gone_tenant = f"gone{repeat}"
                    await resolver.create_tenant(gone_tenant)
                    await resolver.set_connection(
                        gone_tenant, MODE, {"board_token": gone_tenant, "base_url": fake.url}
                    )
                    gone = [(gone_tenant, str(n)) for n in range(1, 21)]
                    await asyncio.gather(*(resolver.resolve(t, MODE, j) for t, j in stored))
                    await asyncio.sleep(0.2)  # the unlocks after the answers are done
                    ended.append(end_sessions(url, name))
                    calls = [*stored, *unknown, *gone]
                    total += len(calls)
                    if together:
                        outcomes = await asyncio.gather(
                            *(failure_of(resolver, t, j) for t, j in calls)
                        )
                    else:
                        outcomes = [await failure_of(resolver, t, j) for t, j in calls]
                    failed.update(outcome for outcome in outcomes if outcome is not None)
            finally:
                await resolver.close()
        errors = ", ".join(f"{n} x {kind}" for kind, n in failed.most_common())
        report.add(
            "11. PostgreSQL: every pooled session ended, then 60 resolves "
            f"{'at once' if together else 'one after another'} (20 stored, 20 unknown, "
            f"20 gone), x{size.repeats}",
            f"{sum(failed.values())} failed ({errors or 'none'}); sessions ended per drop: "
            f"{median([float(n) for n in ended]):.0f}",
            f"{total} resolves",
            f"{sum(failed.values()) / total:.3f} failures per resolve",
            "0",
        )


# -- 10. reading the apply form ------------------------------------------------------------


async def apply_form(report: Report, size: Size) -> None:
    """What reading an application form costs (`read_apply_form`: multipart parsed as it
    streams, each part capped, the file kept in memory) against Starlette's own form reader
    (`request.form()`: no cap on file parts, spooled to a temporary file past 1 MiB, read
    back here), for a form with a 9 MiB file and one with a 100 KiB file."""
    from starlette.datastructures import Headers, UploadFile
    from starlette.formparsers import MultiPartParser

    caps = FormCaps.of(Limits())
    boundary = b"b0undary"
    for label, file_size in (("9 MiB", 9 * 1024 * 1024), ("100 KiB", 100 * 1024)):
        body = _multipart(boundary, file_size)
        chunks = [body[i : i + 65536] for i in range(0, len(body), 65536)]
        headers = {"content-type": f"multipart/form-data; boundary={boundary.decode()}",
                   "content-length": str(len(body))}  # fmt: skip
        ours: list[float] = []
        theirs: list[float] = []
        for _ in range(size.repeats * 4):
            started = time.perf_counter()
            form = await read_apply_form(headers, _chunks(chunks), caps)
            ours.append(time.perf_counter() - started)
            assert len(form.files["answer.resume"][0].data) == file_size
            started = time.perf_counter()
            parsed = await MultiPartParser(Headers(headers), _chunks(chunks)).parse()
            upload = parsed["answer.resume"]
            assert isinstance(upload, UploadFile)
            data = await upload.read()
            theirs.append(time.perf_counter() - started)
            await parsed.close()
            assert len(data) == file_size
        report.add(
            f"12. reading an apply form with a {label} file (multipart, capped as it streams)",
            f"read_apply_form {us(median(ours))}",
            f"Starlette's request.form() {us(median(theirs))}",
            f"{median(ours) / median(theirs):.2f}x",
        )


async def _chunks(chunks: list[bytes]) -> AsyncGenerator[bytes, None]:
    for chunk in chunks:
        yield chunk


def _multipart(boundary: bytes, file_size: int) -> bytes:
    fields, _ = application_form(0)
    parts = [
        b"--" + boundary + b'\r\nContent-Disposition: form-data; name="' + name.encode()
        + b'"\r\n\r\n' + value.encode() + b"\r\n"
        for name, values in fields.items()
        for value in values
    ]  # fmt: skip
    parts.append(
        b"--" + boundary + b'\r\nContent-Disposition: form-data; name="answer.resume"; '
        b'filename="cv.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
        + b"%" * file_size + b"\r\n"
    )  # fmt: skip
    return b"".join(parts) + b"--" + boundary + b"--\r\n"


# -- the machine ------------------------------------------------------------------------------


# -- 7. request token check --------------------------------------------------------------------


async def token_check(report: Report, size: Size, kind: str) -> None:
    """What checking a request token's client token costs: remembered for 5 s (the service's
    default), or read from the store on every request, against the signature check alone."""
    secret = new_secret()
    times: dict[str, list[float]] = {"signature": [], "remembered": [], "every": []}
    with database(kind) as url:
        store = store_for(url)
        await store.open()
        try:
            tenant = await store.create_tenant("bench", now=time.time())
            remembered = TokenService(secret, store)
            every = TokenService(secret, store, revocation_check_seconds=0)
            client_token, _ = await remembered.issue_client_token(tenant.id, days=1)
            token = remembered.issue_request_token(
                await remembered.verify_client_token(client_token), MODE, "1"
            )

            async def signature() -> None:
                # All a request token's check did before it looked at its client token.
                remembered._decode("request", token)

            checks: dict[str, Callable[[], Awaitable[Any]]] = {
                "signature": signature,
                "remembered": partial(remembered.verify_request_token, token),
                "every": partial(every.verify_request_token, token),
            }
            for _ in range(size.repeats):
                for name, check in checks.items():
                    started = time.perf_counter()
                    for _ in range(size.stored_calls):
                        await check()
                    times[name].append((time.perf_counter() - started) / size.stored_calls)
        finally:
            await store.close()
    label = "SQLite" if kind == "sqlite" else "PostgreSQL"
    signed, kept, read = (median(times[name]) for name in ("signature", "remembered", "every"))
    report.add(
        f"7. request token check, client token remembered 5 s, {label}",
        f"verify {us(kept)}",
        f"signature and claims alone {us(signed)}",
        f"{kept / signed:.2f}x",
    )
    report.add(
        f"7. same, client token read on every request, {label}",
        f"verify {us(read)}",
        f"remembered 5 s {us(kept)}",
        f"{read / kept:.2f}x",
    )


# -- 14. the service's two operations against a minimal app ------------------------------------

#: concurrent connections of row 14: partner backends or candidates' browsers at once.
SERVICE_LEVEL = 16
#: another checkout (with its own `.venv`) whose service row 14 measures too, e.g. the
#: commit before a change: its figures then come from the same run.
BEFORE_ENV = "EMBLOY_ATS_BENCH_BEFORE"


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the process has used, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def under_load(
    service: Child, post: Callable[[], Awaitable[httpx.Response]], calls: int
) -> tuple[float, float]:
    """Wall and service CPU seconds per call of `calls` posts, SERVICE_LEVEL at a time."""
    spent, started = cpu_seconds(service.pid), time.perf_counter()
    answers = await bounded(SERVICE_LEVEL, [post] * calls)
    wall, cpu = time.perf_counter() - started, cpu_seconds(service.pid) - spent
    if any(answer.status_code != 200 for answer in answers):
        raise RuntimeError(f"{service.url} answered other than 200")
    return wall / calls, cpu / calls


async def service_ops(report: Report, fake: RemoteFake, size: Size, kind: str) -> None:
    """The partner's token exchange and the candidate's landing on a stored job, each at
    C=16 against one service process, beside a minimal FastAPI app answering the same
    bytes through the same `serving()`. CPU time is the service process's own; the load
    generator shares the 2 cores, so it is the steadier figure."""
    from benchmarks.minimal_service import HANDLE_PATH, TOKEN_PATH

    await fake.set_faults(Faults())
    secret, keys = new_secret(), KeyRing.generate()
    job_id = "1"
    with database(kind) as url, tempfile.TemporaryDirectory() as folder:
        async with opened(url, fake.url) as (resolver, boards):
            (tenant,) = await boards.tenants(1)
            await resolver.resolve(tenant, MODE, job_id)  # the job is stored
            tokens = TokenService(secret, resolver.store)
            tenant_id = (await resolver.tenant(tenant)).id
            client_token, _ = await tokens.issue_client_token(tenant_id, days=1)
        env = service_env(url, secret, keys)
        services = {"this": Child("benchmarks.service_worker", env)}
        before = os.environ.get(BEFORE_ENV)
        try:
            if before:
                services["before"] = Child("benchmarks.service_worker", env, checkout=Path(before))
            async with load_client(SERVICE_LEVEL) as web:
                form = {"mode": MODE, "job_slug": job_id}
                ours = services["this"].url
                exchange = await web.post(
                    ours + TOKEN_PATH, headers={"client_token": client_token}, data=form
                )
                landing = await web.post(
                    ours + HANDLE_PATH,
                    headers={"request_token": exchange.raise_for_status().json()["request_token"]},
                )
                bodies = []
                for name, answer in (("token", exchange), ("handle", landing.raise_for_status())):
                    bodies.append(Path(folder, f"{name}.json"))
                    bodies[-1].write_bytes(answer.content)
                services["minimal"] = Child("benchmarks.minimal_service", args=map(str, bodies))
                ops: dict[str, tuple[str, dict[str, str], dict[str, str] | None]] = {
                    "token": (TOKEN_PATH, {"client_token": client_token}, form),
                    "handle": (
                        HANDLE_PATH,
                        {"request_token": landing.request.headers["request_token"]},
                        None,
                    ),
                }
                cpu: dict[tuple[str, str], list[float]] = {}
                wall: dict[tuple[str, str], list[float]] = {}
                for repeat in range(size.repeats + 1):  # the first round warms up
                    sides = list(services)
                    for side in sides[repeat % len(sides) :] + sides[: repeat % len(sides)]:
                        for op, (path, headers, data) in ops.items():
                            post = partial(
                                web.post, services[side].url + path, headers=headers, data=data
                            )
                            calls = size.stored_calls if repeat else SERVICE_LEVEL * 4
                            per_call = await under_load(services[side], post, calls)
                            if repeat:
                                wall.setdefault((side, op), []).append(per_call[0])
                                cpu.setdefault((side, op), []).append(per_call[1])
        finally:
            for service in services.values():
                service.stop()
    label = "SQLite" if kind == "sqlite" else "PostgreSQL"
    names = {"token": "token exchange (client token -> request token)",
             "handle": "handle of a stored job (request token verified)"}  # fmt: skip

    def figure(side: str, op: str) -> str:
        key = (side, op)
        return f"{us(median(cpu[key]))} CPU, {1 / median(wall[key]):,.0f} req/s"

    def ratio(side: str, op: str) -> str:
        per_cpu = [a / b for a, b in zip(cpu[side, op], cpu["minimal", op], strict=True)]
        per_wall = [a / b for a, b in zip(wall[side, op], wall["minimal", op], strict=True)]
        return f"{median(per_cpu):.2f}x CPU ({median(per_wall):.2f}x wall)"

    for op, name in names.items():
        baseline = "a minimal FastAPI app answering the stored JSON, same serving(): " + figure(
            "minimal", op
        )
        report.add(
            f"14. service, {name}, C={SERVICE_LEVEL}, {label}",
            f"per request: {figure('this', op)}",
            baseline,
            ratio("this", op),
            "<= 2x",
        )
        if before:
            report.add(
                f"14. same, {BEFORE_ENV}={before}",
                f"per request: {figure('before', op)}",
                baseline,
                ratio("before", op),
            )


def timed_process(command: Sequence[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one process run to its end."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, check=True)  # noqa: S603 - fixed commands
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def cli_fetch(report: Report, size: Size, pythons: Sequence[str]) -> None:
    """`embloy-ats fetch greenhouse <id> --json` from the fake ATS, a new process each time,
    against `python -c "import httpx"` on the same interpreter: what starting the command
    costs beyond the HTTP library it is built on. Each interpreter (this checkout's, or
    another checkout's with `--cli-python`) runs every command once per round, interleaved,
    so all see the same load; medians of the rounds. Twice: as this environment runs
    (PYTHONDONTWRITEBYTECODE as set; without bytecode every start compiles the sources),
    and with bytecode cached in a fresh PYTHONPYCACHEPREFIX (what an install that may
    write it sees from its second run on). Its own fake ATS, which lives as long as the
    rounds may take on a loaded machine."""
    rounds = 4 * size.repeats
    fake = Child("benchmarks.fake_ats", lifetime=3600)
    try:
        cli_rounds(report, fake.url, rounds, pythons)
    finally:
        fake.stop()


#: the third-party work no `fetch` on this stack can do without, and nothing of ours: httpx,
#: pydantic, typer, httpx's TLS context and one GET of the job through httpcore's pool on
#: asyncio (no validation, no output). Formatted with the fake ATS's URL.
STACK_ALONE = """
import asyncio, httpcore, httpx, pydantic, typer
httpx.create_ssl_context()
async def main():
    async with httpcore.AsyncConnectionPool() as pool:
        await pool.request("GET", "{url}/v1/boards/bench13/jobs/7?questions=true")
asyncio.run(main())
"""


def cli_rounds(report: Report, ats_url: str, rounds: int, pythons: Sequence[str]) -> None:
    job = ["greenhouse", "7", "--setting", "board_token=bench13", "--setting"]
    commands = {
        "httpx": ["-c", "import httpx"],
        "fetch": ["fetch", *job, f"base_url={ats_url}", "--json"],
        "stack": ["-c", STACK_ALONE.format(url=ats_url)],
        "cli": ["-c", "import embloy_ats.cli"],
        "help": ["--help"],
        "connectors": ["connectors", "--json"],
    }
    base_env = {**os.environ, "EMBLOY_ATS_ALLOW_PRIVATE_NETWORK": "1"}
    for cached in (False, True):
        with tempfile.TemporaryDirectory() as pycache:
            env = dict(base_env)
            if cached:
                env.pop("PYTHONDONTWRITEBYTECODE", None)
                env["PYTHONPYCACHEPREFIX"] = pycache
            times: dict[tuple[str, str], list[tuple[float, float]]] = {
                (python, name): [] for python in pythons for name in commands
            }
            for round_ in range(rounds + 1):  # the first round warms the caches, uncounted
                for python in [*pythons[round_ % 2 :], *pythons[: round_ % 2]]:
                    script = str(Path(python).with_name("embloy-ats"))  # the venv's command
                    for name, args in commands.items():
                        program = python if args[0] == "-c" else script
                        measured = timed_process([program, *args], env)
                        if round_:
                            times[python, name].append(measured)
            for python in pythons:
                walls = {name: median([w for w, _ in times[python, name]]) for name in commands}
                cpus = {name: median([c for _, c in times[python, name]]) for name in commands}
                where = f"{python}, " + ("bytecode cached" if cached else "as set up here")
                httpx_time = f"{secs(walls['httpx'])} wall, {secs(cpus['httpx'])} CPU"
                for name, what in (
                    (
                        "fetch",
                        "13. `embloy-ats fetch <mode> <id> --json` wall time, from a local ATS",
                    ),
                    ("stack", "13. same, the stack alone (httpx, pydantic, typer, TLS, one GET)"),
                    ("cli", "13. same, `import embloy_ats.cli` alone"),
                    ("help", "13. same, `embloy-ats --help`"),
                    ("connectors", "13. same, `embloy-ats connectors --json`"),
                ):
                    report.add(
                        f"{what} ({where})",
                        f"{secs(walls[name])} wall, {secs(cpus[name])} CPU",
                        f'`python -c "import httpx"`, same interpreter: {httpx_time}',
                        f"{walls[name] / walls['httpx']:.2f}x wall, "
                        f"{cpus[name] / cpus['httpx']:.2f}x CPU",
                        "<= 2x" if name == "fetch" else "",
                    )


def machine() -> list[str]:
    def run(*command: str) -> str:
        try:
            return subprocess.run(  # noqa: S603 - fixed commands
                command, capture_output=True, text=True, timeout=10, check=False
            ).stdout.strip()
        except OSError:
            return "?"

    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = run("free", "-h").splitlines()
    packages = [
        "embloy-ats",
        "httpx",
        "httpcore",
        "aiohttp",
        "pydantic",
        "psycopg",
        "uvicorn",
        "fastapi",
    ]
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in packages)
    pg = "unreachable"
    with contextlib.suppress(psycopg.Error), psycopg.connect(PG_URL, connect_timeout=3) as conn:
        row = conn.execute("SHOW server_version").fetchone()
        pg = str(row[0]) if row else "?"
    return [
        f"- nproc: {run('nproc')}",
        f"- memory (`free -h`): {memory[1] if len(memory) > 1 else '?'}",
        f"- CPU: {cpu}",
        f"- OS: {platform.platform()}",
        f"- Python {platform.python_version()}; {versions}; stamina {metadata.version('stamina')}",
        f"- PostgreSQL {pg} on 127.0.0.1:5432; SQLite {__import__('sqlite3').sqlite_version}",
    ]


BENCHMARKS = (
    "overhead", "stored", "concurrency", "herd", "storm", "memory", "tokens", "runner",
    "applications", "write_lock", "session_drop", "form", "service", "latency", "cli",
)  # fmt: skip


async def run(size: Size, only: set[str], pythons: Sequence[str]) -> Report:
    report = Report()
    has_pg = postgres_reachable()
    if not has_pg:
        report.notes.append(f"PostgreSQL at {PG_URL} was unreachable: its rows are missing.")
    stores = ["sqlite", "postgres"] if has_pg else ["sqlite"]
    fake_process = Child("benchmarks.fake_ats")
    fake = RemoteFake(fake_process.url)
    try:
        if "overhead" in only:
            for kind in stores:
                await overhead(report, fake, size, kind, 0.0)
            if size is FULL:
                await overhead(report, fake, size, "sqlite", 0.05)
        if "latency" in only:  # row 1 with an ATS 20 ms away: the store's share of the wait
            for kind in stores:
                await overhead(report, fake, size, kind, 0.02)
        if "stored" in only:
            for kind in stores:
                await stored(report, fake, size, kind)
        if "concurrency" in only:
            for kind in stores:
                await concurrency(report, fake, size, kind)
        if "herd" in only and has_pg:
            await herd(report, fake, size)
        if "storm" in only:
            await storm(report, fake, size)  # real backoff and Retry-After waits
        if "memory" in only:
            await memory(report, fake, size)
        if "tokens" in only:
            for kind in stores:
                await token_check(report, size, kind)
        if "runner" in only:
            await runner(report, size)
        if "applications" in only:
            for kind in stores:
                await applications(report, size, kind)
        if "write_lock" in only:
            await write_lock(report, fake, size)
        if "session_drop" in only and has_pg:
            await session_drop(report, fake, size)
        if "form" in only:
            await apply_form(report, size)
        if "service" in only:
            for kind in stores:
                await service_ops(report, fake, size, kind)
        if "cli" in only:
            cli_fetch(report, size, pythons)
    finally:
        fake_process.stop()
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="embloy-ats benchmarks (prints markdown).")
    parser.add_argument("--quick", action="store_true", help="fewer repeats, smaller loads")
    parser.add_argument("--only", nargs="*", choices=BENCHMARKS, default=list(BENCHMARKS))
    parser.add_argument(
        "--cli-python",
        action="append",
        help="an interpreter whose `embloy-ats` row 13 times, repeatable (default: this one)",
    )
    args = parser.parse_args(argv)
    size = QUICK if args.quick else FULL
    logging.getLogger("stamina").setLevel(logging.ERROR)  # the storm retries on purpose
    started = time.perf_counter()
    report = asyncio.run(run(size, set(args.only), args.cli_python or [sys.executable]))
    mode = "--quick" if args.quick else "full"
    print(f"## embloy-ats benchmarks ({mode}, {size.repeats} repeats, medians)\n")
    print(report.table())
    for note in report.notes:
        print(f"Note: {note}\n")
    print("Machine:\n")
    print("\n".join(machine()))
    print(f"\n(ran in {time.perf_counter() - started:.0f} s)")
