"""Applications: a candidate's answers, accepted into a durable outbox and delivered to the
employer's ATS by workers, exactly once as far as the ATS can tell.

- `ApplicationService.accept(tenant_id, job, fields, files, ...)`: validate and store
  (`Accepted`, or `InvalidApplication` with per-field errors).
- `Worker(store, StoredConnectors(...)).run()`: deliver until stopped.
- `application_store_for(url, keys)`: the outbox beside the job store (SQLite/PostgreSQL).
- Connectors implement `SubmitsApplications` (and `FindsApplications` where the ATS
  allows a lookup): see docs/applications.md.
"""

from embloy_ats.applications.connectors import (
    ConnectorSource,
    StoredConnectors,
    delivery_http_client,
)
from embloy_ats.applications.service import (
    Accepted,
    ApplicationService,
    InvalidIdempotencyKey,
    SubmissionUnsupported,
)
from embloy_ats.applications.settings import DeliverySettings, limits_from_env
from embloy_ats.applications.store import (
    ApplicationStore,
    IdempotencyKeyReused,
    NotRetryable,
    PurgeReport,
    QueueOverview,
    UnknownApplication,
    application_store_beside,
    application_store_for,
)
from embloy_ats.applications.validation import (
    FIELD_PREFIX,
    InvalidApplication,
    Limits,
    ValidAnswers,
    validate_answers,
)
from embloy_ats.applications.worker import Worker
from embloy_ats.submission.capability import (
    FindsApplications,
    SubmitAmbiguous,
    SubmitError,
    SubmitRejected,
    SubmitRetryable,
    SubmitsApplications,
    classify,
    finds,
    submits,
)
from embloy_ats.submission.model import (
    AnswerValue,
    Application,
    ApplicationRecord,
    ApplicationStatus,
    DeliveryProgress,
    FailureReason,
    ProgressLost,
    Receipt,
    UploadedFile,
)
from embloy_ats.submission.privacy import mask_personal

__all__ = [
    "FIELD_PREFIX",
    "Accepted",
    "AnswerValue",
    "Application",
    "ApplicationRecord",
    "ApplicationService",
    "ApplicationStatus",
    "ApplicationStore",
    "ConnectorSource",
    "DeliveryProgress",
    "DeliverySettings",
    "FailureReason",
    "FindsApplications",
    "IdempotencyKeyReused",
    "InvalidApplication",
    "InvalidIdempotencyKey",
    "Limits",
    "NotRetryable",
    "ProgressLost",
    "PurgeReport",
    "QueueOverview",
    "Receipt",
    "StoredConnectors",
    "SubmissionUnsupported",
    "SubmitAmbiguous",
    "SubmitError",
    "SubmitRejected",
    "SubmitRetryable",
    "SubmitsApplications",
    "UnknownApplication",
    "UploadedFile",
    "ValidAnswers",
    "Worker",
    "application_store_beside",
    "application_store_for",
    "classify",
    "delivery_http_client",
    "finds",
    "limits_from_env",
    "mask_personal",
    "submits",
    "validate_answers",
]
