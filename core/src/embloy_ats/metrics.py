"""Prometheus metrics, per connector. Exposed by the service at /metrics.

Defined once per process (prometheus_client's default registry); labels carry the connector
mode and the outcome, never a tenant, job id or anything secret.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

RESOLVES = Counter(
    "embloy_ats_resolves",
    "Resolve calls by how they were answered (store, upstream, stale, negative, error).",
    ["connector", "outcome"],
)
UPSTREAM_FETCHES = Counter(
    "embloy_ats_upstream_fetches",
    "Jobs fetched from an ATS, by result (ok or the error kind).",
    ["connector", "result"],
)
UPSTREAM_REQUESTS = Counter(
    "embloy_ats_upstream_requests",
    "HTTP attempts sent to an ATS, retries included.",
    ["connector"],
)
UPSTREAM_RETRIES = Counter(
    "embloy_ats_upstream_retries",
    "HTTP attempts that were retries of an earlier failed attempt.",
    ["connector"],
)
UPSTREAM_SECONDS = Histogram(
    "embloy_ats_upstream_seconds",
    "Time of one HTTP attempt to an ATS, body included.",
    ["connector"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
RESOLVE_SECONDS = Histogram(
    "embloy_ats_resolve_seconds",
    "Time of one resolve call, by outcome.",
    ["connector", "outcome"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10),
)
