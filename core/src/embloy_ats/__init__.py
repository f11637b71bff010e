"""embloy-ats: fetch a job on demand from any ATS and normalise it for Embloy."""

from embloy_ats.auth import AuthKind
from embloy_ats.connector import Connector, ConnectorSettings, Credentials, Fetched, NoCredentials
from embloy_ats.errors import (
    AuthenticationFailed,
    ConfigurationError,
    DatabaseUnavailable,
    EmbloyAtsError,
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
from embloy_ats.exports import to_embloy, to_schema_org
from embloy_ats.http import HttpClient, RetryPolicy, Timeouts
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
from embloy_ats.registry import Registry
from embloy_ats.version import VERSION

__version__ = VERSION

__all__ = [
    "AuthKind",
    "AuthenticationFailed",
    "Compensation",
    "CompensationKind",
    "ConfigurationError",
    "Connector",
    "ConnectorSettings",
    "Credentials",
    "DatabaseUnavailable",
    "EmbloyAtsError",
    "EmploymentType",
    "Fetched",
    "HttpClient",
    "InvalidJobId",
    "Job",
    "JobNotFound",
    "JobStatus",
    "Location",
    "NoCredentials",
    "PayInterval",
    "PayloadError",
    "PermissionDenied",
    "Question",
    "QuestionCategory",
    "QuestionOption",
    "QuestionType",
    "RateLimitPolicy",
    "RateLimited",
    "Registry",
    "RequestRejected",
    "RetryPolicy",
    "Timeouts",
    "UnexpectedRedirect",
    "UpstreamError",
    "UpstreamTimeout",
    "UpstreamUnavailable",
    "Visibility",
    "WorkplaceType",
    "to_embloy",
    "to_schema_org",
]
