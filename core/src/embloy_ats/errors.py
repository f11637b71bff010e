"""One error hierarchy for everything that can go wrong between Embloy and an ATS.

Every error names the connector and the job it concerns and says what the user can do.
Messages are built from our own words only: never from a credential, and never from what
the ATS wrote (bodies, its error messages, field values), which may echo a secret or carry
a candidate's data. A plain ATS error code may be kept, outside the message, in
`UpstreamError.upstream_code` for the operator's log.

`DEFAULT_ERRORS` is the one status-to-error table: the HTTP core raises from it, and a
connector overrides it one entry at a time (`WayIn.errors`) with its own words and hints.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Self

if TYPE_CHECKING:
    from pydantic import JsonValue


class EmbloyAtsError(Exception):
    """Root of every error this package raises on purpose."""

    #: what the user can do about it; subclasses override.
    hint: str = "See the message above."
    #: process exit code the CLI uses for this kind of error.
    exit_code: int = 1

    def __init__(
        self,
        message: str,
        *,
        connector: str | None = None,
        job_id: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.connector = connector
        self.job_id = job_id
        if hint is not None:
            self.hint = hint
        super().__init__(self.__str__())

    def locate(self, connector: str, job_id: str | None = None) -> Self:
        """Name the connector and the job where the code that raised did not.

        The connector base class calls this for every error it lets out, so connector code
        raises errors in its own words only, without repeating who and which job.
        """
        if self.connector is None:
            self.connector = connector
        if self.job_id is None:
            self.job_id = job_id
        self.args = (self.__str__(),)
        return self

    def __str__(self) -> str:
        where = ""
        if self.connector:
            where = self.connector
            if self.job_id is not None:
                where += f" job {self.job_id!r}"
            where += ": "
        end = "" if self.message.endswith((".", "?", "!")) else "."
        return f"{where}{self.message}{end}" + (f" {self.hint}" if self.hint else "")

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, "
            f"connector={self.connector!r}, job_id={self.job_id!r})"
        )


class ConfigurationError(EmbloyAtsError):
    """Something is set up wrongly: a connector's setting, a key, a file, a command's input."""

    #: for an error that names its connector; others carry their own hint, or none.
    hint = "Check the connector's settings and credentials (`embloy-ats connectors`)."
    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        connector: str | None = None,
        job_id: str | None = None,
        hint: str | None = None,
    ) -> None:
        if hint is None and connector is None and type(self).hint == ConfigurationError.hint:
            hint = ""  # about no connector: pointing at one would mislead
        super().__init__(message, connector=connector, job_id=job_id, hint=hint)


class InvalidJobId(EmbloyAtsError, ValueError):
    """The job id does not match the connector's id format; nothing was sent upstream."""

    hint = "Check the job id: it must match the connector's id pattern."
    exit_code = 2


#: what an ATS error code must look like to be kept (a plain identifier, no free text).
_UPSTREAM_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_.:-]{0,63}")


class UpstreamError(EmbloyAtsError):
    """The ATS answered, or failed to answer, in a way we cannot turn into a Job."""

    hint = "Try again later; if it persists, check the ATS's status page."
    exit_code = 6

    def __init__(
        self,
        message: str,
        *,
        connector: str | None = None,
        job_id: str | None = None,
        hint: str | None = None,
        status_code: int | None = None,
        request_id: str | None = None,
        upstream_code: str | None = None,
    ) -> None:
        self.status_code = status_code
        self.request_id = request_id
        #: the ATS's own error code, for the operator's log; never part of the message, and
        #: dropped unless it is a plain identifier (free text may carry personal data).
        self.upstream_code = (
            upstream_code
            if upstream_code is not None and _UPSTREAM_CODE.fullmatch(upstream_code)
            else None
        )
        super().__init__(message, connector=connector, job_id=job_id, hint=hint)

    def answered(self, status_code: int, request_id: str | None) -> Self:
        """Fill in the answer this error is about, where the code that raised did not."""
        if self.status_code is None:
            self.status_code = status_code
        if self.request_id is None:
            self.request_id = request_id
        return self

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, connector={self.connector!r}, "
            f"job_id={self.job_id!r}, status_code={self.status_code!r}, "
            f"request_id={self.request_id!r}, upstream_code={self.upstream_code!r})"
        )


class JobNotFound(UpstreamError):
    """The ATS does not know this job (or no longer publishes it)."""

    hint = "Check the job id and the board/site setting; the posting may have been removed."
    exit_code = 3


class AuthenticationFailed(UpstreamError):
    """The ATS rejected the credentials (HTTP 401 or an equivalent error code)."""

    hint = "Check the connector's credentials; they may be wrong, expired or revoked."
    exit_code = 4


class PermissionDenied(UpstreamError):
    """The credentials are valid but may not read this job (HTTP 403)."""

    hint = "Grant the API key read access to jobs in the ATS's admin settings."
    exit_code = 4


class RequestRejected(UpstreamError):
    """The ATS refused the request as malformed (HTTP 400/422); retrying will not help."""

    hint = "Check the settings and the job id; the ATS refused the request as invalid."
    exit_code = 2


class RateLimited(UpstreamError):
    """The ATS asked us to slow down for longer than we are willing to wait."""

    hint = "Wait before retrying; the ATS's rate limit for this account is exhausted."
    exit_code = 5

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        connector: str | None = None,
        job_id: str | None = None,
        hint: str | None = None,
        status_code: int | None = 429,
        request_id: str | None = None,
        upstream_code: str | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(
            message,
            connector=connector,
            job_id=job_id,
            hint=hint,
            status_code=status_code,
            request_id=request_id,
            upstream_code=upstream_code,
        )


class UpstreamUnavailable(UpstreamError):
    """The ATS could not be reached or kept failing (5xx, connection errors)."""


class UpstreamTimeout(UpstreamUnavailable):
    """The ATS did not answer within the timeout, after every allowed attempt."""


class UnexpectedRedirect(UpstreamError):
    """The ATS answered with a redirect; we never follow them (they could leave the host)."""

    hint = "Check the connector's base_url; the ATS may have moved the API."


class PayloadError(UpstreamError):
    """The ATS answered something we cannot read: not JSON, truncated, too big, wrong shape."""

    hint = "The ATS's answer was not a job we can read; report it with the request id."
    exit_code = 7


class DatabaseUnavailable(EmbloyAtsError):
    """The database server cannot be reached, refuses the login, or has no such database."""

    hint = (
        "Check EMBLOY_ATS_DATABASE_URL, and that the server is running and the database "
        "exists (`embloy-ats doctor` checks the whole configuration)."
    )
    exit_code = 8


# -- the status-to-error table --------------------------------------------------------------

#: a status (`404`) or a class of statuses (`"4xx"`).
StatusKey = int | str
#: reads an error answer's body (decoded JSON, or None) for an ATS whose body says more than
#: its status; returns the error to raise, or None for the rule's own.
BodyReader = Callable[[int, "JsonValue | None"], "EmbloyAtsError | None"]
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)(!r)?\}")


def fill(template: str, values: Mapping[str, object]) -> str:
    """`{name}` (or `{name!r}`) replaced by `values[name]`, in one pass: a value is never read
    as a template itself, and a name without a value is left as it is (filled later)."""

    def one(match: re.Match[str]) -> str:
        name, as_repr = match.group(1), match.group(2)
        if name not in values:
            return match.group(0)
        value = values[name]
        return repr(value) if as_repr else str(value)

    return _PLACEHOLDER.sub(one, template)


@dataclass(frozen=True)
class ErrorRule:
    """What an HTTP status means: the error, its message in our words and what to do.

    `message` and `hint` may name `{status}` and, in a connector's own rules, its settings
    and `{base_url}` (`"refused the API version {api_version!r} (HTTP {status})"`); never
    anything the ATS wrote. `read` is for an ATS whose error body says more than its status.
    """

    error: type[EmbloyAtsError]
    message: str
    hint: str | None = None
    read: BodyReader | None = None

    def with_hint(self, hint: str) -> ErrorRule:
        return replace(self, hint=hint)

    def render(self, values: Mapping[str, object]) -> ErrorRule:
        """The rule with `values` filled into its message and hint."""
        hint = fill(self.hint, values) if self.hint is not None else None
        return replace(self, message=fill(self.message, values), hint=hint)

    def build(
        self,
        status: int,
        *,
        connector: str | None = None,
        job_id: str | None = None,
        request_id: str | None = None,
    ) -> EmbloyAtsError:
        rule = self.render({"status": status})
        if issubclass(rule.error, UpstreamError):
            return rule.error(
                rule.message,
                connector=connector,
                job_id=job_id,
                hint=rule.hint,
                status_code=status,
                request_id=request_id,
            )
        return rule.error(rule.message, connector=connector, job_id=job_id, hint=rule.hint)


ErrorRules = Mapping[StatusKey, ErrorRule]

#: The core's reading of HTTP statuses that are final (retried ones end in RateLimited,
#: UpstreamTimeout or UpstreamUnavailable after every attempt; see `HttpClient`).
DEFAULT_ERRORS: ErrorRules = MappingProxyType(
    {
        "3xx": ErrorRule(UnexpectedRedirect, "answered with a redirect (HTTP {status})"),
        401: ErrorRule(AuthenticationFailed, "rejected the credentials (HTTP {status})"),
        403: ErrorRule(PermissionDenied, "refused access (HTTP {status})"),
        404: ErrorRule(JobNotFound, "has no such job (HTTP {status})"),
        410: ErrorRule(JobNotFound, "has no such job (HTTP {status})"),
        "4xx": ErrorRule(RequestRejected, "refused the request (HTTP {status})"),
        "5xx": ErrorRule(UpstreamUnavailable, "failed (HTTP {status})"),
    }
)


def rule_for(status: int, rules: ErrorRules = DEFAULT_ERRORS) -> ErrorRule:
    """The rule for `status`: its own entry, else its class's, else the core's."""
    for table in (rules, DEFAULT_ERRORS):
        rule = table.get(status) or table.get(f"{status // 100}xx")
        if rule is not None:
            return rule
    return DEFAULT_ERRORS["5xx"]  # a status outside 3xx-5xx is the ATS failing


def error_for_status(
    status: int,
    rules: ErrorRules = DEFAULT_ERRORS,
    *,
    connector: str | None = None,
    job_id: str | None = None,
    request_id: str | None = None,
) -> EmbloyAtsError:
    """The error a final `status` means, from `rules` over the core's table."""
    return rule_for(status, rules).build(
        status, connector=connector, job_id=job_id, request_id=request_id
    )


def merge_rules(*layers: Mapping[StatusKey, ErrorRule | str]) -> dict[StatusKey, ErrorRule]:
    """The core's table with each layer's entries over it, in order. An entry that is only a
    string replaces the hint of the rule it lands on and keeps its error and message."""
    merged: dict[StatusKey, ErrorRule] = dict(DEFAULT_ERRORS)
    for layer in layers:
        for key, entry in layer.items():
            if isinstance(entry, str):
                base = merged.get(key)
                if base is None:
                    base = rule_for(key, merged) if isinstance(key, int) else DEFAULT_ERRORS["5xx"]
                merged[key] = base.with_hint(entry)
            else:
                merged[key] = entry
    return merged
