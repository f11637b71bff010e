"""An application: a candidate's answers to one Job's questions, their files, and where
its delivery to the ATS stands.

Answers and files are personal data: their reprs never show them, they are encrypted at
rest (`ApplicationStore`), and nothing here puts them in a message.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from embloy_ats.model import Job, QuestionType

#: what one answer holds, by question type: text (short and long text, email, phone,
#: link, location, and the option id of a single choice), `bool` (yes/no), `Decimal`
#: (number), `date` (date), a tuple of option ids (multiple choice).
AnswerValue = str | bool | Decimal | date | tuple[str, ...]


class ApplicationStatus(StrEnum):
    #: stored, never tried yet (or put back by hand).
    QUEUED = "queued"
    #: a worker holds it and is sending it.
    DELIVERING = "delivering"
    #: an attempt failed; the next one is scheduled.
    RETRYING = "retrying"
    #: the ATS has it.
    DELIVERED = "delivered"
    #: given up: rejected by the ATS, or not delivered by the deadline; retryable by hand.
    FAILED = "failed"


#: statuses a worker may still act on.
PENDING = (ApplicationStatus.QUEUED, ApplicationStatus.RETRYING, ApplicationStatus.DELIVERING)


class FailureReason(StrEnum):
    """Why an application was given up on; a metrics label and the `failure_reason` column."""

    #: the ATS refused its content (per-field validation errors).
    REJECTED = "rejected"
    #: the ATS says the job is gone.
    JOB_GONE = "job_gone"
    #: not delivered by the deadline; `last_error` says what the last attempt met.
    DEADLINE = "deadline"
    #: an attempt may have landed, and the connector can neither look it up nor resend safely.
    UNKNOWN_OUTCOME = "unknown_outcome"
    #: the tenant's connector cannot submit applications.
    UNSUPPORTED = "unsupported"


@dataclass(frozen=True, repr=False)
class UploadedFile:
    """One file a candidate attached. `content_type` is what the content was judged to be."""

    name: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        return f"UploadedFile(content_type={self.content_type!r}, size={self.size})"


@dataclass(frozen=True)
class Receipt:
    """What the ATS said when it took the application: its ids, where it answers any."""

    ats_application_id: str | None = None
    ats_candidate_id: str | None = None

    def __post_init__(self) -> None:
        for name in ("ats_application_id", "ats_candidate_id"):
            value = getattr(self, name)
            if value is not None and (
                not isinstance(value, str) or not 0 < len(value) <= 256 or not value.isprintable()
            ):
                raise ValueError(f"{name} must be 1-256 printable characters")

    def to_json(self) -> str:
        return json.dumps(
            {"ats_application_id": self.ats_application_id,
             "ats_candidate_id": self.ats_candidate_id},
            sort_keys=True,
        )  # fmt: skip


#: how many steps a progress holds, and how long a key and a value may be.
MAX_PROGRESS_STEPS = 200
_MAX_PROGRESS_KEY = 100
_MAX_PROGRESS_VALUE = 256

ProgressSaver = Callable[[dict[str, str]], Awaitable[bool]]


class ProgressLost(Exception):
    """The progress could not be saved: the worker lost its claim on the application."""


class DeliveryProgress:
    """How far the delivery of one application got, for an ATS that takes it in several
    calls (create the candidate, then the application, then each answer): the ATS's id of
    each thing made, by a key the connector chooses. It is stored with the application,
    survives a failed attempt, a dead worker and a retry by hand, and is handed to the next
    attempt, so a connector resumes from the step it reached and never makes one thing twice.

    Only the ATS's ids belong here, never what the candidate wrote: it is stored in clear.
    """

    def __init__(
        self, values: Mapping[str, str] | None = None, saver: ProgressSaver | None = None
    ) -> None:
        found = dict(values or {})
        for key, value in found.items():
            _check_step(key, value)
        self._values = found
        self._saver = saver

    @property
    def values(self) -> dict[str, str]:
        return dict(self._values)

    def get(self, key: str) -> str | None:
        return self._values.get(key)

    async def record(self, key: str, value: str) -> None:
        """Keep `key` = `value` (written to the store at once, when a worker delivers).
        Raises `ProgressLost` when the worker no longer holds the application: stop there."""
        _check_step(key, value)
        if self._values.get(key) == value:
            return
        if key not in self._values and len(self._values) >= MAX_PROGRESS_STEPS:
            raise ValueError(f"a progress holds at most {MAX_PROGRESS_STEPS} steps")
        updated = {**self._values, key: value}
        if self._saver is not None and not await self._saver(updated):
            raise ProgressLost("the delivery's claim was lost; its progress was not saved")
        self._values = updated

    def saving_with(self, saver: ProgressSaver) -> DeliveryProgress:
        """The same progress, written through `saver` from now on."""
        return DeliveryProgress(self._values, saver)

    def to_json(self) -> str:
        return json.dumps(self._values, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> DeliveryProgress:
        if not text:
            return cls()
        found = json.loads(text)
        if not isinstance(found, dict):
            raise ValueError("a stored progress is not an object")
        return cls({str(k): str(v) for k, v in found.items()})

    def __repr__(self) -> str:
        return f"DeliveryProgress({sorted(self._values)!r})"


def _check_step(key: object, value: object) -> None:
    for what, text, longest in (("key", key, _MAX_PROGRESS_KEY),
                                ("value", value, _MAX_PROGRESS_VALUE)):  # fmt: skip
        if not isinstance(text, str) or not 0 < len(text) <= longest or not text.isprintable():
            raise ValueError(f"a progress {what} must be 1-{longest} printable characters")


@dataclass(frozen=True, repr=False)
class Application:
    """What a connector's `submit_application` sends: answers and files by question id."""

    id: str
    tenant_id: str
    mode: str
    job_id: str
    answers: Mapping[str, AnswerValue]
    files: Mapping[str, tuple[UploadedFile, ...]]
    created_at: float
    #: how far earlier attempts got (see `DeliveryProgress`).
    progress: DeliveryProgress = field(default_factory=DeliveryProgress, compare=False)

    def __repr__(self) -> str:  # answers and files are personal data: never shown
        return (
            f"Application(id={self.id!r}, mode={self.mode!r}, job_id={self.job_id!r}, "
            f"answers={len(self.answers)}, files={sum(map(len, self.files.values()))})"
        )

    def answer(self, question_id: str) -> AnswerValue | None:
        return self.answers.get(question_id)

    def answer_of_type(self, job: Job, kind: QuestionType) -> AnswerValue | None:
        """The answer to the first of `job`'s questions of type `kind` that was answered
        (e.g. the candidate's email, which lookups search by)."""
        for question in job.questions:
            if question.type is kind and question.id in self.answers:
                return self.answers[question.id]
        return None

    def personal_values(self) -> list[str]:
        """Every answer and file name as text: what must never reach a log or an error."""
        values: list[str] = []
        for value in self.answers.values():
            if isinstance(value, tuple | bool):
                continue  # option ids are the ATS's; yes and no identify no one
            values.append(value.isoformat() if isinstance(value, date) else str(value))
        for files in self.files.values():
            values += [file.name for file in files]
        return values


@dataclass(frozen=True)
class ApplicationRecord:
    """Where an application's delivery stands: what `GET /api/v0/applications/{id}`,
    `applications list` and `applications show` report. No personal data."""

    application_id: str
    tenant_id: str
    mode: str
    job_id: str
    status: ApplicationStatus
    attempts: int
    ats_application_id: str | None
    last_error: str | None
    failure_reason: FailureReason | None
    created_at: float
    updated_at: float
    next_attempt_at: float | None
    deadline_at: float
    delivered_at: float | None
    files_purged_at: float | None
    redirect_url: str | None

    def to_api(self) -> dict[str, Any]:
        """The JSON of `GET /api/v0/applications/{id}` (times as ISO 8601, UTC)."""
        return {
            "application_id": self.application_id,
            "status": self.status.value,
            "attempts": self.attempts,
            "ats_application_id": self.ats_application_id,
            "last_error": self.last_error,
            "created_at": iso(self.created_at),
            "delivered_at": iso(self.delivered_at),
        }

    def to_json(self) -> dict[str, Any]:
        """Everything, for the CLI's `--json`."""
        return self.to_api() | {
            "tenant_id": self.tenant_id,
            "mode": self.mode,
            "job_id": self.job_id,
            "failure_reason": self.failure_reason.value if self.failure_reason else None,
            "updated_at": iso(self.updated_at),
            "next_attempt_at": iso(self.next_attempt_at),
            "deadline_at": iso(self.deadline_at),
            "files_purged_at": iso(self.files_purged_at),
        }


def iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")


# -- the stored form of answers (inside the encrypted payload) --------------------------------


def encode_answers(answers: Mapping[str, AnswerValue]) -> dict[str, dict[str, Any]]:
    """Each value tagged with its type, so it reads back as the same Python value."""
    encoded: dict[str, dict[str, Any]] = {}
    for question_id, value in answers.items():
        if isinstance(value, bool):
            encoded[question_id] = {"b": value}
        elif isinstance(value, str):
            encoded[question_id] = {"s": value}
        elif isinstance(value, Decimal):
            encoded[question_id] = {"n": str(value)}
        elif isinstance(value, date):
            encoded[question_id] = {"d": value.isoformat()}
        else:
            encoded[question_id] = {"m": list(value)}
    return encoded


def decode_answers(encoded: Mapping[str, Mapping[str, Any]]) -> dict[str, AnswerValue]:
    answers: dict[str, AnswerValue] = {}
    for question_id, tagged in encoded.items():
        ((tag, raw),) = tagged.items()
        if tag == "b":
            answers[question_id] = bool(raw)
        elif tag == "s":
            answers[question_id] = str(raw)
        elif tag == "n":
            answers[question_id] = Decimal(raw)
        elif tag == "d":
            answers[question_id] = date.fromisoformat(raw)
        elif tag == "m":
            answers[question_id] = tuple(str(item) for item in raw)
        else:
            raise ValueError(f"unknown answer tag {tag!r}")
    return answers


@dataclass(frozen=True, repr=False)
class NewApplication:
    """A validated application about to be stored (see `ApplicationService.accept`)."""

    id: str
    tenant_id: str
    job: Job
    answers: Mapping[str, AnswerValue]
    files: Mapping[str, tuple[UploadedFile, ...]]
    #: a digest of the request as sent, to tell a replay from another use of its key.
    fingerprint: str
    redirect_url: str | None
    created_at: float
    deadline_at: float
    idempotency_key: str | None = None

    def __repr__(self) -> str:
        return f"NewApplication(id={self.id!r}, job={self.job.slug!r})"
