"""A connector that sends one application in several calls keeps how far it got (the ATS's
ids of what it created) between attempts: stored with the application, fenced by the claim,
on SQLite and PostgreSQL, and handed back to the next attempt, whichever worker makes it."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from embloy_ats.applications import (
    Application,
    ApplicationStatus,
    DeliveryProgress,
    Receipt,
    SubmitAmbiguous,
    application_store_for,
)
from embloy_ats.model import Job

from tests.applications.conftest import Pipeline


async def test_progress_is_stored_with_the_application_and_fenced_by_the_claim(
    pipeline: Pipeline,
) -> None:
    store = pipeline.store
    accepted = await pipeline.accept()
    application, _ = await store.load(accepted.application_id)
    assert application.progress.values == {}, "nothing done yet"
    now = pipeline.clock.now().timestamp()
    (claim,) = await store.claim(now=now, lease=30.0, limit=1)
    assert await store.save_progress(claim, {"candidate": "101"}, now=now)
    assert await store.save_progress(claim, {"candidate": "101", "job-application": "7"}, now=now)
    application, _ = await store.load(accepted.application_id)
    assert application.progress.values == {"candidate": "101", "job-application": "7"}
    # the lease expires and another worker takes it: the first can no longer write
    (taken,) = await store.claim(now=now + 31, lease=30.0, limit=1)
    assert not await store.save_progress(claim, {"candidate": "999"}, now=now + 31)
    assert await store.save_progress(taken, {"candidate": "101", "answer.1": "5"}, now=now + 31)
    application, _ = await store.load(accepted.application_id)
    assert application.progress.values == {"candidate": "101", "answer.1": "5"}


def test_progress_holds_only_bounded_printable_text() -> None:
    progress = DeliveryProgress({"candidate": "1"})
    assert progress.get("candidate") == "1"
    assert progress.get("missing") is None
    for key, value in (("", "1"), ("k", ""), ("k", "a\nb"), ("k" * 101, "1"), ("k", "v" * 257)):
        with pytest.raises(ValueError, match="printable characters"):
            DeliveryProgress({key: value})


async def test_a_progress_not_saved_through_a_worker_is_kept_in_memory_only() -> None:
    progress = DeliveryProgress()
    await progress.record("candidate", "1")
    assert progress.values == {"candidate": "1"}


class StepwiseConnector:
    """Creates a candidate, then an application; fails once between the two."""

    def __init__(self) -> None:
        self.seen: list[dict[str, str]] = []
        self.created: list[str] = []

    async def submit_application(self, job: Job, application: Application) -> Receipt:
        self.seen.append(dict(application.progress.values))
        if application.progress.get("candidate") is None:
            self.created.append("candidate")
            await application.progress.record("candidate", "c-1")
            raise SubmitAmbiguous("the second call timed out")
        self.created.append("application")
        return Receipt(
            ats_application_id="a-1", ats_candidate_id=application.progress.get("candidate")
        )

    async def find_application(self, job: Job, application: Application) -> Receipt | None:
        self.seen.append(dict(application.progress.values))
        return None


class Source:
    def __init__(self, connector: Any) -> None:
        self.built = connector

    async def connector(self, tenant_id: str, mode: str) -> object:
        return self.built


async def test_the_next_attempt_resumes_from_what_the_last_one_recorded(
    pipeline: Pipeline,
) -> None:
    connector = StepwiseConnector()
    accepted = await pipeline.accept()
    worker = pipeline.worker()
    worker.connectors = Source(connector)
    await worker.run_once()
    assert await pipeline.status(accepted.application_id) is ApplicationStatus.RETRYING
    await pipeline.drain(worker)
    record = await pipeline.store.show(accepted.application_id)
    assert record.status is ApplicationStatus.DELIVERED
    assert connector.created == ["candidate", "application"], "the candidate was made once"
    assert connector.seen == [{}, {"candidate": "c-1"}, {"candidate": "c-1"}]


async def test_a_database_of_the_first_schema_gains_the_progress_when_opened(
    pipeline: Pipeline,
) -> None:
    """A database whose applications were stored before progress existed: opening it adds
    the column, and its queued applications start with none."""
    store = pipeline.store
    accepted = await pipeline.accept()
    await store._run("ALTER TABLE applications DROP COLUMN progress")
    await store._run("DELETE FROM application_schema WHERE version = 2")
    async with application_store_for(pipeline.url, pipeline.keys) as reopened:
        application, _ = await reopened.load(accepted.application_id)
        assert application.progress.values == {}
        now = pipeline.clock.now().timestamp()
        (claim,) = await reopened.claim(now=now, lease=30.0, limit=1)
        assert await reopened.save_progress(claim, {"candidate": "1"}, now=now)
        application, _ = await reopened.load(accepted.application_id)
        assert application.progress.values == {"candidate": "1"}


def test_an_application_is_the_same_whatever_its_progress() -> None:
    made = Application(
        id="a", tenant_id="t", mode="m", job_id="1", answers={}, files={}, created_at=0.0
    )
    progressed = dataclasses.replace(made, progress=DeliveryProgress({"candidate": "1"}))
    assert made == progressed
    assert "candidate" in repr(progressed.progress)
    assert "1" not in repr(progressed.progress), "the progress's repr names keys only"
