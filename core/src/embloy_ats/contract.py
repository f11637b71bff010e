"""Everything a connector imports, in one place: `from embloy_ats.contract import ...`.

A connector is declarations (settings, credentials, ways in, ids, rate limit) and pure
mapping (`parsing`, `vocab`, `geo`, `html`, `jsonapi`, `safexml` readers over the answer); one
that submits applications also imports `Application`, `Receipt`, the `Submit*` errors and
the `submitting` helpers (see docs/applications.md).
What is not here is the core's own business and may change without notice to connectors.
"""

from __future__ import annotations

from pydantic import (
    AfterValidator,
    Field,
    JsonValue,
    SecretStr,
    field_validator,
    model_validator,
)

from embloy_ats import geo, html, jsonapi, parsing, safexml, vocab
from embloy_ats.auth import Auth, AuthKind, BasicAuth, HeaderAuth, NoAuth, OAuth2Token
from embloy_ats.connector import (
    Connector,
    ConnectorSettings,
    Credentials,
    Fetched,
    NextPage,
    NoCredentials,
    VerifyUnsupported,
    link_cursor,
)
from embloy_ats.errors import (
    DEFAULT_ERRORS,
    AuthenticationFailed,
    ConfigurationError,
    EmbloyAtsError,
    ErrorRule,
    InvalidJobId,
    JobNotFound,
    PayloadError,
    PermissionDenied,
    RateLimited,
    RequestRejected,
    UnexpectedRedirect,
    UpstreamError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from embloy_ats.http import FilePart
from embloy_ats.model import (
    Compensation,
    CompensationKind,
    EmploymentType,
    Job,
    JobStatus,
    Location,
    PayInterval,
    Question,
    QuestionCategory,
    QuestionOption,
    QuestionType,
    Visibility,
    WorkplaceType,
)
from embloy_ats.ratelimit import RateLimitPolicy
from embloy_ats.submission import submitting
from embloy_ats.submission.capability import SubmitAmbiguous, SubmitRejected, SubmitRetryable
from embloy_ats.submission.model import (
    AnswerValue,
    Application,
    DeliveryProgress,
    ProgressLost,
    Receipt,
    UploadedFile,
)
from embloy_ats.validation import NUMERIC_ID, UUID_ID, PathSegment, Subdomain
from embloy_ats.ways import (
    NO_AUTH,
    Asked,
    AuthSpec,
    Envelope,
    Request,
    Verify,
    WayIn,
    api_key_header,
    basic,
    bearer,
    by_setting,
)

__all__ = [
    "DEFAULT_ERRORS",
    "NO_AUTH",
    "NUMERIC_ID",
    "UUID_ID",
    "AfterValidator",
    "AnswerValue",
    "Application",
    "Asked",
    "Auth",
    "AuthKind",
    "AuthSpec",
    "AuthenticationFailed",
    "BasicAuth",
    "Compensation",
    "CompensationKind",
    "ConfigurationError",
    "Connector",
    "ConnectorSettings",
    "Credentials",
    "DeliveryProgress",
    "EmbloyAtsError",
    "EmploymentType",
    "Envelope",
    "ErrorRule",
    "Fetched",
    "Field",
    "FilePart",
    "HeaderAuth",
    "InvalidJobId",
    "Job",
    "JobNotFound",
    "JobStatus",
    "JsonValue",
    "Location",
    "NextPage",
    "NoAuth",
    "NoCredentials",
    "OAuth2Token",
    "PathSegment",
    "PayInterval",
    "PayloadError",
    "PermissionDenied",
    "ProgressLost",
    "Question",
    "QuestionCategory",
    "QuestionOption",
    "QuestionType",
    "RateLimitPolicy",
    "RateLimited",
    "Receipt",
    "Request",
    "RequestRejected",
    "SecretStr",
    "Subdomain",
    "SubmitAmbiguous",
    "SubmitRejected",
    "SubmitRetryable",
    "UnexpectedRedirect",
    "UploadedFile",
    "UpstreamError",
    "UpstreamTimeout",
    "UpstreamUnavailable",
    "Verify",
    "VerifyUnsupported",
    "Visibility",
    "WayIn",
    "WorkplaceType",
    "api_key_header",
    "basic",
    "bearer",
    "by_setting",
    "field_validator",
    "geo",
    "html",
    "jsonapi",
    "link_cursor",
    "model_validator",
    "parsing",
    "safexml",
    "submitting",
    "vocab",
]
