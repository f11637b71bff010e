"""One delivery worker in a process of its own, for the tests that kill or share workers.

`run` is the whole of such a process: `test_processes.WorkerProcess` forks it from a server
that has imported this module already, so a worker starts without importing the project.

It sends `ready` on its channel once it runs; on SIGTERM it stops gracefully and sends how
many applications it delivered; if it fails, it sends the traceback. SIGKILL, of course, it
does not see coming.

`rate` (submissions per second, for every connector) replaces the limits the connectors
declare, in the store's shared booking and in the HTTP client alike: the tests that count
what arrived (each application once) need not wait for a real ATS's limit, which the tests
that prove the limit keep (they give no `rate`).
"""

from __future__ import annotations

import asyncio
import importlib
import os
import signal
import traceback
from multiprocessing.connection import Connection
from typing import Any

from embloy_ats.applications import (
    DeliverySettings,
    StoredConnectors,
    Worker,
    application_store_for,
    delivery_http_client,
)
from embloy_ats.applications import worker as worker_module
from embloy_ats.crypto import KeyRing
from embloy_ats.ratelimit import RateLimiter, RateLimitPolicy
from embloy_ats.store import store_for
from embloy_ats.validation import ALLOW_PRIVATE_NETWORK_ENV
from prometheus_client import REGISTRY

from benchmarks.apply_ats import registry_with_apply_ats

# What a worker would import only once it runs (the HTTP engine, either store) is imported with
# this module: the forkserver that starts the workers imports it once for all of them.
for lazily_imported in (
    "embloy_ats.engine",
    "embloy_ats.applications.store_postgres",
    "embloy_ats.applications.store_sqlite",
):
    importlib.import_module(lazily_imported)


def raise_rate_limits(per_second: int) -> None:
    """Every limit this process keeps becomes `per_second`: the turns booked in the store
    (the worker's `submit_rate_limit`) and the HTTP client's buckets."""
    raised = RateLimitPolicy(per_second, 1.0, "raised: this test counts deliveries, not turns")
    bucket = RateLimiter.bucket

    def raised_bucket(self: RateLimiter, key: str, policy: RateLimitPolicy) -> Any:
        return bucket(self, key, raised)

    worker_module.submit_rate_limit = lambda connector: raised  # type: ignore[attr-defined]
    RateLimiter.bucket = raised_bucket  # type: ignore[method-assign]


def run(channel: Connection, url: str, key: str, lease: float, concurrency: int, rate: int) -> None:
    """The worker process, start to end; `rate` 0 keeps the connectors' limits."""
    try:
        os.environ[ALLOW_PRIVATE_NETWORK_ENV] = "1"  # the fake ATSs listen on loopback
        if rate:
            raise_rate_limits(rate)
        channel.send(asyncio.run(deliver(channel, url, key, lease, concurrency)))
    except BaseException:
        channel.send(traceback.format_exc())
        raise


async def deliver(channel: Connection, url: str, key: str, lease: float, concurrency: int) -> int:
    """Delivers until SIGTERM; how many applications it delivered."""
    keys = KeyRing([key])
    jobs = store_for(url)
    await jobs.open()
    store = application_store_for(url, keys)
    await store.open()
    connectors = StoredConnectors(
        jobs, keys=keys, registry=registry_with_apply_ats(),
        http=delivery_http_client(allow_private_network=True),
    )  # fmt: skip
    # rate_slack: a fresh process's first request sets up its TLS context and connection
    # pool (~0.1 s), and a process waits for a core while the rest of the suite runs beside
    # it (pytest-xdist): either makes a send late for its turn while the other process's
    # next one is on time. Each process keeping a limit on its own would still go over it.
    settings = DeliverySettings(
        lease=lease, concurrency=concurrency, poll_interval=0.05, backoff_base=0.2,
        backoff_max=1.0, lookup_delay=0.2, attempt_timeout=30.0, rate_slack=0.5,
    )  # fmt: skip
    worker = Worker(store, connectors, settings=settings)
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, worker.stop)
    channel.send("ready")
    try:
        await worker.run()
    finally:
        await connectors.aclose()
        await store.close()
        await jobs.close()
    delivered = sum(
        sample.value
        for family in REGISTRY.collect()
        for sample in family.samples
        if sample.name == "embloy_ats_application_attempts_total"
        and sample.labels.get("outcome") == "delivered"
    )  # by any connector
    return int(delivered)
