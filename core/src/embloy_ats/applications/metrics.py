"""Prometheus metrics of the application pipeline, exposed with the others at /metrics.

Labels carry the connector mode, the status, the outcome or the failure reason: never a
tenant, an application id, or anything a candidate typed.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

QUEUE_DEPTH = Gauge(
    "embloy_ats_applications",
    "Applications in the outbox by status, as a worker last counted them.",
    ["status"],
)
OLDEST_DUE_SECONDS = Gauge(
    "embloy_ats_applications_oldest_due_seconds",
    "How long the longest-waiting due application has been waiting for a worker.",
)
DELIVERY_SECONDS = Histogram(
    "embloy_ats_application_delivery_seconds",
    "From the candidate's submit (202) to the ATS's receipt.",
    ["connector"],
    buckets=(0.5, 1, 2.5, 5, 15, 60, 300, 900, 3600, 4 * 3600, 24 * 3600, 72 * 3600),
)
ATTEMPTS = Counter(
    "embloy_ats_application_attempts",
    "Delivery attempts by outcome: delivered, found (by a lookup), retryable, ambiguous, "
    "rejected, job_gone, error (before sending).",
    ["connector", "outcome"],
)
FAILURES = Counter(
    "embloy_ats_application_failures",
    "Applications given up on, by reason (rejected, job_gone, deadline, unknown_outcome, "
    "unsupported).",
    ["connector", "reason"],
)
