"""The outbox: applications, their files and their delivery state, in the job store's database.

One transaction stores an application, its files and its place in the queue, so an
application that was answered `202` is in the queue, whatever dies next. The queue is the
table itself: workers claim due rows with a lease (PostgreSQL adds `FOR UPDATE SKIP
LOCKED`, so concurrent claims never block on or take the same row), renew the lease while
they send, and every write after the claim is fenced by the claim's token, so a worker
whose lease expired (it stalled, another took over) cannot overwrite what the other did.

Answers, file names, content types and file bytes are encrypted with the `KeyRing`
(Fernet); the job an application answered is kept once per distinct version, so a later
change of the job cannot change what the candidate answered. Tables are created at open,
idempotently, beside the job store's (both backends; see `application_store_for`).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from embloy_ats.crypto import KeyRing
from embloy_ats.errors import ConfigurationError, EmbloyAtsError
from embloy_ats.model import Job
from embloy_ats.store import Store, store_for
from embloy_ats.submission.model import (
    PENDING,
    Application,
    ApplicationRecord,
    ApplicationStatus,
    DeliveryProgress,
    FailureReason,
    NewApplication,
    Receipt,
    UploadedFile,
    decode_answers,
    encode_answers,
)

#: files larger than this are encrypted and decrypted off the event loop.
_THREAD_ABOVE = 256 * 1024
_MAX_ERROR = 1000
_PENDING_SQL = "(" + ", ".join(f"'{status.value}'" for status in PENDING) + ")"
_RECORD_COLUMNS = (
    "id, tenant_id, mode, job_id, status, attempts, ats_application_id, last_error, "
    "failure_reason, created_at, updated_at, next_attempt_at, deadline_at, delivered_at, "
    "files_purged_at, redirect_url"
)
#: a job snapshot no application uses any more is deleted after this long.
_SNAPSHOT_GRACE = 24 * 3600.0


class UnknownApplication(EmbloyAtsError):
    hint = "List applications with `embloy-ats applications list`."
    exit_code = 3


class NotRetryable(EmbloyAtsError):
    hint = "Only a failed application can be put back in the queue by hand."
    exit_code = 2


class IdempotencyKeyReused(EmbloyAtsError):
    """The Idempotency-Key was used before, for a different application."""

    hint = "Send a new Idempotency-Key with each new application."
    exit_code = 2


@dataclass(frozen=True)
class Claim:
    """A worker's hold on one application, until its lease expires or the outcome is written."""

    application_id: str
    tenant_id: str
    mode: str
    job_id: str
    token: str
    #: sends started so far (this claim's not counted yet).
    attempts: int
    #: failed attempts since it was (re)queued: the backoff exponent.
    backoff_step: int
    #: an earlier send may have landed: look before sending.
    in_doubt: bool
    created_at: float
    deadline_at: float


@dataclass(frozen=True)
class Inserted:
    record: ApplicationRecord
    #: False when the Idempotency-Key named an application stored before.
    created: bool


@dataclass(frozen=True)
class PurgeReport:
    files: int
    applications: int
    job_snapshots: int


@dataclass(frozen=True)
class QueueOverview:
    """What `doctor` and the metrics need to know about the queue."""

    counts: dict[ApplicationStatus, int]
    #: when the longest-waiting due application became due (None: nothing is due).
    oldest_due_at: float | None
    #: applications a worker claimed and then stopped renewing (it died).
    expired_leases: int


class _Duplicate(Exception):
    """The idempotency key is taken (raised by a backend's `_atomic`)."""


@dataclass(frozen=True)
class Dialect:
    """What differs in the SQL of the two backends."""

    placeholder: str
    real: str
    blob: str
    greatest: str
    #: appended to the claim's inner SELECT.
    claim_lock: str

    def sql(self, text: str) -> str:
        return text.replace("%s", self.placeholder).replace("GREATEST(", self.greatest + "(")


def migrations(dialect: Dialect) -> list[tuple[int, list[str]]]:
    real, blob = dialect.real, dialect.blob
    return [
        (
            1,
            [
                f"""CREATE TABLE application_jobs (
                    digest TEXT PRIMARY KEY,
                    job TEXT NOT NULL,
                    used_at {real} NOT NULL)""",
                f"""CREATE TABLE applications (
                    id TEXT PRIMARY KEY,
                    tenant_id TEXT NOT NULL,
                    mode TEXT NOT NULL,
                    job_id TEXT NOT NULL,
                    job_digest TEXT NOT NULL REFERENCES application_jobs(digest),
                    idempotency_key TEXT,
                    payload {blob} NOT NULL,
                    redirect_url TEXT,
                    status TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    backoff_step INTEGER NOT NULL DEFAULT 0,
                    in_doubt INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at {real} NOT NULL,
                    deadline_at {real} NOT NULL,
                    lease_token TEXT,
                    lease_until {real},
                    last_error TEXT,
                    failure_reason TEXT,
                    ats_application_id TEXT,
                    receipt TEXT,
                    created_at {real} NOT NULL,
                    updated_at {real} NOT NULL,
                    delivered_at {real},
                    files_purged_at {real})""",
                "CREATE UNIQUE INDEX applications_idempotency "
                "ON applications (tenant_id, idempotency_key)",
                "CREATE INDEX applications_due ON applications (next_attempt_at) "
                f"WHERE status IN {_PENDING_SQL}",
                "CREATE INDEX applications_by_tenant ON applications (tenant_id, created_at)",
                "CREATE INDEX applications_by_status ON applications (status, updated_at)",
                "CREATE INDEX applications_by_job ON applications (job_digest)",
                f"""CREATE TABLE application_files (
                    application_id TEXT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
                    question_id TEXT NOT NULL,
                    position INTEGER NOT NULL,
                    size INTEGER NOT NULL,
                    meta {blob} NOT NULL,
                    data {blob} NOT NULL,
                    PRIMARY KEY (application_id, question_id, position))""",
                f"""CREATE TABLE application_rate_slots (
                    key TEXT PRIMARY KEY,
                    next_at {real} NOT NULL)""",
            ],
        ),
        # How far a delivery made in several calls got (the ATS's ids, JSON; see
        # `DeliveryProgress`): no personal data, so not encrypted.
        (2, ["ALTER TABLE applications ADD COLUMN progress TEXT"]),
    ]


def key_digest(idempotency_key: str) -> str:
    """What is stored of an Idempotency-Key: a fixed-size digest, whatever the client sent."""
    return hashlib.sha256(idempotency_key.encode("utf-8", "surrogatepass")).hexdigest()


def new_application_id() -> str:
    return uuid.uuid4().hex


def _record(row: Sequence[Any]) -> ApplicationRecord:
    status = ApplicationStatus(row[4])
    return ApplicationRecord(
        application_id=row[0],
        tenant_id=row[1],
        mode=row[2],
        job_id=row[3],
        status=status,
        attempts=int(row[5]),
        ats_application_id=row[6],
        last_error=row[7],
        failure_reason=FailureReason(row[8]) if row[8] else None,
        created_at=float(row[9]),
        updated_at=float(row[10]),
        next_attempt_at=float(row[11]) if status in PENDING else None,
        deadline_at=float(row[12]),
        delivered_at=float(row[13]) if row[13] is not None else None,
        files_purged_at=float(row[14]) if row[14] is not None else None,
        redirect_url=row[15],
    )


def _claim(row: Sequence[Any], token: str) -> Claim:
    return Claim(
        application_id=row[0], tenant_id=row[1], mode=row[2], job_id=row[3], token=token,
        attempts=int(row[4]), backoff_step=int(row[5]), in_doubt=bool(row[6]),
        created_at=float(row[7]), deadline_at=float(row[8]),
    )  # fmt: skip


class ApplicationStore(ABC):
    """The outbox of one database. `await store.open()` (creates its tables) before use."""

    dialect: Dialect

    def __init__(self, keys: KeyRing) -> None:
        self.keys = keys

    # -- what a backend provides ------------------------------------------------------------

    @abstractmethod
    async def open(self) -> None: ...

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    async def _one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None: ...

    @abstractmethod
    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

    @abstractmethod
    async def _run(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Execute; the number of rows it changed."""

    @abstractmethod
    async def _atomic(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> None:
        """Run every statement in one transaction; `_Duplicate` on a taken idempotency key."""

    async def __aenter__(self) -> ApplicationStore:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _sql(self, text: str) -> str:
        return self.dialect.sql(text)

    # -- encryption -------------------------------------------------------------------------

    async def _seal(self, data: bytes) -> bytes:
        if len(data) > _THREAD_ABOVE:
            return await asyncio.to_thread(self.keys.encrypt_bytes, data)
        return self.keys.encrypt_bytes(data)

    async def _unseal(self, token: bytes, what: str) -> bytes:
        if len(token) > _THREAD_ABOVE:
            return await asyncio.to_thread(self.keys.decrypt_bytes, token, what=what)
        return self.keys.decrypt_bytes(token, what=what)

    # -- accepting --------------------------------------------------------------------------

    async def insert(self, new: NewApplication) -> Inserted:
        """Store the application, its files and its queue entry in one transaction.

        With an idempotency key already used by this tenant, nothing is stored and the
        application stored with it is returned (`IdempotencyKeyReused` if it differs).
        """
        payload = json.dumps(
            {"answers": encode_answers(new.answers), "fingerprint": new.fingerprint},
            sort_keys=True,
        ).encode()
        job_json = new.job.model_dump_json()
        digest = hashlib.sha256(job_json.encode()).hexdigest()
        key = key_digest(new.idempotency_key) if new.idempotency_key is not None else None
        statements: list[tuple[str, Sequence[Any]]] = [
            (
                self._sql(
                    "INSERT INTO application_jobs (digest, job, used_at) VALUES (%s, %s, %s) "
                    "ON CONFLICT (digest) DO UPDATE SET used_at = excluded.used_at"
                ),
                (digest, job_json, new.created_at),
            ),
            (
                self._sql(
                    "INSERT INTO applications (id, tenant_id, mode, job_id, job_digest, "
                    "idempotency_key, payload, redirect_url, status, next_attempt_at, "
                    "deadline_at, created_at, updated_at) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                ),
                (new.id, new.tenant_id, new.job.connector, new.job.external_id, digest, key,
                 await self._seal(payload), new.redirect_url, ApplicationStatus.QUEUED.value,
                 new.created_at, new.deadline_at, new.created_at, new.created_at),
            ),
        ]  # fmt: skip
        insert_file = self._sql(
            "INSERT INTO application_files (application_id, question_id, position, size, "
            "meta, data) VALUES (%s, %s, %s, %s, %s, %s)"
        )
        for question_id, files in new.files.items():
            for position, file in enumerate(files):
                meta = json.dumps({"name": file.name, "content_type": file.content_type})
                statements.append(
                    (insert_file, (new.id, question_id, position, file.size,
                                   await self._seal(meta.encode()), await self._seal(file.data)))
                )  # fmt: skip
        try:
            await self._atomic(statements)
        except _Duplicate:
            assert new.idempotency_key is not None
            found = await self.find_by_idempotency_key(
                new.tenant_id, new.idempotency_key, new.fingerprint
            )
            if found is None:  # the other insert was rolled back meanwhile: try again
                return await self.insert(new)
            return Inserted(found, created=False)
        record = ApplicationRecord(
            application_id=new.id, tenant_id=new.tenant_id, mode=new.job.connector,
            job_id=new.job.external_id, status=ApplicationStatus.QUEUED, attempts=0,
            ats_application_id=None, last_error=None, failure_reason=None,
            created_at=new.created_at, updated_at=new.created_at,
            next_attempt_at=new.created_at, deadline_at=new.deadline_at, delivered_at=None,
            files_purged_at=None, redirect_url=new.redirect_url,
        )  # fmt: skip
        return Inserted(record, created=True)

    async def find_by_idempotency_key(
        self, tenant_id: str, idempotency_key: str, fingerprint: str
    ) -> ApplicationRecord | None:
        """The application this tenant stored with this key; `IdempotencyKeyReused` when
        `fingerprint` says the request that used it first was another."""
        row = await self._one(
            self._sql(
                f"SELECT {_RECORD_COLUMNS}, payload FROM applications "  # noqa: S608 - constants, no input
                "WHERE tenant_id = %s AND idempotency_key = %s"
            ),
            (tenant_id, key_digest(idempotency_key)),
        )
        if row is None:
            return None
        payload = json.loads(await self._unseal(bytes(row[16]), f"application {row[0]}"))
        if payload.get("fingerprint") != fingerprint:
            raise IdempotencyKeyReused(
                "this Idempotency-Key was already used for a different application"
            )
        return _record(row)

    # -- reading ----------------------------------------------------------------------------

    async def get(
        self, application_id: str, *, tenant_id: str | None = None
    ) -> ApplicationRecord | None:
        """The application's status; with `tenant_id`, only if it is that tenant's."""
        sql = f"SELECT {_RECORD_COLUMNS} FROM applications WHERE id = %s"  # noqa: S608 - constants, no input
        params: list[Any] = [application_id]
        if tenant_id is not None:
            sql += " AND tenant_id = %s"
            params.append(tenant_id)
        row = await self._one(self._sql(sql), params)
        return _record(row) if row else None

    async def show(self, application_id: str) -> ApplicationRecord:
        found = await self.get(application_id)
        if found is None:
            raise UnknownApplication(f"no application has the id {application_id[:64]!r}")
        return found

    async def list_applications(
        self,
        *,
        tenant_id: str | None = None,
        status: ApplicationStatus | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[ApplicationRecord]:
        """Newest first."""
        where, params = [], []
        if tenant_id is not None:
            where.append("tenant_id = %s")
            params.append(tenant_id)
        if status is not None:
            where.append("status = %s")
            params.append(status.value)
        sql = f"SELECT {_RECORD_COLUMNS} FROM applications"  # noqa: S608 - constants, no input
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY created_at DESC, id LIMIT %s OFFSET %s"
        rows = await self._all(self._sql(sql), [*params, max(0, limit), max(0, offset)])
        return [_record(row) for row in rows]

    async def counts(self, *, tenant_id: str | None = None) -> dict[ApplicationStatus, int]:
        """Applications per status (every status present, zeros included)."""
        sql = "SELECT status, count(*) FROM applications"
        params: list[Any] = []
        if tenant_id is not None:
            sql += " WHERE tenant_id = %s"
            params.append(tenant_id)
        rows = await self._all(self._sql(sql + " GROUP BY status"), params)
        counts = dict.fromkeys(ApplicationStatus, 0)
        for status, count in rows:
            counts[ApplicationStatus(status)] = int(count)
        return counts

    async def overview(self, *, now: float) -> QueueOverview:
        due = await self._one(
            self._sql(
                f"SELECT min(next_attempt_at) FROM applications WHERE status IN {_PENDING_SQL} "  # noqa: S608 - constants, no input
                "AND next_attempt_at <= %s AND (lease_until IS NULL OR lease_until < %s)"
            ),
            (now, now),
        )
        expired = await self._one(
            self._sql(
                "SELECT count(*) FROM applications WHERE status = 'delivering' AND lease_until < %s"
            ),
            (now,),
        )
        return QueueOverview(
            await self.counts(),
            float(due[0]) if due and due[0] is not None else None,
            int(expired[0]) if expired else 0,
        )

    async def load(self, application_id: str) -> tuple[Application, Job]:
        """The application, decrypted, and the job as it was when the candidate answered."""
        row = await self._one(
            self._sql(
                "SELECT a.id, a.tenant_id, a.mode, a.job_id, a.payload, a.created_at, j.job, "
                "a.progress "
                "FROM applications a JOIN application_jobs j ON j.digest = a.job_digest "
                "WHERE a.id = %s"
            ),
            (application_id,),
        )
        if row is None:
            raise UnknownApplication(f"no application has the id {application_id[:64]!r}")
        what = f"application {application_id}"
        payload = json.loads(await self._unseal(bytes(row[4]), what))
        files: dict[str, list[UploadedFile]] = {}
        for question_id, _, meta, data in await self._all(
            self._sql(
                "SELECT question_id, position, meta, data FROM application_files "
                "WHERE application_id = %s ORDER BY question_id, position"
            ),
            (application_id,),
        ):
            info = json.loads(await self._unseal(bytes(meta), f"a file of {what}"))
            content = await self._unseal(bytes(data), f"a file of {what}")
            files.setdefault(question_id, []).append(
                UploadedFile(info["name"], info["content_type"], content)
            )
        application = Application(
            id=row[0], tenant_id=row[1], mode=row[2], job_id=row[3],
            answers=decode_answers(payload["answers"]),
            files={question_id: tuple(found) for question_id, found in files.items()},
            created_at=float(row[5]), progress=DeliveryProgress.from_json(row[7]),
        )  # fmt: skip
        return application, Job.model_validate_json(row[6])

    # -- the worker's side ------------------------------------------------------------------

    async def claim(self, *, now: float, lease: float, limit: int) -> list[Claim]:
        """Up to `limit` due applications nobody holds (or whose holder's lease expired),
        oldest due first, held by a new claim until `now + lease`."""
        token = uuid.uuid4().hex
        rows = await self._all(
            self._sql(
                "UPDATE applications SET status = 'delivering', lease_token = %s, "  # noqa: S608 - constants, no input
                "lease_until = %s, updated_at = %s WHERE id IN (SELECT id FROM applications "
                f"WHERE status IN {_PENDING_SQL} AND next_attempt_at <= %s AND "
                "(lease_until IS NULL OR lease_until < %s) ORDER BY next_attempt_at "
                f"LIMIT %s{self.dialect.claim_lock}) RETURNING id, tenant_id, mode, job_id, "
                "attempts, backoff_step, in_doubt, created_at, deadline_at"
            ),
            (token, now + lease, now, now, now, limit),
        )
        return [_claim(row, token) for row in rows]

    async def _fenced(self, claim: Claim, assignments: str, params: Sequence[Any]) -> bool:
        """Update the claimed row, if the claim still holds it."""
        changed = await self._run(
            self._sql(f"UPDATE applications SET {assignments} WHERE id = %s AND lease_token = %s"),  # noqa: S608 - constants, no input
            (*params, claim.application_id, claim.token),
        )
        return changed == 1

    async def renew(self, claim: Claim, *, now: float, lease: float) -> bool:
        """Extend the lease; False if the claim was lost (it expired and was taken)."""
        return await self._fenced(claim, "lease_until = %s", (now + lease,))

    async def mark_sending(self, claim: Claim, *, now: float) -> bool:
        """Count the attempt and mark the outcome in doubt until it is known: a worker
        that dies from here on leaves an application the next one looks up first."""
        return await self._fenced(
            claim, "attempts = attempts + 1, in_doubt = 1, updated_at = %s", (now,)
        )

    async def save_progress(self, claim: Claim, progress: dict[str, str], *, now: float) -> bool:
        """Keep how far the delivery got (`DeliveryProgress`), if the claim still holds it."""
        stored = DeliveryProgress(progress).to_json()
        return await self._fenced(claim, "progress = %s, updated_at = %s", (stored, now))

    async def mark_delivered(self, claim: Claim, receipt: Receipt, *, now: float) -> bool:
        return await self._fenced(
            claim,
            "status = 'delivered', delivered_at = %s, updated_at = %s, ats_application_id = %s, "
            "receipt = %s, in_doubt = 0, last_error = NULL, failure_reason = NULL, "
            "lease_token = NULL, lease_until = NULL",
            (now, now, receipt.ats_application_id, receipt.to_json()),
        )

    async def reschedule(
        self, claim: Claim, *, now: float, next_attempt_at: float, in_doubt: bool, last_error: str
    ) -> bool:
        """A failed attempt: try again at `next_attempt_at`."""
        return await self._fenced(
            claim,
            "status = 'retrying', next_attempt_at = %s, backoff_step = backoff_step + 1, "
            "in_doubt = %s, last_error = %s, updated_at = %s, lease_token = NULL, "
            "lease_until = NULL",
            (next_attempt_at, int(in_doubt), last_error[:_MAX_ERROR], now),
        )

    async def mark_failed(
        self,
        claim: Claim,
        *,
        now: float,
        reason: FailureReason,
        last_error: str,
        in_doubt: bool,
    ) -> bool:
        return await self._fenced(
            claim,
            "status = 'failed', failure_reason = %s, last_error = %s, in_doubt = %s, "
            "updated_at = %s, lease_token = NULL, lease_until = NULL",
            (reason.value, last_error[:_MAX_ERROR], int(in_doubt), now),
        )

    async def release(self, claim: Claim, *, now: float, next_attempt_at: float) -> bool:
        """Give the application back untried (its turn under the rate limit is later, or
        the worker is stopping); what it knew about an earlier attempt stays."""
        return await self._fenced(
            claim,
            "status = CASE WHEN attempts = 0 THEN 'queued' ELSE 'retrying' END, "
            "next_attempt_at = %s, updated_at = %s, lease_token = NULL, lease_until = NULL",
            (next_attempt_at, now),
        )

    # -- operators --------------------------------------------------------------------------

    async def retry(self, application_id: str, *, now: float, deadline: float) -> ApplicationRecord:
        """Put a failed application back in the queue with a fresh deadline.

        One that failed as `unknown_outcome` is resent even by a connector without a
        lookup: retrying it by hand says someone checked the ATS does not have it.
        """
        changed = await self._run(
            self._sql(
                "UPDATE applications SET status = 'queued', next_attempt_at = %s, "
                "deadline_at = %s, backoff_step = 0, updated_at = %s, in_doubt = CASE WHEN "
                "failure_reason = 'unknown_outcome' THEN 0 ELSE in_doubt END, "
                "failure_reason = NULL WHERE id = %s AND status = 'failed'"
            ),
            (now, now + deadline, now, application_id),
        )
        record = await self.show(application_id)
        if changed != 1:
            raise NotRetryable(f"application {application_id} is {record.status.value}, not failed")
        return record

    async def purge(self, *, now: float, file_retention: float, retention: float) -> PurgeReport:
        """Delete files `file_retention` after delivery, and delivered and failed
        applications (answers and all) `retention` after they got there."""
        file_cutoff, cutoff = now - file_retention, now - retention
        delivered_before = (
            "SELECT id FROM applications WHERE status = 'delivered' AND delivered_at < %s"
        )
        files = await self._run(
            self._sql(
                f"DELETE FROM application_files WHERE application_id IN ({delivered_before})"  # noqa: S608 - constants, no input
            ),
            (file_cutoff,),
        )
        await self._run(
            self._sql(
                "UPDATE applications SET files_purged_at = %s WHERE status = 'delivered' "
                "AND delivered_at < %s AND files_purged_at IS NULL"
            ),
            (now, file_cutoff),
        )
        old = "SELECT id FROM applications WHERE (status = 'delivered' AND delivered_at < %s) "
        old += "OR (status = 'failed' AND updated_at < %s)"
        files += await self._run(
            self._sql(f"DELETE FROM application_files WHERE application_id IN ({old})"),  # noqa: S608
            (cutoff, cutoff),
        )
        applications = await self._run(
            self._sql(f"DELETE FROM applications WHERE id IN ({old})"),  # noqa: S608
            (cutoff, cutoff),
        )
        snapshots = await self._run(
            self._sql(
                "DELETE FROM application_jobs WHERE used_at < %s AND NOT EXISTS (SELECT 1 FROM "
                "applications a WHERE a.job_digest = application_jobs.digest)"
            ),
            (now - _SNAPSHOT_GRACE,),
        )
        return PurgeReport(files, applications, snapshots)

    async def rotate_keys(self) -> int:
        """Re-encrypt every stored answer and file under the key ring's newest key; returns
        how many values were rewritten. Run it after putting a new key first."""
        rotated = 0
        for (application_id,) in await self._all("SELECT id FROM applications"):
            row = await self._one(
                self._sql("SELECT payload FROM applications WHERE id = %s"), (application_id,)
            )
            if row is None:
                continue  # purged meanwhile
            what = f"application {application_id}"
            payload = self.keys.rotate_bytes(bytes(row[0]), what=what)
            rotated += await self._run(
                self._sql("UPDATE applications SET payload = %s WHERE id = %s"),
                (payload, application_id),
            )
            for question_id, position in await self._all(
                self._sql(
                    "SELECT question_id, position FROM application_files WHERE application_id = %s"
                ),
                (application_id,),
            ):
                file_row = await self._one(
                    self._sql(
                        "SELECT meta, data FROM application_files WHERE application_id = %s "
                        "AND question_id = %s AND position = %s"
                    ),
                    (application_id, question_id, position),
                )
                if file_row is None:
                    continue
                meta = self.keys.rotate_bytes(bytes(file_row[0]), what=f"a file of {what}")
                data = await asyncio.to_thread(
                    self.keys.rotate_bytes, bytes(file_row[1]), what=f"a file of {what}"
                )
                changed = await self._run(
                    self._sql(
                        "UPDATE application_files SET meta = %s, data = %s WHERE "
                        "application_id = %s AND question_id = %s AND position = %s"
                    ),
                    (meta, data, application_id, question_id, position),
                )
                rotated += 2 * changed
        return rotated

    # -- the rate limit all workers share ---------------------------------------------------

    async def take_rate_slot(
        self, key: str, *, now: float, interval: float, max_wait: float
    ) -> tuple[bool, float]:
        """Book the next send of `key` (one every `interval` seconds, across every worker
        on this database): `(True, wait)` when booked, to go in `wait` seconds; `(False,
        wait)` without booking when the turn is further than `max_wait` away."""
        row = await self._one(
            self._sql(
                "INSERT INTO application_rate_slots AS s (key, next_at) VALUES (%s, %s) "
                "ON CONFLICT (key) DO UPDATE SET next_at = GREATEST(s.next_at, %s) + %s "
                "WHERE GREATEST(s.next_at, %s) - %s <= %s RETURNING next_at"
            ),
            (key, now + interval, now, interval, now, now, max_wait),
        )
        if row is not None:
            return True, max(0.0, float(row[0]) - interval - now)
        current = await self._one(
            self._sql("SELECT next_at FROM application_rate_slots WHERE key = %s"), (key,)
        )
        return False, max(0.0, float(current[0]) - now) if current else 0.0

    async def pause_rate(self, key: str, *, until: float) -> None:
        """The ATS said to wait (Retry-After): no worker sends for `key` before `until`."""
        await self._run(
            self._sql(
                "INSERT INTO application_rate_slots AS s (key, next_at) VALUES (%s, %s) "
                "ON CONFLICT (key) DO UPDATE SET next_at = GREATEST(s.next_at, excluded.next_at)"
            ),
            (key, until),
        )


def application_store_for(url: str, keys: KeyRing) -> ApplicationStore:
    """The application store of the database at `url` (the job store's URL: same SQLite
    file, same PostgreSQL database)."""
    return application_store_beside(store_for(url), keys)


def application_store_beside(store: Store, keys: KeyRing) -> ApplicationStore:
    """The application store of the database `store` (a job store, open or not) uses."""
    from embloy_ats.store.postgres import PostgresStore
    from embloy_ats.store.sqlite import SqliteStore

    if isinstance(store, SqliteStore):
        from embloy_ats.applications.store_sqlite import SqliteApplicationStore

        return SqliteApplicationStore(store.path, keys)
    if isinstance(store, PostgresStore):
        from embloy_ats.applications.store_postgres import PostgresApplicationStore

        return PostgresApplicationStore(store.conninfo, keys)
    raise ConfigurationError(f"applications cannot be stored in a {type(store).__name__}")
