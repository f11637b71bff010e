"""JOIN's description is Markdown, rendered in the event loop: an answer within the body cap
must not hold the service for seconds (markdown-it takes ~15 us per '[' - a 5 MiB answer of
them is over a minute, and no request timeout can cut a computation)."""

from __future__ import annotations

import time
from contextlib import suppress

from embloy_ats import EmbloyAtsError
from embloy_ats_join import JoinConnector

from tests.connectors.test_join import SETTINGS, answering, job_answer


async def test_a_hostile_description_is_not_rendered_for_seconds() -> None:
    body = job_answer(description="[" * 80_000)  # 80 KB, under 2% of the 5 MiB body cap
    fake = answering(body, {})
    connector = JoinConnector(SETTINGS, http=fake.client())
    started = time.perf_counter()
    with suppress(EmbloyAtsError):  # a typed refusal is fine: the time is the point
        await connector.fetch_job("7")
    took = time.perf_counter() - started
    assert took < 0.5, f"one job read held the event loop {took:.1f} s"
