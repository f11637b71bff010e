"""embloy-ats: fetch a job on demand from any ATS and normalise it for Embloy.

Each public name is imported from its module on first use (PEP 562), so importing one part
of the package (the command line's `fetch`, a connector, the model) loads only what that
part needs.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from embloy_ats.auth import AuthKind
    from embloy_ats.connector import (
        Connector,
        ConnectorSettings,
        Credentials,
        Fetched,
        NoCredentials,
    )
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

    __version__: str

#: where each name of `__all__` lives.
_HOMES = {
    "AuthKind": "embloy_ats.auth",
    "AuthenticationFailed": "embloy_ats.errors",
    "Compensation": "embloy_ats.model",
    "CompensationKind": "embloy_ats.model",
    "ConfigurationError": "embloy_ats.errors",
    "Connector": "embloy_ats.connector",
    "ConnectorSettings": "embloy_ats.connector",
    "Credentials": "embloy_ats.connector",
    "DatabaseUnavailable": "embloy_ats.errors",
    "EmbloyAtsError": "embloy_ats.errors",
    "EmploymentType": "embloy_ats.model",
    "Fetched": "embloy_ats.connector",
    "HttpClient": "embloy_ats.http",
    "InvalidJobId": "embloy_ats.errors",
    "Job": "embloy_ats.model",
    "JobNotFound": "embloy_ats.errors",
    "JobStatus": "embloy_ats.model",
    "Location": "embloy_ats.model",
    "NoCredentials": "embloy_ats.connector",
    "PayInterval": "embloy_ats.model",
    "PayloadError": "embloy_ats.errors",
    "PermissionDenied": "embloy_ats.errors",
    "Question": "embloy_ats.model",
    "QuestionCategory": "embloy_ats.model",
    "QuestionOption": "embloy_ats.model",
    "QuestionType": "embloy_ats.model",
    "RateLimitPolicy": "embloy_ats.ratelimit",
    "RateLimited": "embloy_ats.errors",
    "Registry": "embloy_ats.registry",
    "RequestRejected": "embloy_ats.errors",
    "RetryPolicy": "embloy_ats.http",
    "Timeouts": "embloy_ats.http",
    "UnexpectedRedirect": "embloy_ats.errors",
    "UpstreamError": "embloy_ats.errors",
    "UpstreamTimeout": "embloy_ats.errors",
    "UpstreamUnavailable": "embloy_ats.errors",
    "Visibility": "embloy_ats.model",
    "WorkplaceType": "embloy_ats.model",
    "to_embloy": "embloy_ats.exports",
    "to_schema_org": "embloy_ats.exports",
}

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


if not TYPE_CHECKING:  # to mypy, the names are the imports above and nothing else

    def __getattr__(name: str) -> Any:
        if name == "__version__":
            from embloy_ats.version import VERSION

            return VERSION
        home = _HOMES.get(name)
        if home is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(import_module(home), name)
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *__all__, "__version__"})
