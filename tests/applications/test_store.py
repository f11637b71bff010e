"""The outbox on SQLite and PostgreSQL: one transaction, idempotency, claims and leases,
encryption at rest, key rotation, retention."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psycopg
import pytest
from embloy_ats.applications import (
    ApplicationStatus,
    IdempotencyKeyReused,
    NotRetryable,
    UnknownApplication,
    application_store_for,
)
from embloy_ats.applications.store import ApplicationStore
from embloy_ats.crypto import EncryptedDataUnreadable, KeyRing
from prometheus_client import REGISTRY

from tests.applications.conftest import PDF, SENTINEL, Pipeline, form

DAY = 24 * 3600.0


async def test_an_application_its_files_and_its_queue_entry_are_stored_together_or_not_at_all(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = pipeline.store
    atomic = store._atomic

    async def failing_last(statements: Sequence[tuple[str, Sequence[Any]]]) -> None:
        await atomic([*statements, ("INSERT INTO no_such_table VALUES (1)", ())])

    monkeypatch.setattr(store, "_atomic", failing_last)
    with pytest.raises(Exception, match="no_such_table"):
        await pipeline.accept()
    monkeypatch.undo()
    assert await store.list_applications() == []
    assert await store._all("SELECT * FROM application_files") == []
    assert await store._all("SELECT * FROM application_jobs") == []
    accepted = await pipeline.accept()
    application, job = await store.load(accepted.application_id)
    assert application.files["resume"][0].data == PDF
    assert job == pipeline.job


async def test_the_same_idempotency_key_answers_the_same_application(pipeline: Pipeline) -> None:
    first = await pipeline.accept(key="k-123")
    again = await pipeline.accept(key="k-123")
    assert again.application_id == first.application_id
    assert (again.replayed, first.replayed) == (True, False)
    assert (
        again.to_json()
        == first.to_json()
        == {
            "application_id": first.application_id,
            "status": "queued",
            "redirect_url": "https://partner.example/thanks",
        }
    )
    assert len(await pipeline.store.list_applications()) == 1
    with pytest.raises(IdempotencyKeyReused):
        await pipeline.accept(key="k-123", name=["Someone Else"])
    other_tenant = await pipeline.resolver.create_tenant("other")
    fields, files = form()
    theirs = await pipeline.service.accept(
        other_tenant.id, pipeline.job, fields, files, idempotency_key="k-123"
    )
    assert getattr(theirs, "application_id", None) not in (None, first.application_id), (
        "keys are per tenant"
    )


async def test_concurrent_requests_with_one_key_store_one_application(
    pipeline: Pipeline,
) -> None:
    results = await asyncio.gather(*(pipeline.accept(key="same-key") for _ in range(8)))
    assert len({result.application_id for result in results}) == 1
    assert sum(not result.replayed for result in results) == 1
    assert len(await pipeline.store.list_applications()) == 1


async def raw_bytes(pipeline: Pipeline, tmp_path: Path) -> bytes:
    """Everything the database holds of the application tables, as bytes."""
    if pipeline.url.startswith("sqlite:///"):
        path = Path(pipeline.url.removeprefix("sqlite:///"))
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    chunks = []
    async with await psycopg.AsyncConnection.connect(pipeline.url) as conn:
        for table in ("applications", "application_files", "application_jobs"):
            cursor = await conn.execute(f"SELECT * FROM {table}")  # noqa: S608 - ours
            for row in await cursor.fetchall():
                for value in row:
                    chunks.append(value if isinstance(value, bytes) else str(value).encode())
    return b"\n".join(chunks)


async def test_answers_file_names_and_files_are_encrypted_at_rest(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    accepted = await pipeline.accept(key="idem-key-in-clear-42")
    dump = await raw_bytes(pipeline, tmp_path)
    assert accepted.application_id.encode() in dump, "the dump is of the right database"
    assert b"Delivery Engineer" in dump, "the job (no personal data) is readable"
    for secret in (SENTINEL.encode(), b"example.org", b"1234 5678", b"linkedin", b"%PDF"):
        assert secret not in dump, secret
    assert b"idem-key-in-clear-42" not in dump, "only a digest of the key is kept"


async def test_key_rotation_re_encrypts_under_the_new_key(pipeline: Pipeline) -> None:
    accepted = await pipeline.accept()
    new_key = KeyRing.generate()
    both = application_store_for(pipeline.url, KeyRing([new_key, pipeline.key]))
    new_only = application_store_for(pipeline.url, KeyRing([new_key]))
    async with both, new_only:
        with pytest.raises(EncryptedDataUnreadable):
            await new_only.load(accepted.application_id)
        assert await both.rotate_keys() == 3  # the answers, a file's name and its bytes
        application, _ = await new_only.load(accepted.application_id)
        assert application.files["resume"][0].data == PDF
        assert str(application.answers["name"]).startswith("Jane")
    with pytest.raises(EncryptedDataUnreadable):
        await pipeline.store.load(accepted.application_id)


async def test_files_are_purged_after_delivery_and_everything_after_retention(
    pipeline: Pipeline,
) -> None:
    delivered = await pipeline.accept(1)
    await pipeline.worker().run_once()
    pending = await pipeline.accept(2)
    service, store, clock = pipeline.service, pipeline.store, pipeline.clock
    clock.advance(29 * DAY)
    assert (await service.purge()).files == 0
    clock.advance(2 * DAY)
    report = await service.purge()
    assert (report.files, report.applications) == (1, 0)
    application, _ = await store.load(delivered.application_id)
    assert application.files == {}, "the file is gone"
    assert application.answers, "the answers stay until the retention"
    assert (await store.show(delivered.application_id)).files_purged_at is not None
    kept, _ = await store.load(pending.application_id)
    assert kept.files, "an undelivered application keeps its files"
    clock.advance(60 * DAY)
    assert (await service.purge()).applications == 1
    with pytest.raises(UnknownApplication):
        await store.show(delivered.application_id)
    assert await store.show(pending.application_id)


async def test_claims_are_disjoint_leases_expire_and_stale_claims_cannot_write(
    pipeline: Pipeline,
) -> None:
    for n in range(6):
        await pipeline.accept(n)
    now = pipeline.clock.now().timestamp()
    other = application_store_for(pipeline.url, pipeline.keys)
    async with other:
        mine, theirs = await asyncio.gather(
            pipeline.store.claim(now=now, lease=30, limit=4),
            other.claim(now=now, lease=30, limit=4),
        )
        assert len(mine) + len(theirs) == 6
        assert not {c.application_id for c in mine} & {c.application_id for c in theirs}
        assert await other.claim(now=now + 29, lease=30, limit=10) == [], "leases hold"
        again = await other.claim(now=now + 31, lease=30, limit=10)
        assert len(again) == 6, "expired leases are claimable"
    stale = mine[0]
    assert not await pipeline.store.renew(stale, now=now + 31, lease=30)
    assert not await pipeline.store.mark_sending(stale, now=now + 31)
    record = await pipeline.store.show(stale.application_id)
    assert (record.status, record.attempts) == (ApplicationStatus.DELIVERING, 0)


async def test_status_queries_and_tenant_isolation(pipeline: Pipeline) -> None:
    first = await pipeline.accept(1)
    await pipeline.accept(2)
    await pipeline.worker(concurrency=1).run_once()
    counts = await pipeline.store.counts()
    assert counts[ApplicationStatus.DELIVERED] == 1
    assert counts[ApplicationStatus.QUEUED] == 1
    assert counts[ApplicationStatus.FAILED] == 0
    delivered = await pipeline.store.list_applications(status=ApplicationStatus.DELIVERED)
    assert [r.application_id for r in delivered] == [first.application_id]
    assert len(await pipeline.store.list_applications(tenant_id=pipeline.tenant_id)) == 2
    assert await pipeline.store.list_applications(tenant_id="someone-else") == []
    mine = await pipeline.service.status(pipeline.tenant_id, first.application_id)
    assert mine is not None
    api = mine.to_api()
    assert set(api) == {"application_id", "status", "attempts", "ats_application_id",
                        "last_error", "created_at", "delivered_at"}  # fmt: skip
    assert api["status"] == "delivered"
    assert str(api["created_at"]).endswith("+00:00")
    assert await pipeline.service.status("someone-else", first.application_id) is None
    overview = await pipeline.store.overview(now=pipeline.clock.now().timestamp())
    assert overview.oldest_due_at is not None
    assert overview.expired_leases == 0
    await pipeline.worker().refresh_metrics()
    depth = {status: REGISTRY.get_sample_value("embloy_ats_applications", {"status": status})
             for status in ("queued", "delivered", "failed")}  # fmt: skip
    assert depth == {"queued": 1, "delivered": 1, "failed": 0}


async def test_only_a_failed_application_can_be_retried(pipeline: Pipeline) -> None:
    accepted = await pipeline.accept()
    with pytest.raises(NotRetryable):
        await pipeline.service.retry(accepted.application_id)
    with pytest.raises(UnknownApplication):
        await pipeline.service.retry("no-such-id")


async def test_the_rate_slots_space_sends_and_refuse_a_turn_too_far(pipeline: Pipeline) -> None:
    store: ApplicationStore = pipeline.store
    now = 1000.0
    booked = [await store.take_rate_slot("t:m", now=now, interval=0.5, max_wait=1.2)
              for _ in range(4)]  # fmt: skip
    assert booked == [(True, 0.0), (True, 0.5), (True, 1.0), (False, 1.5)]
    await store.pause_rate("t:m", until=now + 60)
    assert await store.take_rate_slot("t:m", now=now, interval=0.5, max_wait=1.2) == (False, 60)
    assert (await store.take_rate_slot("other", now=now, interval=0.5, max_wait=1))[0]


def test_tables_open_beside_the_job_store_on_a_fresh_database(tmp_path: Path) -> None:
    async def twice() -> None:
        keys = KeyRing([KeyRing.generate()])
        for _ in range(2):  # the second open finds the tables and leaves them
            async with application_store_for(f"sqlite:///{tmp_path}/x.db", keys) as store:
                assert await store.list_applications() == []

    asyncio.run(twice())


async def test_a_database_that_does_not_exist_is_unavailable_as_for_the_job_store() -> None:
    """The outbox opens its pool as the job store does: a missing database fails at once
    with `DatabaseUnavailable` (the service's exit code 8 and its hint), not as a mistake
    in the configuration."""
    from embloy_ats.applications.store_postgres import PostgresApplicationStore
    from embloy_ats.errors import DatabaseUnavailable

    from tests.resolver.conftest import PG_URL

    missing = PG_URL.rsplit("/", 1)[0] + "/embloy_no_such_database"
    store = PostgresApplicationStore(missing, KeyRing([KeyRing.generate()]))
    with pytest.raises(DatabaseUnavailable, match="cannot reach the PostgreSQL database"):
        await store.open()
