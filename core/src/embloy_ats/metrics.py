"""Prometheus metrics, per connector. Exposed by the service at /metrics.

Defined once per process (prometheus_client's default registry); labels carry the connector
mode and the outcome, never a tenant, job id or anything secret.

prometheus-client comes with the `service` extra. A connector's own install (`embloy-ats`
alone: no service, nothing scrapes) has no metrics to keep, so there every metric is one
that counts nothing, and the HTTP core that updates them imports just the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib.util import find_spec
from typing import Any, Protocol, cast

#: whether prometheus-client is installed (the `service` extra).
_MEASURED = find_spec("prometheus_client") is not None


class Count(Protocol):
    def labels(self, *labelvalues: str) -> Count: ...
    def inc(self, amount: float = 1) -> None: ...


class Timing(Protocol):
    def labels(self, *labelvalues: str) -> Timing: ...
    def observe(self, amount: float) -> None: ...


class _Unmeasured:
    """Stands in for a metric where prometheus-client is not installed."""

    def labels(self, *labelvalues: str) -> _Unmeasured:
        return self

    def inc(self, amount: float = 1) -> None:
        pass

    def observe(self, amount: float) -> None:
        pass


class _Children:
    """A metric whose children are remembered by their label values: prometheus-client's
    `labels()` converts, checks and locks on every call, a few µs on every resolve. The
    label values (connector modes, outcomes, error kinds) are few."""

    def __init__(self, metric: Any) -> None:
        self._metric = metric
        self._children: dict[tuple[str, ...], Any] = {}

    def labels(self, *labelvalues: str) -> Any:
        child = self._children.get(labelvalues)
        if child is None:
            child = self._children[labelvalues] = self._metric.labels(*labelvalues)
        return child


def _counter(name: str, documentation: str, labelnames: list[str]) -> Count:
    if not _MEASURED:
        return _Unmeasured()
    from prometheus_client import Counter

    return cast(Count, _Children(Counter(name, documentation, labelnames)))


def _histogram(
    name: str,
    documentation: str,
    labelnames: list[str],
    buckets: tuple[float, ...],
    *,
    counted_as: tuple[str, str] | None = None,
) -> Timing:
    """A histogram; `counted_as` (name, documentation): a counter of what it observes too."""
    if not _MEASURED:
        return _Unmeasured()
    from prometheus_client import Histogram

    histogram = Histogram(name, documentation, labelnames, buckets=buckets)
    if counted_as is not None:
        _count_of(histogram, *counted_as, labelnames)
    return cast(Timing, _Children(histogram))


def _count_of(histogram: Any, name: str, documentation: str, labelnames: list[str]) -> None:
    """Expose a counter of the observations of `histogram`, read from its counts when
    scraped: an event that is timed is counted already, and costs one update, not two."""
    from prometheus_client import REGISTRY
    from prometheus_client.metrics_core import CounterMetricFamily, Metric
    from prometheus_client.registry import Collector

    class CountOf(Collector):
        def describe(self) -> list[Metric]:
            return [CounterMetricFamily(name, documentation, labels=labelnames)]

        def collect(self) -> Iterator[Metric]:
            counter = CounterMetricFamily(name, documentation, labels=labelnames)
            for metric in histogram.collect():
                created = {
                    tuple(sample.labels[label] for label in labelnames): sample.value
                    for sample in metric.samples
                    if sample.name == f"{metric.name}_created"
                }
                for sample in metric.samples:
                    if sample.name == f"{metric.name}_count":
                        values = [sample.labels[label] for label in labelnames]
                        counter.add_metric(values, sample.value, created=created.get(tuple(values)))
            yield counter

    REGISTRY.register(CountOf())


UPSTREAM_FETCHES = _counter(
    "embloy_ats_upstream_fetches",
    "Jobs fetched from an ATS, by result (ok or the error kind).",
    ["connector", "result"],
)
UPSTREAM_REQUESTS = _counter(
    "embloy_ats_upstream_requests",
    "HTTP attempts sent to an ATS, retries included.",
    ["connector"],
)
UPSTREAM_RETRIES = _counter(
    "embloy_ats_upstream_retries",
    "HTTP attempts that were retries of an earlier failed attempt.",
    ["connector"],
)
UPSTREAM_SECONDS = _histogram(
    "embloy_ats_upstream_seconds",
    "Time of one HTTP attempt to an ATS, body included.",
    ["connector"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
RESOLVE_SECONDS = _histogram(
    "embloy_ats_resolve_seconds",
    "Time of one resolve call, by outcome.",
    ["connector", "outcome"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10),
    counted_as=(
        "embloy_ats_resolves",
        "Resolve calls by how they were answered (store, upstream, stale, negative, error).",
    ),
)
