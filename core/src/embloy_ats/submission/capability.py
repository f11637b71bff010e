"""The connector capability of sending an application to its ATS, and what a send can end in.

Structural: a connector submits applications by having the methods, not by inheriting
anything. The delivery worker owns every retry, wait and rate limit; a connector sends
once per call and says how it went by returning a `Receipt` or raising one of the errors
below (or the core's own: `RateLimited`, `UpstreamTimeout`..., which `classify` maps).

A 2xx is not success until the body says so: a connector returns a Receipt only once it
has read, in the ATS's answer, that the application was recorded.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable

from embloy_ats import errors
from embloy_ats.model import Job, QuestionType
from embloy_ats.ratelimit import RateLimitPolicy
from embloy_ats.submission.model import Application, Receipt

_MAX_ERROR_CHARS = 1000


@runtime_checkable
class SubmitsApplications(Protocol):
    async def submit_application(self, job: Job, application: Application) -> Receipt:
        """Send `application` once; return the receipt the ATS's answer holds.

        Never retry inside (a retried POST after a timeout is how duplicates happen) and
        never return when the answer does not say the application was recorded.
        """
        ...


@runtime_checkable
class FindsApplications(Protocol):
    async def find_application(self, job: Job, application: Application) -> Receipt | None:
        """The application if the ATS already has it (e.g. by the candidate's email on this
        job), else None. Called before resending after an ambiguous outcome."""
        ...


def submits(connector: object) -> bool:
    """Whether a connector (class or instance) can submit applications."""
    return inspect.iscoroutinefunction(getattr(connector, "submit_application", None))


def finds(connector: object) -> bool:
    """Whether a connector (class or instance) can look an application up."""
    return inspect.iscoroutinefunction(getattr(connector, "find_application", None))


def resends_after_unknown_outcome(connector: object) -> bool:
    """A connector without a lookup sets `resend_after_unknown_outcome = True` when its ATS
    merges a second application of one candidate to one job (e.g. by email), so resending
    after an ambiguous outcome cannot create a duplicate. Without it, such an application
    fails as `unknown_outcome`, for an operator to check the ATS and retry by hand."""
    return getattr(connector, "resend_after_unknown_outcome", False) is True


def max_file_bytes(connector: object) -> int | None:
    """The largest file the ATS takes (`max_submit_file_bytes`, e.g. SmartRecruiters' 2 MB
    per attachment), where it sets one: the apply page refuses larger files for its jobs."""
    value = getattr(connector, "max_submit_file_bytes", None)
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None


def max_files_per_question(connector: object) -> int:
    """How many files the connector sends for one file question
    (`max_submit_files_per_question`; 1 where it declares none, as every connector sends
    one today): the apply page and endpoint refuse more for its jobs, whatever the
    service's own limit, so no file a candidate attached is left out of the delivery."""
    value = getattr(connector, "max_submit_files_per_question", None)
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return 1


def undeliverable_question_types(connector: object) -> frozenset[QuestionType]:
    """The kinds of question the ATS cannot be sent an answer to
    (`undeliverable_question_types`, e.g. Teamtailor's files and videos, which it takes
    only as public links): the apply page does not ask them for its jobs, the apply
    endpoint refuses an answer to them, and the connector sends the rest."""
    value = getattr(connector, "undeliverable_question_types", None)
    if isinstance(value, frozenset | set | tuple | list):
        return frozenset(kind for kind in value if isinstance(kind, QuestionType))
    return frozenset()


def deliverable(job: Job, connector: object) -> Job:
    """`job` without the questions its connector cannot deliver (the job itself when it
    has none): what a candidate is asked and what an application to it holds."""
    kinds = undeliverable_question_types(connector)
    kept = tuple(question for question in job.questions if question.type not in kinds)
    if len(kept) == len(job.questions):
        return job
    return job.model_copy(update={"questions": kept})


def submit_rate_limit(connector: object) -> RateLimitPolicy | None:
    """The limit on submissions (`submit_rate_limit`, e.g. Lever's 2 POSTs per second),
    else the connector's general one."""
    policy = getattr(connector, "submit_rate_limit", None)
    if isinstance(policy, RateLimitPolicy):
        return policy
    general = getattr(connector, "rate_limit_policy", None)
    if callable(general):
        found = general()
        if isinstance(found, RateLimitPolicy):
            return found
    return None


class SubmitError(errors.UpstreamError):
    """A submission did not end in a receipt."""


class SubmitRetryable(SubmitError):
    """The ATS did not record the application (429, maintenance, a refused connection):
    sending it again later is safe."""

    hint = "It is sent again later, automatically."

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        connector: str | None = None,
        job_id: str | None = None,
        status_code: int | None = None,
        request_id: str | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(
            message, connector=connector, job_id=job_id, status_code=status_code,
            request_id=request_id,
        )  # fmt: skip


class SubmitAmbiguous(SubmitError):
    """The request went out and no answer says whether the ATS recorded it (a timeout or a
    reset after sending, a 5xx, an unreadable 2xx)."""

    hint = "It is looked up in the ATS (where the connector can) before it is sent again."


class SubmitRejected(SubmitError):
    """The ATS refused the application's content (per-field validation errors, the job no
    longer takes applications): sending it again would be refused again."""

    hint = "Check the reasons; after fixing the cause, retry it by hand."

    def __init__(
        self,
        message: str,
        *,
        reasons: Mapping[str, str] | None = None,
        connector: str | None = None,
        job_id: str | None = None,
        status_code: int | None = None,
        request_id: str | None = None,
    ) -> None:
        #: the ATS's reason per field, in its own words (personal data is masked before
        #: they are stored).
        self.reasons = dict(reasons or {})
        super().__init__(
            message, connector=connector, job_id=job_id, status_code=status_code,
            request_id=request_id,
        )  # fmt: skip


class OutcomeKind(StrEnum):
    RETRYABLE = "retryable"
    AMBIGUOUS = "ambiguous"
    REJECTED = "rejected"
    JOB_GONE = "job_gone"


@dataclass(frozen=True)
class Failure:
    """A failed send as the worker acts on it."""

    kind: OutcomeKind
    #: what happened, for `last_error` (the ATS's reasons included); personal data is
    #: masked by the worker.
    description: str
    retry_after: float | None = None


def classify(exc: BaseException) -> Failure:
    """How a connector's error bears on resending. Anything not known to be refused or
    unsent counts as ambiguous: a duplicate is only avoided by looking before resending."""
    name = type(exc).__name__
    if isinstance(exc, errors.EmbloyAtsError):
        text = f"{name}: {exc.message}"
        if exc.connector:
            text = f"{name}: {exc.connector}: {exc.message}"
    else:
        # A bug in a connector: its message may quote what it was sending.
        text = f"{name} raised by the connector"
    text = text[:_MAX_ERROR_CHARS]
    if isinstance(exc, SubmitRejected):
        reasons = {str(k)[:200]: str(v)[:500] for k, v in list(exc.reasons.items())[:50]}
        if reasons:
            listed = "; ".join(f"{key}: {why}" for key, why in reasons.items())
            text = f"{text} ({listed})"[:_MAX_ERROR_CHARS]
        return Failure(OutcomeKind.REJECTED, text)
    if isinstance(exc, SubmitRetryable):
        return Failure(OutcomeKind.RETRYABLE, text, retry_after=exc.retry_after)
    if isinstance(exc, SubmitAmbiguous):
        return Failure(OutcomeKind.AMBIGUOUS, text)
    if isinstance(exc, errors.RateLimited):
        return Failure(OutcomeKind.RETRYABLE, text, retry_after=exc.retry_after)
    if isinstance(exc, errors.JobNotFound):
        return Failure(OutcomeKind.JOB_GONE, text)
    if isinstance(exc, errors.RequestRejected | errors.InvalidJobId):
        return Failure(OutcomeKind.REJECTED, text)
    if isinstance(exc, errors.AuthenticationFailed | errors.PermissionDenied):
        return Failure(OutcomeKind.RETRYABLE, text)  # refused before anything was recorded
    if isinstance(exc, errors.ConfigurationError):
        return Failure(OutcomeKind.RETRYABLE, text)  # nothing was sent; fixable by an operator
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return Failure(OutcomeKind.AMBIGUOUS, f"{name}: the ATS did not answer in time")
    return Failure(OutcomeKind.AMBIGUOUS, text)
