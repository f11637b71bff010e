"""Accepting an application: what `POST /api/v0/sdk/apply` does once it has read the form.

`accept` validates the answers against the stored Job's questions and, when they hold,
stores the application, its files and its queue entry in one transaction; from then on it
is the delivery worker's, and it is never lost. A repeated `Idempotency-Key` answers the
application stored with it, and stores nothing new.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from embloy_ats.applications.settings import DeliverySettings
from embloy_ats.applications.store import ApplicationStore, PurgeReport, new_application_id
from embloy_ats.applications.validation import (
    FIELD_PREFIX,
    InvalidApplication,
    Limits,
    validate_answers,
)
from embloy_ats.clock import SYSTEM_CLOCK, Clock
from embloy_ats.errors import ConfigurationError, EmbloyAtsError
from embloy_ats.model import Job
from embloy_ats.registry import Registry
from embloy_ats.submission.capability import (
    deliverable,
    max_file_bytes,
    max_files_per_question,
    submits,
)
from embloy_ats.submission.model import (
    ApplicationRecord,
    ApplicationStatus,
    NewApplication,
    UploadedFile,
)

#: an Idempotency-Key: what clients send (UUIDs, random tokens), nothing stranger.
_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:=+/")
_MAX_KEY = 255


class SubmissionUnsupported(ConfigurationError):
    """The job's connector cannot send applications to its ATS."""

    hint = "Install a version of the connector that submits (`embloy-ats connectors`)."


class InvalidIdempotencyKey(EmbloyAtsError):
    hint = f"Send 1-{_MAX_KEY} characters: letters, digits and - _ . : = + / (a UUID will do)."
    exit_code = 2


@dataclass(frozen=True)
class Accepted:
    """The application is stored and queued (or was, under the same Idempotency-Key)."""

    application_id: str
    redirect_url: str | None
    #: True when an earlier request with the same Idempotency-Key stored it.
    replayed: bool = False
    status: ApplicationStatus = ApplicationStatus.QUEUED

    def to_json(self) -> dict[str, Any]:
        """The body of the `202` answer (the same for a replay: the original answer)."""
        return {
            "application_id": self.application_id,
            "status": self.status.value,
            "redirect_url": self.redirect_url,
        }


def fingerprint(
    job: Job, fields: Mapping[str, Sequence[str]], files: Mapping[str, Sequence[UploadedFile]]
) -> str:
    """A digest of the request's answers and files as sent: a replay under the same key
    has the same one. Kept encrypted with the answers, as it is derived from them."""
    digest = hashlib.sha256()
    shown_fields = {
        name: [value for value in ([values] if isinstance(values, str) else values)
               if isinstance(value, str)]
        for name, values in sorted(fields.items())
        if isinstance(name, str) and name.startswith(FIELD_PREFIX)
    }  # fmt: skip
    shown_files = {
        name: [
            [file.name, hashlib.sha256(file.data).hexdigest()]
            for file in parts
            if isinstance(file, UploadedFile) and isinstance(file.data, bytes)
        ]
        for name, parts in sorted(files.items())
        if isinstance(name, str) and name.startswith(FIELD_PREFIX)
    }
    document = {"job": job.slug, "fields": shown_fields, "files": shown_files}
    digest.update(json.dumps(document, sort_keys=True, ensure_ascii=True).encode())
    return digest.hexdigest()


class ApplicationService:
    """Accepts applications into the outbox, and answers what became of them."""

    def __init__(
        self,
        store: ApplicationStore,
        *,
        registry: Registry | None = None,
        limits: Limits | None = None,
        settings: DeliverySettings | None = None,
        clock: Clock = SYSTEM_CLOCK,
        on_accepted: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        self.registry = registry or Registry.discover()
        self.limits = limits or Limits()
        self.settings = settings or DeliverySettings()
        self.clock = clock
        #: called after each new application is stored (e.g. `Worker.wake`).
        self.on_accepted = on_accepted

    def _now(self) -> float:
        return self.clock.now().timestamp()

    def _connector(self, mode: str) -> tuple[type[Any], str] | None:
        """The connector class of `mode` and the ATS's name, None when none is installed."""
        try:
            connector = self.registry.get(mode).connector
        except EmbloyAtsError:
            return None
        return connector, getattr(connector, "display_name", None) or mode

    def limits_for(self, mode: str) -> Limits:
        """The limits for a job of `mode`: the service's, with the file size and the files
        per question lowered to what the connector's ATS takes or the connector sends,
        where that is less (said in the refusal)."""
        found = self._connector(mode)
        if found is None:
            return self.limits
        connector, name = found
        limits = self.limits
        cap = max_file_bytes(connector)
        if cap is not None and cap < limits.max_file_bytes:
            limits = replace(
                limits, max_file_bytes=cap, file_limit_reason=f"{name} takes no larger files"
            )
        files = max_files_per_question(connector)
        if files < limits.max_files_per_question:
            per = "one file per question is" if files == 1 else f"{files} files per question are"
            limits = replace(
                limits, max_files_per_question=files,
                files_limit_reason=f"only {per} sent to {name}",
            )  # fmt: skip
        return limits

    def job_taken(self, job: Job) -> Job:
        """`job` as applications to it are taken: without the questions its connector
        declares it cannot deliver (`undeliverable_question_types`), which the apply page
        does not show and the apply endpoint refuses answers to."""
        found = self._connector(job.connector)
        return job if found is None else deliverable(job, found[0])

    def _left_out(self, job: Job, taken: Job) -> dict[str, str]:
        found = self._connector(job.connector)
        if found is None:
            return {}
        kept = {question.id for question in taken.questions}
        why = f"{found[1]} cannot take this answer; send the application without it."
        return {question.id: why for question in job.questions if question.id not in kept}

    async def accept(
        self,
        tenant_id: str,
        job: Job,
        fields: Mapping[str, Sequence[str]],
        files: Mapping[str, Sequence[UploadedFile]],
        *,
        idempotency_key: str | None = None,
        redirect_url: str | None = None,
    ) -> Accepted | InvalidApplication:
        """Validate and store; `InvalidApplication` (nothing stored) when answers fail.

        `fields` holds each form field's text values and `files` its file parts, by field
        name (`answer.<question id>`); other fields are ignored. `redirect_url` is the
        session's `success_url`, answered back (also on a replay).
        """
        if idempotency_key is not None:
            _check_key(idempotency_key)
        digest = fingerprint(job, fields, files)
        if idempotency_key is not None:
            found = await self.store.find_by_idempotency_key(tenant_id, idempotency_key, digest)
            if found is not None:
                return Accepted(found.application_id, found.redirect_url, replayed=True)
        taken = self.job_taken(job)
        checked = validate_answers(
            taken, fields, files, self.limits_for(job.connector),
            left_out=self._left_out(job, taken),
        )  # fmt: skip
        if isinstance(checked, InvalidApplication):
            return checked
        info = self.registry.get(job.connector)
        if not submits(info.connector):
            raise SubmissionUnsupported(
                "this connector cannot send applications to its ATS", connector=job.connector
            )
        now = self._now()
        inserted = await self.store.insert(
            NewApplication(
                id=new_application_id(),
                tenant_id=tenant_id,
                job=taken,
                answers=checked.answers,
                files=checked.files,
                fingerprint=digest,
                redirect_url=redirect_url,
                created_at=now,
                deadline_at=now + self.settings.deadline,
                idempotency_key=idempotency_key,
            )
        )
        record = inserted.record
        if inserted.created and self.on_accepted is not None:
            self.on_accepted()
        return Accepted(record.application_id, record.redirect_url, replayed=not inserted.created)

    async def status(self, tenant_id: str, application_id: str) -> ApplicationRecord | None:
        """The application, if it is this tenant's (None for another tenant's: a 404)."""
        return await self.store.get(application_id, tenant_id=tenant_id)

    async def retry(self, application_id: str) -> ApplicationRecord:
        """A failed application back in the queue, with a fresh deadline."""
        return await self.store.retry(
            application_id, now=self._now(), deadline=self.settings.deadline
        )

    async def purge(self) -> PurgeReport:
        """Delete what the retention settings say is due."""
        return await self.store.purge(
            now=self._now(),
            file_retention=self.settings.file_retention,
            retention=self.settings.retention,
        )


def _check_key(key: object) -> None:
    if not isinstance(key, str) or not 0 < len(key) <= _MAX_KEY or not set(key) <= _KEY_CHARS:
        raise InvalidIdempotencyKey("the Idempotency-Key header is malformed")
