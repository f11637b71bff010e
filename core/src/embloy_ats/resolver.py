"""The resolver: a job a candidate applies to, from the store if known and fresh, else
fetched once from the ATS, normalised, stored and returned.

- Single-flight: concurrent resolves of one job share one store lookup, and of an unknown
  job one upstream fetch, in one process (a shared task) and across processes on
  PostgreSQL (an advisory lock, after which followers read what the leader stored, or the
  failure it remembered).
- Freshness: a max age per connector; a stale job is refetched, and served flagged as stale
  when the ATS is down or rate-limiting (bounded by `stale_if_error`).
- Negative cache: a job the ATS says is gone is remembered for `negative_ttl`; any other
  failure for `failure_ttl`, so a flood of clicks does not hammer a failing ATS.
- Tenants: every stored row is keyed by tenant; a tenant resolves only through its own
  connections, whose credentials are encrypted at rest.
- The store is a cache of the ATS: a fetched job is answered even when storing it is slow
  or fails, and a stored row that cannot be read back is fetched again.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from embloy_ats import errors, metrics
from embloy_ats.clock import SYSTEM_CLOCK, Clock
from embloy_ats.connector import Connector
from embloy_ats.crypto import KeyRing
from embloy_ats.errors import ConfigurationError, EmbloyAtsError, JobNotFound, RateLimited
from embloy_ats.http import HttpClient
from embloy_ats.model import SCHEMA_VERSION, Job, JobStatus
from embloy_ats.registry import Registry
from embloy_ats.store import Store, StoredConnection, StoredJob, Tenant, store_from_env
from embloy_ats.store.base import FetchClaim, Lookup, Miss

log = logging.getLogger("embloy_ats.resolver")

Source = Literal["store", "upstream", "stale"]
_TRANSIENT = (errors.UpstreamUnavailable, errors.RateLimited)
_GONE_STATUSES = (JobStatus.CLOSED, JobStatus.ARCHIVED)
#: decoded jobs kept per resolver (see `Resolver._load`), and the largest one kept.
_DECODED_JOBS = 1024
_DECODED_MAX_CHARS = 256 * 1024
#: store writes that may go on after their answer (see `Resolver._write`); beyond that a
#: fetched job is answered without being stored.
_WRITES_UNDER_WAY = 100


@dataclass(frozen=True)
class FreshnessPolicy:
    #: seconds a stored job is served without asking the ATS again.
    max_age: float = 3600.0
    #: per-connector override of `max_age`.
    max_age_by_connector: Mapping[str, float] = field(default_factory=dict)
    #: how long past `max_age` a stored job may still be served while the ATS fails.
    stale_if_error: float = 24 * 3600.0
    #: how long "the ATS says this job does not exist" is remembered.
    negative_ttl: float = 300.0
    #: how long any other failed fetch is remembered (shared with followers).
    failure_ttl: float = 5.0

    def max_age_for(self, mode: str) -> float:
        return self.max_age_by_connector.get(mode, self.max_age)


@dataclass(frozen=True)
class Resolution:
    job: Job
    source: Source
    #: seconds since the job was fetched from the ATS.
    age: float

    @property
    def stale(self) -> bool:
        return self.source == "stale"


@dataclass(frozen=True)
class JobFetched:
    tenant_id: str
    mode: str
    job_id: str
    job: Job


@dataclass(frozen=True)
class JobGone:
    tenant_id: str
    mode: str
    job_id: str
    #: "not_found" or the job's status ("closed", "archived").
    reason: str


Event = JobFetched | JobGone
Subscriber = Callable[[Event], Awaitable[None] | None]


class NoConnection(ConfigurationError):
    hint = "Connect it first: `embloy-ats connections set TENANT MODE --setting ...`."


class _GaveUp(Exception):
    """The caller whose lookup others shared was cancelled: they look for themselves."""


def _error_from_miss(miss: Miss, mode: str, job_id: str) -> EmbloyAtsError:
    cls = getattr(errors, miss.kind, None)
    if not (isinstance(cls, type) and issubclass(cls, EmbloyAtsError)):
        cls = errors.UpstreamUnavailable
    if cls is RateLimited:
        return RateLimited(
            miss.message, retry_after=miss.retry_after, connector=mode, job_id=job_id
        )
    return cls(miss.message, connector=mode, job_id=job_id)


async def connector_for(
    store: Store,
    registry: Registry,
    keys: KeyRing | None,
    tenant_id: str,
    mode: str,
    *,
    http: HttpClient,
    clock: Clock,
    tenant_label: str,
) -> tuple[float, Connector]:
    """A tenant's connector for `mode`, as its stored connection configures it, with the
    connection's `updated_at` (its version, to know when a cached connector is stale).
    The resolver builds its connectors here, and so does the application delivery worker."""
    connection = await store.get_connection(tenant_id, mode)
    if connection is None:
        raise NoConnection(
            f"tenant {tenant_label} has no connection for mode {mode!r}", connector=mode
        )
    credentials: dict[str, str] = {}
    if connection.credentials is not None:
        if keys is None:
            raise ConfigurationError(
                "stored credentials cannot be read without EMBLOY_ATS_ENCRYPTION_KEYS",
                connector=mode,
            )
        credentials = keys.decrypt(connection.credentials, what=f"tenant {tenant_label} / {mode}")
    cls = registry.get(mode).connector
    return connection.updated_at, cls(connection.settings, credentials, http=http, clock=clock)


def _not_stored(what: str, where: dict[str, str], failure: BaseException) -> None:
    log.warning("%s is answered but not stored: the store failed", what,
                extra={**where, "error": type(failure).__name__})  # fmt: skip


class Resolver:
    """Resolve jobs for tenants. Open it (`async with Resolver(...)`) before use."""

    def __init__(
        self,
        store: Store,
        *,
        keys: KeyRing | None = None,
        registry: Registry | None = None,
        http: HttpClient | None = None,
        clock: Clock = SYSTEM_CLOCK,
        policy: FreshnessPolicy | None = None,
        store_wait: float = 0.5,
    ) -> None:
        self.store = store
        self.keys = keys
        self.registry = registry or Registry.discover()
        #: every connector's client; closed with the resolver (its pool is bound to the loop).
        self.http = http if http is not None else HttpClient()
        self.clock = clock
        self.policy = policy or FreshnessPolicy()
        #: seconds a candidate waits for a fetched job (or a failed fetch) to be stored
        #: before it is answered anyway; the write goes on.
        self.store_wait = store_wait
        self._inflight: dict[str, asyncio.Task[Resolution]] = {}
        #: lookups under way, by key: callers of a job being looked up share its lookup.
        self._looking: dict[str, asyncio.Future[Lookup]] = {}
        self._tenants: dict[str, Tenant] = {}
        self._connectors: dict[tuple[str, str], tuple[float, Connector]] = {}
        self._subscribers: list[Subscriber] = []
        self._decoded: OrderedDict[tuple[str, str, str], tuple[str, Job]] = OrderedDict()
        #: store writes under way, and the jobs answered before their write ended, by key.
        self._writes: set[asyncio.Task[None]] = set()
        self._writing: dict[str, Resolution] = {}

    @classmethod
    def from_env(cls, **kwargs: Any) -> Resolver:
        """Database from EMBLOY_ATS_DATABASE_URL, keys from EMBLOY_ATS_ENCRYPTION_KEYS."""
        return cls(store_from_env(), keys=KeyRing.from_env(), **kwargs)

    async def open(self) -> None:
        await self.store.open()
        self.http.prepare()

    async def close(self) -> None:
        leads = list(self._inflight.values())
        for task in leads:
            task.cancel()
        # Let each lead unwind (its fetch lock released), and the writes still under way
        # end, before the store closes beneath them.
        await asyncio.gather(*leads, return_exceptions=True)
        await asyncio.gather(*self._writes, return_exceptions=True)
        await self.store.close()
        await self.http.aclose()

    async def __aenter__(self) -> Resolver:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- events ---------------------------------------------------------------------------

    def subscribe(self, callback: Subscriber) -> None:
        """Call `callback(event)` on every JobFetched and JobGone; its errors are logged only."""
        self._subscribers.append(callback)

    async def _emit(self, event: Event) -> None:
        for callback in self._subscribers:
            try:
                outcome = callback(event)
                if inspect.isawaitable(outcome):
                    await outcome
            except Exception:
                log.exception("event subscriber failed", extra={"event": type(event).__name__})

    # -- tenants and connections -------------------------------------------------------------

    def _now(self) -> float:
        clock = self.clock
        # the system clock's time without a datetime built and taken apart on every resolve
        return time.time() if clock is SYSTEM_CLOCK else clock.now().timestamp()

    async def create_tenant(self, name: str) -> Tenant:
        name = name.strip()
        if not name or len(name) > 200 or not name.isprintable():
            raise ConfigurationError("a tenant name must be 1-200 printable characters")
        return await self.store.create_tenant(name, now=self._now())

    async def tenant(self, name_or_id: str) -> Tenant:
        cached = self._tenants.get(name_or_id)
        if cached is None:
            cached = self._tenants[name_or_id] = await self.store.tenant(name_or_id)
        return cached

    async def set_connection(
        self,
        tenant: str,
        mode: str,
        settings: Mapping[str, str],
        credentials: Mapping[str, str] | None = None,
    ) -> StoredConnection:
        """Validate (no request is made) and store a tenant's connection to an ATS."""
        found = await self.tenant(tenant)
        cls = self.registry.get(mode).connector
        cls(dict(settings), dict(credentials or {}), http=self.http)  # raises if invalid
        blob = None
        if credentials:
            if self.keys is None:
                raise ConfigurationError(
                    "credentials cannot be stored without an encryption key",
                    hint="Set EMBLOY_ATS_ENCRYPTION_KEYS (`embloy-ats keys generate`).",
                )
            blob = self.keys.encrypt(credentials)
        connection = StoredConnection(found.id, mode, dict(settings), blob, self._now())
        await self.store.put_connection(connection)
        self._connectors.pop((found.id, mode), None)
        return connection

    async def rotate_credentials(self) -> int:
        """Re-encrypt every stored credential under the newest key; returns how many."""
        if self.keys is None:
            raise ConfigurationError("no encryption key is configured")
        rotated = 0
        for connection in await self.store.list_connections():
            if connection.credentials is None:
                continue
            what = f"tenant {connection.tenant_id} / {connection.mode}"
            blob = self.keys.rotate(connection.credentials, what=what)
            await self.store.put_connection(
                StoredConnection(
                    connection.tenant_id, connection.mode, connection.settings, blob,
                    connection.updated_at,
                )
            )  # fmt: skip
            rotated += 1
        return rotated

    async def _connector(self, tenant: Tenant, mode: str, version: float | None) -> Connector:
        """The tenant's connector for `mode`; `version` is the connection's `updated_at` as
        the lookup read it (None: no connection), so an unchanged one is not read again."""
        cached = self._connectors.get((tenant.id, mode))
        if version is not None and cached is not None and cached[0] == version:
            return cached[1]  # reused: its OAuth token cache and rate-limit key stay warm
        built = await connector_for(
            self.store, self.registry, self.keys, tenant.id, mode,
            http=self.http, clock=self.clock, tenant_label=repr(tenant.name),
        )  # fmt: skip
        self._connectors[(tenant.id, mode)] = built
        return built[1]

    # -- resolving ----------------------------------------------------------------------------

    async def resolve(self, tenant: str, mode: str, job_id: str) -> Job:
        return (await self.resolve_detailed(tenant, mode, job_id)).job

    async def resolve_detailed(self, tenant: str, mode: str, job_id: str) -> Resolution:
        started = time.perf_counter()
        outcome = "error"
        try:
            resolution = await self._resolve(tenant, mode, job_id)
            outcome = resolution.source
            return resolution
        except JobNotFound:
            outcome = "negative"
            raise
        finally:
            metrics.RESOLVE_SECONDS.labels(mode, outcome).observe(time.perf_counter() - started)

    async def _resolve(self, tenant_ref: str, mode: str, job_id: str) -> Resolution:
        info = self.registry.get(mode)
        job_id = info.connector.validate_job_id(job_id)
        tenant = self._tenants.get(tenant_ref) or await self.tenant(tenant_ref)
        key = f"{tenant.id}/{mode}/{job_id}"
        if self._writing:
            unstored = self._unstored(key, mode)
            if unstored is not None:
                return unstored
        while True:
            task = self._inflight.get(key)
            if task is not None:
                # shield: one impatient caller must not cancel the fetch the others wait for
                return await asyncio.shield(task)
            looking = self._looking.get(key)
            if looking is None:
                break
            try:  # another caller looks the job up: share its lookup, then its fetch
                shared = await asyncio.shield(looking)
            except _GaveUp:
                continue
            fresh = self._fresh(shared, mode, job_id)
            if fresh is not None:
                return fresh
        if (tenant.id, mode, job_id) in self._decoded:
            # A fresh job needs neither its miss nor the connection: one read of its row,
            # which does not wait (no caller can come to share it), and no decoding. Only
            # for a job kept decoded: any other would be read again by the lookup.
            at_hand = self.store.job_at_hand(tenant.id, mode, job_id)
            if at_hand is not None:
                fresh = self._fresh_job(at_hand, mode, self._now(), self._decoded_copy)
                if fresh is not None:
                    return fresh
        looked, claim = await self._lookup(key, tenant.id, mode, job_id)
        try:
            fresh = self._fresh(looked, mode, job_id)
        except BaseException:
            if claim is not None:
                claim.release()
            raise
        if fresh is not None:
            if claim is not None:
                claim.release()
            return fresh
        lead = self._lead(tenant, mode, job_id, looked.connection_updated_at, claim)
        task = asyncio.create_task(lead)
        self._inflight[key] = task
        task.add_done_callback(lambda done: self._settled(key, done))
        if claim is not None:  # a lead cancelled before it started never entered its claim
            task.add_done_callback(lambda _: claim.release())
        return await asyncio.shield(task)

    async def _lookup(
        self, key: str, tenant_id: str, mode: str, job_id: str
    ) -> tuple[Lookup, FetchClaim | None]:
        """The store's lookup of a job, shared with the callers that ask for it meanwhile."""
        looking: asyncio.Future[Lookup] = asyncio.get_running_loop().create_future()
        self._looking[key] = looking
        try:
            found = await self.store.lookup_or_claim(tenant_id, mode, job_id)
        except BaseException as exc:
            looking.set_exception(exc if isinstance(exc, Exception) else _GaveUp())
            looking.exception()  # seen, even if no other caller waits for it
            raise
        finally:
            del self._looking[key]
        looking.set_result(found[0])
        return found

    def _settled(self, key: str, task: asyncio.Task[Resolution]) -> None:
        self._inflight.pop(key, None)
        if not task.cancelled():
            # Mark the outcome seen even when every caller gave up waiting for it, so a
            # failed fetch nobody awaits any more is not logged as "never retrieved".
            task.exception()

    def _unstored(self, key: str, mode: str) -> Resolution | None:
        """A job answered while its write is still under way, if fresh: newer than what
        the store holds, and not to be fetched again meanwhile."""
        answered = self._writing.get(key)
        if answered is None:
            return None
        age = self._now() - answered.job.fetched_at.timestamp()
        if not 0 <= age <= self.policy.max_age_for(mode):
            return None
        return Resolution(answered.job, "store", age)

    def _fresh(self, looked: Lookup, mode: str, job_id: str) -> Resolution | None:
        """The looked-up job if fresh; raises the remembered error of a recent miss; else None."""
        now = self._now()
        stored, miss = looked.job, looked.miss
        if stored is not None:
            fresh = self._fresh_job(stored, mode, now, self._load)
            if fresh is not None:
                return fresh
        if miss is not None and miss.expires_at > now:
            raise _error_from_miss(miss, mode, job_id)
        return None

    def _fresh_job(
        self, stored: StoredJob, mode: str, now: float, load: Callable[[StoredJob], Job | None]
    ) -> Resolution | None:
        """The stored job if fresh and `load` gives it; else None."""
        age = now - stored.fetched_at
        if 0 <= age <= self.policy.max_age_for(mode):
            job = load(stored)
            if job is not None:
                return Resolution(job, "store", age)
        return None

    def _decoded_copy(self, stored: StoredJob) -> Job | None:
        """The job decoded from this very row before (the same JSON text), if kept."""
        key = (stored.tenant_id, stored.mode, stored.job_id)
        cached = self._decoded.get(key)
        if cached is not None and cached[0] == stored.job_json:
            self._decoded.move_to_end(key)
            return cached[1]
        return None

    def _load(self, stored: StoredJob) -> Job | None:
        """The stored job, or None if it was written by an older schema or cannot be read
        back (refetch it).

        Decoding validates the whole Job again (HTML sanitising included), the largest cost
        of answering from the store; the last decoded jobs are kept, keyed by their row, and
        reused while the stored JSON is the very same text.
        """
        job = self._decoded_copy(stored)
        if job is not None:
            return job
        key = (stored.tenant_id, stored.mode, stored.job_id)
        try:
            job = Job.model_validate_json(stored.job_json)
        except ValueError as exc:  # pydantic's ValidationError: not JSON, or not a Job
            log.warning(
                "a stored job could not be read back; it is fetched again",
                extra={"tenant": stored.tenant_id, "connector": stored.mode,
                       "job_id": stored.job_id, "error": type(exc).__name__},
            )  # fmt: skip
            return None
        if job.schema_version != SCHEMA_VERSION:
            return None
        if len(stored.job_json) > _DECODED_MAX_CHARS:
            self._decoded.pop(key, None)  # the copy of an earlier row is of no use now
            return job
        self._decoded[key] = (stored.job_json, job)
        self._decoded.move_to_end(key)
        while len(self._decoded) > _DECODED_JOBS:
            self._decoded.popitem(last=False)
        return job

    async def _lead(
        self,
        tenant: Tenant,
        mode: str,
        job_id: str,
        version: float | None,
        claim: FetchClaim | None,
    ) -> Resolution:
        held = claim if claim is not None else self.store.fetch_lock(tenant.id, mode, job_id)
        async with held as again:
            if again is not None:  # another process may have fetched it while we waited
                fresh = self._fresh(again, mode, job_id)
                if fresh is not None:
                    return fresh
                version = again.connection_updated_at
            connector = await self._connector(tenant, mode, version)
            try:
                job = await connector.fetch_job(job_id)
            except EmbloyAtsError as exc:
                metrics.UPSTREAM_FETCHES.labels(mode, type(exc).__name__).inc()
                return await self._failed(tenant, mode, job_id, exc)
            metrics.UPSTREAM_FETCHES.labels(mode, "ok").inc()
            resolution = Resolution(job, "upstream", 0.0)
            stored = StoredJob(
                tenant.id, mode, job_id, job.model_dump_json(), job.fetched_at.timestamp()
            )
            if not self._stored_now(stored):
                await self._write(
                    "a fetched job", (tenant.id, mode, job_id), self.store.put_job(stored),
                    resolution,
                )  # fmt: skip
        log.info(
            "job fetched",
            extra={"tenant": tenant.id, "connector": mode, "job_id": job_id, "status": job.status},
        )
        await self._emit(JobFetched(tenant.id, mode, job_id, job))
        if job.status in _GONE_STATUSES:
            await self._emit(JobGone(tenant.id, mode, job_id, job.status.value))
        return resolution

    async def _write(
        self,
        what: str,
        job: tuple[str, str, str],
        write: Coroutine[Any, Any, None],
        answer: Resolution | None = None,
    ) -> None:
        """Store what a fetch found (`what`, for the log) for `job` (tenant id, mode, job
        id), waiting for the store at most `store_wait`.

        The store is a cache of the ATS: a slow store (a SQLite file another process holds
        locked, a database failing over) neither holds up nor fails the candidate's answer,
        and the log says what was not stored. A write that outlasts the wait goes on; until
        it ends, `answer` is what this process answers for the job, so the job is not
        fetched again meanwhile.
        """
        tenant_id, mode, job_id = job
        where = {"tenant": tenant_id, "connector": mode, "job_id": job_id}
        if len(self._writes) >= _WRITES_UNDER_WAY:
            write.close()
            log.warning("%s is answered but not stored: too many writes wait", what, extra=where)
            return
        task = asyncio.create_task(write)
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)
        key = "/".join(job)
        try:
            await asyncio.wait((task,), timeout=self.store_wait)
        except asyncio.CancelledError:
            self._goes_on(task, key, None, what, where)
            raise
        if task.done():
            self._check_written(task, what, where)
            return
        log.warning("%s is answered before it is stored: the store is slow", what, extra=where)
        self._goes_on(task, key, answer, what, where)

    def _stored_now(self, stored: StoredJob) -> bool:
        """A fetched job stored at once where the store can do so without waiting (an idle
        SQLite file): a write of a few µs then needs no task, nor a wait bounded by
        `store_wait`. False, with nothing done: `_write` stores it. A failure is logged as
        `_write` logs it, and the job answered all the same."""
        try:
            return self.store.put_job_now(stored)
        except Exception as exc:  # noqa: BLE001 - the store is a cache: its failure is logged
            where = {"tenant": stored.tenant_id, "connector": stored.mode, "job_id": stored.job_id}
            _not_stored("a fetched job", where, exc)
            return True

    def _goes_on(
        self,
        task: asyncio.Task[None],
        key: str,
        answer: Resolution | None,
        what: str,
        where: dict[str, str],
    ) -> None:
        """The write goes on without its caller; `answer` is this process's answer for the
        job until it ends, and a failure is logged when it does."""
        if answer is not None:
            self._writing[key] = answer

        def ended(_: asyncio.Task[None]) -> None:
            if answer is not None and self._writing.get(key) is answer:
                del self._writing[key]
            self._check_written(task, what, where)

        task.add_done_callback(ended)

    @staticmethod
    def _check_written(task: asyncio.Task[None], what: str, where: dict[str, str]) -> None:
        failure = None if task.cancelled() else task.exception()
        if failure is not None:
            _not_stored(what, where, failure)

    async def _failed(
        self, tenant: Tenant, mode: str, job_id: str, exc: EmbloyAtsError
    ) -> Resolution:
        now = self._now()
        if isinstance(exc, _TRANSIENT):
            stored = await self.store.get_job(tenant.id, mode, job_id)
            if stored is not None:
                age = now - stored.fetched_at
                limit = self.policy.max_age_for(mode) + self.policy.stale_if_error
                job = self._load(stored) if age <= limit else None
                if job is not None:
                    log.warning(
                        "serving a stale job: the ATS failed",
                        extra={"tenant": tenant.id, "connector": mode, "job_id": job_id,
                               "error": type(exc).__name__, "age": age},
                    )  # fmt: skip
                    return Resolution(job, "stale", age)
        if isinstance(exc, JobNotFound):
            ttl = self.policy.negative_ttl
        elif isinstance(exc, RateLimited) and exc.retry_after is not None:
            ttl = max(self.policy.failure_ttl, exc.retry_after)
        else:
            ttl = self.policy.failure_ttl
        retry_after = exc.retry_after if isinstance(exc, RateLimited) else None
        miss = Miss(type(exc).__name__, exc.message, retry_after, now + ttl)
        await self._write(
            "a failed fetch", (tenant.id, mode, job_id),
            self.store.put_miss(tenant.id, mode, job_id, miss),
        )  # fmt: skip
        log.info(
            "job fetch failed",
            extra={"tenant": tenant.id, "connector": mode, "job_id": job_id,
                   "error": type(exc).__name__},
        )  # fmt: skip
        if isinstance(exc, JobNotFound):
            await self._emit(JobGone(tenant.id, mode, job_id, "not_found"))
        raise exc

    async def jobs(self, tenant: str) -> list[Job]:
        found = await self.tenant(tenant)
        return [
            job
            for job in (self._load(stored) for stored in await self.store.list_jobs(found.id))
            if job is not None
        ]


class SyncResolver:
    """The resolver for scripts: blocking calls on a private event loop thread."""

    def __init__(self, resolver: Resolver) -> None:
        from anyio.from_thread import start_blocking_portal

        self._cm = start_blocking_portal()
        self._portal = self._cm.__enter__()
        self._resolver = resolver
        self._portal.call(resolver.open)

    @classmethod
    def from_env(cls, **kwargs: Any) -> SyncResolver:
        return cls(Resolver.from_env(**kwargs))

    def resolve(self, tenant: str, mode: str, job_id: str) -> Job:
        return self._portal.call(self._resolver.resolve, tenant, mode, job_id)

    def create_tenant(self, name: str) -> Tenant:
        return self._portal.call(self._resolver.create_tenant, name)

    def set_connection(
        self,
        tenant: str,
        mode: str,
        settings: Mapping[str, str],
        credentials: Mapping[str, str] | None = None,
    ) -> StoredConnection:
        return self._portal.call(self._resolver.set_connection, tenant, mode, settings, credentials)

    def jobs(self, tenant: str) -> list[Job]:
        return self._portal.call(self._resolver.jobs, tenant)

    def close(self) -> None:
        try:
            self._portal.call(self._resolver.close)
        finally:
            self._cm.__exit__(None, None, None)

    def __enter__(self) -> SyncResolver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
