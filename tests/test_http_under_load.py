"""What the benchmarks and the fuzzers found in the HTTP core, kept found."""

from __future__ import annotations

import asyncio
import importlib.abc
import sys
from collections.abc import Iterator, Sequence
from types import ModuleType
from typing import Any

import httpx
import pytest
from embloy_ats import HttpClient, PayloadError, RateLimited, RateLimitPolicy
from embloy_ats.http import RequestContext

from benchmarks.fake_ats import running
from tests.conftest import FakeAts

CTX = RequestContext(connector="fake", job_id="1")


@pytest.mark.parametrize("opening", [b"[", b'{"a":'])
async def test_json_nested_beyond_the_recursion_limit_is_a_payload_error(opening: bytes) -> None:
    """json.loads raises RecursionError there, which no caller expected: a crash, not an error."""
    closing = b"]" if opening == b"[" else b"}"
    body = opening * 100_000 + b"1" + closing * 100_000
    ats = FakeAts(lambda request: httpx.Response(200, content=body))
    response = await ats.client().request("GET", "https://api.ats.example/jobs/1", CTX)
    with pytest.raises(PayloadError, match="nested too deeply"):
        response.json(CTX)


@pytest.mark.parametrize("text", [rb'"\ud800"', rb'"x \uDFFF y"', rb'"\ude00\ud83d"'])
async def test_an_unpaired_surrogate_escape_is_a_payload_error(text: bytes) -> None:
    """Such a string validates into a Job that cannot be written as UTF-8: the resolver
    failed to store it with an untyped serialisation error (found by tests/fuzz)."""
    body = b'{"id": 7, "title": "Engineer", "notes": ' + text + b"}"
    ats = FakeAts(lambda request: httpx.Response(200, content=body))
    response = await ats.client().request("GET", "https://api.ats.example/jobs/1", CTX)
    with pytest.raises(PayloadError, match="unpaired UTF-16 surrogate"):
        response.json(CTX)


async def test_a_paired_surrogate_escape_is_an_ordinary_character() -> None:
    body = rb'{"title": "Engineer \ud83d\ude80"}'
    ats = FakeAts(lambda request: httpx.Response(200, content=body))
    response = await ats.client().request("GET", "https://api.ats.example/jobs/1", CTX)
    assert response.json(CTX) == {"title": "Engineer \U0001f680"}


class _Watcher(importlib.abc.MetaPathFinder):
    def __init__(self) -> None:
        self.asked: list[str] = []

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> None:
        self.asked.append(fullname)
        return None


@pytest.fixture
def import_watcher() -> Iterator[_Watcher]:
    watcher = _Watcher()
    sys.meta_path.insert(0, watcher)
    yield watcher
    sys.meta_path.remove(watcher)


async def test_requests_search_sys_path_for_no_module(import_watcher: _Watcher) -> None:
    """An import of a module that is not installed is retried, and scans sys.path, every
    time (httpcore once did so for sniffio: ~0.1 ms, twice a request). After the first
    request, sending one must import nothing at all."""
    async with running() as ats:
        client = HttpClient(allow_private_network=True)
        try:
            for n in range(1, 7):
                if n == 2:
                    import_watcher.asked.clear()  # the first request may import lazily
                url = f"{ats.url}/v1/boards/bench/jobs/{n}"
                response: Any = await client.request("GET", url, CTX)
                assert response.status_code == 200
        finally:
            await client.aclose()
    assert import_watcher.asked == []


class _FrozenClock:
    """Time stands still while callers sleep: as if they all arrived at the same moment."""

    def __init__(self) -> None:
        self.slept: list[float] = []

    def now(self) -> Any:
        raise AssertionError

    def monotonic(self) -> float:
        return 0.0

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        await asyncio.sleep(0)


async def test_an_oversubscribed_account_answers_rate_limited_instead_of_queueing() -> None:
    """The limiter queued callers without bound: with more unknown jobs at once than an
    account's budget, candidates waited minutes (the soak hung) holding their requests."""
    clock = _FrozenClock()
    ats = FakeAts(lambda request: httpx.Response(200, json={}))
    client = ats.client(clock=clock)  # waits up to RetryPolicy.max_retry_after (10 s)
    ctx = RequestContext("fake", "1", RateLimitPolicy(10, 10.0), "acct")  # Workable-like

    async def twenty_one() -> None:
        for _ in range(20):  # 10 at once, then reserved slots 1 s ... 10 s ahead
            await client.request("GET", "https://api.ats.example/jobs/1", ctx)
        with pytest.raises(RateLimited, match="rate limit allows") as caught:
            await client.request("GET", "https://api.ats.example/jobs/1", ctx)
        assert caught.value.retry_after == pytest.approx(11.0)

    await asyncio.wait_for(twenty_one(), timeout=5)
    assert len(ats.requests) == 20, "the refused request was never sent"
    assert clock.slept == [float(n) for n in range(1, 11)]
