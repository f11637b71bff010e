"""The resolver on both stores: freshness, single-flight, negative cache, tenants, crypto."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from embloy_ats import (
    AuthenticationFailed,
    ConfigurationError,
    HttpClient,
    InvalidJobId,
    JobNotFound,
    PayloadError,
    RateLimited,
    Registry,
    UpstreamUnavailable,
)
from embloy_ats.crypto import CredentialsUnreadable, KeyRing
from embloy_ats.resolver import FreshnessPolicy, JobFetched, JobGone, NoConnection, Resolver
from embloy_ats.store import Store, UnknownTenant
from prometheus_client import REGISTRY, generate_latest

from tests.resolver.conftest import ManualClock

JOB = {"id": "7", "title": "Backend Engineer", "status": "open", "description": "<p>Go</p>"}


class Upstream:
    """A fake ATS whose answer can change mid-test; remembers every request."""

    def __init__(self) -> None:
        self.answer: httpx.Response | Exception = httpx.Response(200, json=JOB)
        self.delay = 0.0
        self.requests: list[httpx.Request] = []


def upstream_client(upstream: Upstream, clock: ManualClock) -> HttpClient:
    async def handler(request: httpx.Request) -> httpx.Response:
        upstream.requests.append(request)
        if upstream.delay:
            await asyncio.sleep(upstream.delay)
        answer = upstream.answer
        if isinstance(answer, Exception):
            raise answer
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)

    return HttpClient(transport=httpx.MockTransport(handler), clock=clock)


@pytest.fixture
def upstream() -> Upstream:
    return Upstream()


@pytest.fixture
def first_key() -> str:
    return KeyRing.generate()


@pytest.fixture
def keys(first_key: str) -> KeyRing:
    return KeyRing([first_key])


@pytest.fixture
async def resolver(
    store: Store, registry: Registry, clock: ManualClock, upstream: Upstream, keys: KeyRing
) -> Any:
    r = Resolver(
        store,
        keys=keys,
        registry=registry,
        http=upstream_client(upstream, clock),
        clock=clock,
        policy=FreshnessPolicy(max_age=600, stale_if_error=3600, negative_ttl=60, failure_ttl=5),
    )
    await r.open()
    await r.create_tenant("acme")
    await r.set_connection("acme", "fake", {"account": "acme"}, {"api_key": "s3cr3t-key-acme"})
    yield r
    await r.close()


async def test_first_resolve_fetches_then_the_store_answers(
    resolver: Resolver, upstream: Upstream
) -> None:
    first = await resolver.resolve_detailed("acme", "fake", "7")
    second = await resolver.resolve_detailed("acme", "fake", "7")
    assert (first.source, second.source) == ("upstream", "store")
    assert second.job == first.job
    assert first.job.slug == "fake__7"
    assert first.job.title == "Backend Engineer"
    assert len(upstream.requests) == 1
    assert upstream.requests[0].headers["Authorization"].startswith("Basic ")


async def test_tenant_by_id_or_name(resolver: Resolver) -> None:
    tenant = await resolver.tenant("acme")
    job = await resolver.resolve(tenant.id, "fake", "7")
    assert [j.slug for j in await resolver.jobs("acme")] == [job.slug]


async def test_hundred_concurrent_resolves_make_one_upstream_request(
    resolver: Resolver, upstream: Upstream
) -> None:
    upstream.delay = 0.05
    jobs = await asyncio.gather(*(resolver.resolve("acme", "fake", "7") for _ in range(100)))
    assert len(upstream.requests) == 1
    assert {job.slug for job in jobs} == {"fake__7"}


async def test_followers_get_the_leaders_error(resolver: Resolver, upstream: Upstream) -> None:
    upstream.delay = 0.05
    upstream.answer = httpx.Response(404)
    outcomes = await asyncio.gather(
        *(resolver.resolve("acme", "fake", "7") for _ in range(50)), return_exceptions=True
    )
    assert all(isinstance(o, JobNotFound) for o in outcomes)
    assert len(upstream.requests) == 1


async def test_a_cancelled_caller_does_not_cancel_the_shared_fetch(
    resolver: Resolver, upstream: Upstream
) -> None:
    upstream.delay = 0.05
    impatient = asyncio.create_task(resolver.resolve("acme", "fake", "7"))
    patient = asyncio.create_task(resolver.resolve("acme", "fake", "7"))
    await asyncio.sleep(0.01)
    impatient.cancel()
    assert (await patient).title == "Backend Engineer"
    assert len(upstream.requests) == 1


async def test_stale_job_is_refetched(
    resolver: Resolver, upstream: Upstream, clock: ManualClock
) -> None:
    await resolver.resolve("acme", "fake", "7")
    clock.advance(599)
    assert (await resolver.resolve_detailed("acme", "fake", "7")).source == "store"
    clock.advance(2)
    upstream.answer = httpx.Response(200, json=JOB | {"title": "Senior Backend Engineer"})
    refreshed = await resolver.resolve_detailed("acme", "fake", "7")
    assert refreshed.source == "upstream"
    assert refreshed.job.title == "Senior Backend Engineer"
    assert len(upstream.requests) == 2


@pytest.mark.parametrize(
    "failure",
    [
        httpx.Response(503),
        httpx.Response(429, headers={"Retry-After": "0"}),
        httpx.ConnectError("x"),
    ],
)
async def test_stale_if_error_serves_the_stored_job_flagged(
    resolver: Resolver, upstream: Upstream, clock: ManualClock, failure: Any
) -> None:
    await resolver.resolve("acme", "fake", "7")
    clock.advance(1000)  # past max_age, inside stale_if_error
    upstream.answer = failure
    resolution = await resolver.resolve_detailed("acme", "fake", "7")
    assert resolution.stale
    assert resolution.age == pytest.approx(1000)
    assert resolution.job.title == "Backend Engineer"


async def test_stale_if_error_is_bounded(
    resolver: Resolver, upstream: Upstream, clock: ManualClock
) -> None:
    await resolver.resolve("acme", "fake", "7")
    clock.advance(600 + 3600 + 1)
    upstream.answer = httpx.Response(503)
    with pytest.raises(UpstreamUnavailable):
        await resolver.resolve("acme", "fake", "7")


async def test_auth_failure_is_not_hidden_by_a_stale_job(
    resolver: Resolver, upstream: Upstream, clock: ManualClock
) -> None:
    await resolver.resolve("acme", "fake", "7")
    clock.advance(1000)
    upstream.answer = httpx.Response(401)
    with pytest.raises(AuthenticationFailed):
        await resolver.resolve("acme", "fake", "7")


async def test_gone_jobs_are_remembered_for_the_negative_ttl(
    resolver: Resolver, upstream: Upstream, clock: ManualClock
) -> None:
    upstream.answer = httpx.Response(404)
    for _ in range(5):
        with pytest.raises(JobNotFound):
            await resolver.resolve("acme", "fake", "7")
    assert len(upstream.requests) == 1
    clock.advance(61)
    upstream.answer = httpx.Response(200, json=JOB)
    assert (await resolver.resolve_detailed("acme", "fake", "7")).source == "upstream"
    assert len(upstream.requests) == 2


async def test_transient_failures_are_remembered_briefly(
    resolver: Resolver, upstream: Upstream, clock: ManualClock
) -> None:
    upstream.answer = httpx.Response(429, headers={"Retry-After": "8"})
    with pytest.raises(RateLimited):
        await resolver.resolve("acme", "fake", "7")
    calls = len(upstream.requests)
    with pytest.raises(RateLimited) as again:
        await resolver.resolve("acme", "fake", "7")
    assert again.value.retry_after == 8.0
    assert len(upstream.requests) == calls
    clock.advance(9)
    upstream.answer = httpx.Response(200, json=JOB)
    assert (await resolver.resolve("acme", "fake", "7")).title == "Backend Engineer"


async def test_events_report_fetched_and_gone(resolver: Resolver, upstream: Upstream) -> None:
    events: list[Any] = []

    async def async_subscriber(event: Any) -> None:
        events.append(event)

    def broken_subscriber(event: Any) -> None:
        raise RuntimeError("subscribers never break a resolve")

    resolver.subscribe(async_subscriber)
    resolver.subscribe(broken_subscriber)
    await resolver.resolve("acme", "fake", "7")
    upstream.answer = httpx.Response(200, json=JOB | {"id": "8", "status": "closed"})
    closed = await resolver.resolve("acme", "fake", "8")
    upstream.answer = httpx.Response(404)
    with pytest.raises(JobNotFound):
        await resolver.resolve("acme", "fake", "9")
    assert [type(e).__name__ for e in events] == ["JobFetched", "JobFetched", "JobGone", "JobGone"]
    assert isinstance(events[0], JobFetched)
    assert events[0].job.slug == "fake__7"
    assert closed.status == "closed"
    assert events[2] == JobGone(events[2].tenant_id, "fake", "8", "closed")
    assert events[3].reason == "not_found"


async def test_tenant_isolation(resolver: Resolver, upstream: Upstream) -> None:
    await resolver.resolve("acme", "fake", "7")
    await resolver.create_tenant("globex")
    with pytest.raises(NoConnection):
        await resolver.resolve("globex", "fake", "7")
    assert len(upstream.requests) == 1
    assert await resolver.jobs("globex") == []
    await resolver.set_connection("globex", "fake", {"account": "globex"}, {"api_key": "other"})
    await resolver.resolve("globex", "fake", "7")
    assert len(upstream.requests) == 2, "globex fetched through its own connection"
    assert upstream.requests[1].url.path == "/accounts/globex/jobs/7"
    with pytest.raises(UnknownTenant):
        await resolver.resolve("initech", "fake", "7")


async def test_bad_input_is_refused_before_anything(resolver: Resolver, upstream: Upstream) -> None:
    with pytest.raises(InvalidJobId):
        await resolver.resolve("acme", "fake", "../7")
    with pytest.raises(ConfigurationError, match="no connector is installed"):
        await resolver.resolve("acme", "nope", "7")
    with pytest.raises(ConfigurationError, match="account"):
        await resolver.set_connection("acme", "fake", {"account": "a/b"})
    with pytest.raises(ConfigurationError, match="already exists"):
        await resolver.create_tenant("acme")
    assert upstream.requests == []


async def test_a_payload_failure_stores_nothing(
    resolver: Resolver, upstream: Upstream, store: Store
) -> None:
    upstream.answer = httpx.Response(200, content=b'{"id": "7", "title": "Trunc')
    with pytest.raises(PayloadError):
        await resolver.resolve("acme", "fake", "7")
    tenant = await resolver.tenant("acme")
    assert await store.get_job(tenant.id, "fake", "7") is None


async def test_a_failure_half_way_through_storing_leaves_no_partial_job(
    resolver: Resolver,
    store: Store,
    store_url: str,
    upstream: Upstream,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A trigger fails the second statement of put_job: the first must roll back too. The
    candidate gets the fetched job all the same, and the log says it was not stored."""
    tenant = await resolver.tenant("acme")
    upstream.answer = httpx.Response(404)
    with pytest.raises(JobNotFound):
        await resolver.resolve("acme", "fake", "7")  # leaves a miss row for put_job to delete
    clock.advance(61)
    upstream.answer = httpx.Response(200, json=JOB)
    if store_url.startswith("sqlite"):
        db = sqlite3.connect(store_url.removeprefix("sqlite:///"))
        db.execute(
            "CREATE TRIGGER boom BEFORE DELETE ON job_misses "
            "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
        )
        db.commit()
        db.close()
        error = "IntegrityError"
    else:
        with psycopg.connect(store_url, autocommit=True) as conn:
            conn.execute(
                "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'disk on fire'; END $$"
            )
            conn.execute(
                "CREATE TRIGGER boom BEFORE DELETE ON job_misses "
                "FOR EACH STATEMENT EXECUTE FUNCTION boom()"
            )
        error = "RaiseException"
    with caplog.at_level(logging.WARNING):
        resolution = await resolver.resolve_detailed("acme", "fake", "7")
    assert (resolution.source, resolution.job.title) == ("upstream", "Backend Engineer")
    (warning,) = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert warning.getMessage() == "a fetched job is answered but not stored: the store failed"
    assert warning.__dict__["error"] == error
    assert await store.get_job(tenant.id, "fake", "7") is None
    assert await store.get_miss(tenant.id, "fake", "7") is not None


async def test_credentials_are_encrypted_at_rest(resolver: Resolver, store_url: str) -> None:
    await resolver.resolve("acme", "fake", "7")
    if store_url.startswith("sqlite"):
        path = Path(store_url.removeprefix("sqlite:///"))
        await resolver.store.close()
        dump = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        await resolver.store.open()
    else:
        with psycopg.connect(store_url) as conn:
            rows = conn.execute(
                "SELECT settings, credentials::text, encode(credentials, 'escape') FROM connections"
            ).fetchall()
        dump = json.dumps(rows).encode()
    assert b"s3cr3t-key-acme" not in dump
    assert b"acme" in dump  # the settings are there, so the dump was read


async def test_key_rotation_reencrypts_and_old_keys_can_go(
    resolver: Resolver,
    store: Store,
    registry: Registry,
    clock: ManualClock,
    upstream: Upstream,
    first_key: str,
) -> None:
    new_key = KeyRing.generate()
    both = KeyRing([new_key, first_key])
    rotating = Resolver(store, keys=both, registry=registry, clock=clock,
                        http=upstream_client(upstream, clock))  # fmt: skip
    assert await rotating.rotate_credentials() == 1
    only_new = Resolver(store, keys=KeyRing([new_key]), registry=registry, clock=clock,
                        http=upstream_client(upstream, clock))  # fmt: skip
    job = await only_new.resolve("acme", "fake", "7")
    assert job.title == "Backend Engineer"
    assert upstream.requests[-1].headers["Authorization"].startswith("Basic ")


async def test_a_tampered_credential_is_a_clear_error(
    resolver: Resolver, store: Store, upstream: Upstream
) -> None:
    tenant = await resolver.tenant("acme")
    connection = await store.get_connection(tenant.id, "fake")
    assert connection is not None
    assert connection.credentials is not None
    tampered = bytearray(connection.credentials)
    tampered[20] ^= 1
    from embloy_ats.store import StoredConnection

    await store.put_connection(
        StoredConnection(tenant.id, "fake", connection.settings, bytes(tampered), 1.0)
    )
    with pytest.raises(CredentialsUnreadable) as caught:
        await resolver.resolve("acme", "fake", "7")
    assert "cannot be decrypted" in str(caught.value)
    assert upstream.requests == []


async def test_credentials_need_a_key(store: Store, registry: Registry) -> None:
    keyless = Resolver(store, registry=registry)
    await keyless.create_tenant("acme")
    with pytest.raises(ConfigurationError, match="encryption key"):
        await keyless.set_connection("acme", "fake", {}, {"api_key": "k"})
    await keyless.set_connection("acme", "fake", {})  # no credentials: no key needed


async def test_logs_and_metrics(
    resolver: Resolver, upstream: Upstream, caplog: pytest.LogCaptureFixture
) -> None:
    def sample(name: str, **labels: str) -> float:
        return REGISTRY.get_sample_value(name, labels) or 0.0

    before_store = sample("embloy_ats_resolves_total", connector="fake", outcome="store")
    before_ok = sample("embloy_ats_upstream_fetches_total", connector="fake", result="ok")
    with caplog.at_level(logging.DEBUG):
        await resolver.resolve("acme", "fake", "7")
        await resolver.resolve("acme", "fake", "7")
    assert (
        sample("embloy_ats_resolves_total", connector="fake", outcome="store") == before_store + 1
    )
    assert (
        sample("embloy_ats_upstream_fetches_total", connector="fake", result="ok") == before_ok + 1
    )
    assert "job fetched" in caplog.text
    every_field = " ".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "s3cr3t-key-acme" not in every_field


async def test_every_resolve_is_counted_and_timed_once_by_its_outcome(
    resolver: Resolver, upstream: Upstream
) -> None:
    outcomes = ("upstream", "store", "negative", "error")

    def seen() -> dict[str, tuple[float, ...]]:
        return {
            outcome: tuple(
                REGISTRY.get_sample_value(name, {"connector": "fake", "outcome": outcome}) or 0.0
                for name in ("embloy_ats_resolves_total", "embloy_ats_resolve_seconds_count")
            )
            for outcome in outcomes
        }

    before = seen()
    await resolver.resolve("acme", "fake", "7")
    for _ in range(3):  # the first reads the row back, the others find its decoded copy
        await resolver.resolve("acme", "fake", "7")
    upstream.answer = httpx.Response(404)
    with pytest.raises(JobNotFound):
        await resolver.resolve("acme", "fake", "8")
    upstream.answer = httpx.Response(401)
    with pytest.raises(AuthenticationFailed):
        await resolver.resolve("acme", "fake", "9")
    after = seen()
    assert {
        outcome: (after[outcome][0] - before[outcome][0], after[outcome][1] - before[outcome][1])
        for outcome in outcomes
    } == {"upstream": (1, 1), "store": (3, 3), "negative": (1, 1), "error": (1, 1)}
    exposed = generate_latest().decode()
    assert "# TYPE embloy_ats_resolves_total counter" in exposed
    assert 'embloy_ats_resolves_total{connector="fake",outcome="store"}' in exposed
