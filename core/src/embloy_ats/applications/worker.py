"""The delivery worker: takes due applications from the outbox and sends them to their ATS.

One delivery, as a worker runs it:
1. claim the application (a lease, renewed while the worker holds it);
2. if an earlier attempt may have landed (it timed out, met a 5xx, or its worker died
   mid-send), look it up in the ATS first, and count "already there" as delivered;
3. wait for the tenant's turn under the ATS's rate limit, shared by every worker;
4. mark the attempt in doubt, send it once, and write what happened: delivered, retrying
   (capped exponential backoff with full jitter, at least the ATS's Retry-After) until
   the deadline, or failed with the reason.

A worker that dies at any point loses nothing: its lease expires, another takes the
application, and step 2 keeps a send that did land from being made twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import random
import uuid
from collections.abc import Awaitable, Callable
from typing import TypeVar

from embloy_ats.applications import metrics
from embloy_ats.applications.connectors import ConnectorSource
from embloy_ats.applications.settings import DeliverySettings
from embloy_ats.applications.store import ApplicationStore, Claim
from embloy_ats.clock import SYSTEM_CLOCK, Clock
from embloy_ats.submission.capability import (
    Failure,
    FindsApplications,
    OutcomeKind,
    SubmitsApplications,
    classify,
    finds,
    resends_after_unknown_outcome,
    submit_rate_limit,
    submits,
)
from embloy_ats.submission.model import (
    Application,
    ApplicationStatus,
    FailureReason,
    Receipt,
)
from embloy_ats.submission.privacy import mask_personal

log = logging.getLogger("embloy_ats.applications")
T = TypeVar("T")


class Worker:
    """Delivers applications. `await run()` until `stop()`; `run_once()` for one round."""

    def __init__(
        self,
        store: ApplicationStore,
        connectors: ConnectorSource,
        *,
        settings: DeliverySettings | None = None,
        clock: Clock = SYSTEM_CLOCK,
        jitter: Callable[[], float] = random.random,
        name: str | None = None,
    ) -> None:
        self.store = store
        self.connectors = connectors
        self.settings = settings or DeliverySettings()
        self.clock = clock
        self.jitter = jitter
        #: shown in logs, to tell workers apart.
        self.name = name or uuid.uuid4().hex[:8]
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()
        self._sending: set[asyncio.Task[None]] = set()
        self._held: dict[str, Claim] = {}

    def _now(self) -> float:
        return self.clock.now().timestamp()

    # -- running ----------------------------------------------------------------------------

    def wake(self) -> None:
        """Look for due applications now (the service calls it after accepting one)."""
        self._wake.set()

    def stop(self) -> None:
        """Take nothing new; `run()` returns once the sends under way ended (or the grace
        period passed: those are cut off and given back, in doubt, to be looked up)."""
        self._stopping.set()
        self._wake.set()

    async def run_once(self) -> int:
        """Claim what is due (up to `concurrency`) and deliver it; how many were claimed."""
        claims = await self.store.claim(
            now=self._now(), lease=self.settings.lease, limit=self.settings.concurrency
        )
        await asyncio.gather(*(self._deliver(claim) for claim in claims))
        return len(claims)

    async def run(self) -> None:
        """Deliver until `stop()`. Database errors are logged and waited out, never fatal."""
        settings = self.settings
        next_metrics = next_purge = 0.0
        log.info("delivery worker started", extra={"worker": self.name})
        try:
            while not self._stopping.is_set():
                self._wake.clear()  # before claiming: a wake from here on is not missed
                now = self._now()
                if now >= next_metrics:
                    next_metrics = now + settings.metrics_interval
                    await self._guarded(self.refresh_metrics())
                if now >= next_purge:
                    next_purge = now + settings.purge_interval
                    await self._guarded(self.purge())
                free = settings.concurrency - len(self._sending)
                claimed = 0
                if free > 0:
                    claims = await self._guarded(
                        self.store.claim(now=now, lease=settings.lease, limit=free)
                    )
                    for claim in claims or []:
                        task = asyncio.create_task(self._deliver(claim))
                        self._sending.add(task)
                        task.add_done_callback(self._sent)
                    claimed = len(claims or [])
                if claimed and claimed == free:
                    continue  # there may be more due: look again once a slot frees up
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(settings.poll_interval):
                        await self._wake.wait()
        finally:
            await self._wind_down()
            log.info("delivery worker stopped", extra={"worker": self.name})

    def _sent(self, task: asyncio.Task[None]) -> None:
        self._sending.discard(task)
        self._wake.set()  # a slot is free
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            log.error(
                "delivery task failed unexpectedly",
                extra={"worker": self.name, "error": type(exc).__name__},
            )

    async def _guarded(self, operation: Awaitable[T]) -> T | None:
        """`operation`'s result, or None when the store failed (logged; the loop goes on)."""
        try:
            return await operation
        except Exception as exc:  # noqa: BLE001 - a database outage must not end the worker
            log.warning(
                "the application store failed; trying again shortly",
                extra={"worker": self.name, "error": type(exc).__name__},
            )
            return None

    async def _wind_down(self) -> None:
        """Let the sends under way finish within the grace period; cut off the rest and
        give their applications back at once (in doubt, so they are looked up first)."""
        if self._sending:
            _, late = await asyncio.wait(set(self._sending), timeout=self.settings.stop_grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        now = self._now()
        for claim in list(self._held.values()):
            with contextlib.suppress(Exception):
                await self.store.release(claim, now=now, next_attempt_at=now)
        self._held.clear()

    async def refresh_metrics(self) -> None:
        overview = await self.store.overview(now=self._now())
        for status in ApplicationStatus:
            metrics.QUEUE_DEPTH.labels(status.value).set(overview.counts.get(status, 0))
        waiting = self._now() - overview.oldest_due_at if overview.oldest_due_at else 0.0
        metrics.OLDEST_DUE_SECONDS.set(max(0.0, waiting))

    async def purge(self) -> None:
        report = await self.store.purge(
            now=self._now(),
            file_retention=self.settings.file_retention,
            retention=self.settings.retention,
        )
        if report.files or report.applications:
            log.info(
                "purged applications past retention",
                extra={"files": report.files, "applications": report.applications},
            )

    # -- one delivery -----------------------------------------------------------------------

    async def _deliver(self, claim: Claim) -> None:
        self._held[claim.application_id] = claim
        lost = asyncio.Event()
        # The send is a task of its own, which a lost lease cancels: a renewal that answers
        # "lost" once the send has ended cancels nothing (a finished task), never this task.
        attempt = asyncio.create_task(self._attempt(claim, lost))
        renewing = asyncio.create_task(self._renew(claim, attempt, lost))
        cut_off = False
        try:
            await attempt
        except asyncio.CancelledError:
            delivering = asyncio.current_task()
            if not lost.is_set() or (delivering is not None and delivering.cancelling()):
                cut_off = True  # stopping: `_wind_down` gives the claim back
                raise
            # the send alone was cancelled: the lease went to another worker
        except Exception as exc:  # noqa: BLE001 - the store failed: the lease expires, it is retried
            log.warning(
                "delivery interrupted by an error; the application is retried after its lease",
                extra={"application_id": claim.application_id, "error": type(exc).__name__},
            )
        finally:
            renewing.cancel()
            await asyncio.gather(renewing, return_exceptions=True)
            if not cut_off:
                self._held.pop(claim.application_id, None)

    async def _renew(self, claim: Claim, sending: asyncio.Task[None], lost: asyncio.Event) -> None:
        """Keep the lease while the delivery runs; if another worker took the application
        (this one stalled past its lease), stop sending it."""
        every = self.settings.lease / 3
        while True:
            await asyncio.sleep(every)
            try:
                held = await self.store.renew(claim, now=self._now(), lease=self.settings.lease)
            except Exception as exc:  # noqa: BLE001 - a database hiccup: try again next time
                log.warning(
                    "could not renew a delivery lease",
                    extra={"application_id": claim.application_id, "error": type(exc).__name__},
                )
                continue
            if not held:
                log.warning(
                    "delivery lease lost to another worker; stopping this send",
                    extra={"application_id": claim.application_id, "worker": self.name},
                )
                lost.set()
                sending.cancel()
                return

    async def _attempt(self, claim: Claim, lost: asyncio.Event) -> None:
        settings, mode = self.settings, claim.mode
        try:
            application, job = await self.store.load(claim.application_id)
            application = dataclasses.replace(
                application, progress=application.progress.saving_with(self._saver(claim))
            )
            connector = await self.connectors.connector(claim.tenant_id, mode)
        except Exception as exc:  # noqa: BLE001 - keys, connection, connector: retried
            await self._failed(claim, classify(exc), None, sent=False)
            return
        if not (isinstance(connector, SubmitsApplications) and submits(connector)):
            await self._give_up(
                claim, FailureReason.UNSUPPORTED,
                f"the {mode} connector cannot submit applications; install a version that "
                "does, then retry it by hand", in_doubt=claim.in_doubt,
            )  # fmt: skip
            return
        if claim.in_doubt:
            if isinstance(connector, FindsApplications) and finds(connector):
                try:
                    async with asyncio.timeout(settings.attempt_timeout):
                        found = await connector.find_application(job, application)
                except Exception as exc:  # noqa: BLE001 - the lookup failed: look again later
                    failure = classify(exc)
                    await self._failed(
                        claim, Failure(OutcomeKind.RETRYABLE, "lookup failed: "
                                       + failure.description, failure.retry_after),
                        application, sent=False,
                    )  # fmt: skip
                    return
                if isinstance(found, Receipt):
                    await self._delivered(claim, found, outcome="found")
                    return
            elif not resends_after_unknown_outcome(connector):
                await self._give_up(
                    claim, FailureReason.UNKNOWN_OUTCOME,
                    f"an earlier attempt may have reached the ATS and the {mode} connector "
                    "cannot look applications up: check the ATS, then retry it by hand if it "
                    "is not there", in_doubt=True,
                )  # fmt: skip
                return
        policy = submit_rate_limit(connector)
        if policy is not None:
            now = self._now()
            booked, wait = await self.store.take_rate_slot(
                _rate_key(claim), now=now,
                interval=(policy.per_seconds + settings.rate_slack) / policy.requests,
                max_wait=settings.rate_wait_max,
            )  # fmt: skip
            if not booked:
                await self.store.release(claim, now=now, next_attempt_at=now + wait)
                return
            if wait > 0:
                await self.clock.sleep(wait)
        if not await self.store.mark_sending(claim, now=self._now()):
            lost.set()
            return
        try:
            async with asyncio.timeout(settings.attempt_timeout):
                receipt = await connector.submit_application(job, application)
        except Exception as exc:  # noqa: BLE001 - every failure of a send is classified
            await self._failed(claim, classify(exc), application, sent=True)
            return
        if not isinstance(receipt, Receipt):
            failure = Failure(OutcomeKind.AMBIGUOUS, f"the {mode} connector returned no receipt")
            await self._failed(claim, failure, application, sent=True)
            return
        await self._delivered(claim, receipt, outcome="delivered")

    def _saver(self, claim: Claim) -> Callable[[dict[str, str]], Awaitable[bool]]:
        async def save(progress: dict[str, str]) -> bool:
            return await self.store.save_progress(claim, progress, now=self._now())

        return save

    async def _delivered(self, claim: Claim, receipt: Receipt, *, outcome: str) -> None:
        now = self._now()
        if not await self.store.mark_delivered(claim, receipt, now=now):
            log.warning(
                "delivered, but the lease was lost before it was recorded; the worker that "
                "holds it now finds it by a lookup",
                extra={"application_id": claim.application_id, "connector": claim.mode},
            )
            return
        metrics.ATTEMPTS.labels(claim.mode, outcome).inc()
        metrics.DELIVERY_SECONDS.labels(claim.mode).observe(max(0.0, now - claim.created_at))
        log.info(
            "application delivered",
            extra={"application_id": claim.application_id, "tenant": claim.tenant_id,
                   "connector": claim.mode, "job_id": claim.job_id, "via": outcome,
                   "attempts": claim.attempts + (outcome == "delivered")},
        )  # fmt: skip

    async def _failed(
        self, claim: Claim, failure: Failure, application: Application | None, *, sent: bool
    ) -> None:
        """Write what a failed attempt means: rejected and gone are final; everything else
        is tried again after a backoff, until the deadline."""
        description = mask_personal(failure.description, application)
        outcome = failure.kind.value if sent else "error"
        metrics.ATTEMPTS.labels(claim.mode, outcome).inc()
        log.info(
            "application delivery attempt failed",
            extra={"application_id": claim.application_id, "connector": claim.mode,
                   "outcome": outcome, "sent": sent},
        )  # fmt: skip
        if failure.kind is OutcomeKind.REJECTED:
            await self._give_up(claim, FailureReason.REJECTED, description, in_doubt=False)
            return
        if failure.kind is OutcomeKind.JOB_GONE:
            await self._give_up(claim, FailureReason.JOB_GONE, description, in_doubt=False)
            return
        # A retryable answer means the ATS did not record this send; a doubt about an
        # earlier one stands unless this send was made (after a lookup found nothing).
        in_doubt = failure.kind is OutcomeKind.AMBIGUOUS or (claim.in_doubt and not sent)
        now = self._now()
        settings = self.settings
        if now >= claim.deadline_at:
            await self._give_up(
                claim, FailureReason.DEADLINE,
                f"not delivered by its deadline; the last attempt: {description}",
                in_doubt=in_doubt,
            )  # fmt: skip
            return
        cap = min(settings.backoff_max, settings.backoff_base * 2 ** min(claim.backoff_step, 60))
        delay = self.jitter() * cap
        if failure.retry_after is not None:
            wait = min(max(0.0, failure.retry_after), settings.max_retry_after)
            delay = max(delay, wait)
            await self.store.pause_rate(_rate_key(claim), until=now + wait)
        if in_doubt:
            delay = max(delay, settings.lookup_delay)
        await self.store.reschedule(
            claim, now=now, next_attempt_at=min(now + delay, claim.deadline_at),
            in_doubt=in_doubt, last_error=description,
        )  # fmt: skip

    async def _give_up(
        self, claim: Claim, reason: FailureReason, description: str, *, in_doubt: bool
    ) -> None:
        if await self.store.mark_failed(
            claim, now=self._now(), reason=reason, last_error=description, in_doubt=in_doubt
        ):
            metrics.FAILURES.labels(claim.mode, reason.value).inc()
            log.warning(
                "application failed",
                extra={"application_id": claim.application_id, "tenant": claim.tenant_id,
                       "connector": claim.mode, "job_id": claim.job_id, "reason": reason.value},
            )  # fmt: skip


def _rate_key(claim: Claim) -> str:
    """Submissions are limited per tenant and ATS, whichever worker sends them."""
    return f"{claim.tenant_id}:{claim.mode}"
