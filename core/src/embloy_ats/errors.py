"""One error hierarchy for everything that can go wrong between Embloy and an ATS.

Every error names the connector and the job it concerns and says what the user can do.
Messages are built from our own words only: never from a credential, and never from an
upstream body, which may echo one back.
"""

from __future__ import annotations


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
    ) -> None:
        self.status_code = status_code
        self.request_id = request_id
        super().__init__(message, connector=connector, job_id=job_id, hint=hint)


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
    ) -> None:
        self.retry_after = retry_after
        super().__init__(
            message,
            connector=connector,
            job_id=job_id,
            hint=hint,
            status_code=status_code,
            request_id=request_id,
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
