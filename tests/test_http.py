"""The HTTP core under faults: retries, Retry-After, caps, redirects and error mapping."""

from __future__ import annotations

import asyncio
import email.utils
import gzip
import time
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from importlib.metadata import version
from typing import Any

import httpx
import pytest
import stamina.instrumentation
from embloy_ats import (
    AuthenticationFailed,
    ConfigurationError,
    HttpClient,
    JobNotFound,
    PayloadError,
    PermissionDenied,
    RateLimited,
    RateLimitPolicy,
    RequestRejected,
    RetryPolicy,
    UnexpectedRedirect,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from embloy_ats.auth import OAuth2Token
from embloy_ats.http import RequestContext, parse_retry_after
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from tests.conftest import FakeAts

URL = "https://api.ats.example/v1/jobs/1"
CTX = RequestContext(connector="fake", job_id="1")


def sequence(*responses: httpx.Response | Exception) -> Callable[[httpx.Request], httpx.Response]:
    pending = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        item = pending.pop(0) if len(pending) > 1 else pending[0]
        if isinstance(item, Exception):
            raise item
        return item

    return handler


@pytest.fixture
def waits() -> Iterator[list[float]]:
    """The waits stamina scheduled between attempts (real waits: testing mode zeroes them)."""
    seen: list[float] = []

    def hook(details: stamina.instrumentation.RetryDetails) -> None:
        seen.append(details.wait_for)

    before = stamina.instrumentation.get_on_retry_hooks()
    stamina.instrumentation.set_on_retry_hooks([hook])
    with stamina.set_testing(False):
        yield seen
    stamina.instrumentation.set_on_retry_hooks(before)


async def get(ats: FakeAts, **kwargs: Any) -> Any:
    client = ats.client(**kwargs)
    try:
        return await client.request("GET", URL, CTX)
    finally:
        await client.aclose()


async def test_503_then_200_is_retried() -> None:
    ats = FakeAts(sequence(httpx.Response(503), httpx.Response(200, json={"ok": True})))
    response = await get(ats)
    assert response.json(CTX) == {"ok": True}
    assert len(ats.requests) == 2


async def test_persistent_5xx_gives_up_after_the_allowed_attempts() -> None:
    ats = FakeAts(sequence(httpx.Response(502)))
    with pytest.raises(UpstreamUnavailable, match="HTTP 502") as caught:
        await get(ats)
    assert len(ats.requests) == 3
    assert caught.value.connector == "fake"
    assert caught.value.job_id == "1"


async def test_429_honours_retry_after_seconds(waits: list[float]) -> None:
    ats = FakeAts(
        sequence(httpx.Response(429, headers={"Retry-After": "1"}), httpx.Response(200, json=[]))
    )
    await get(ats)
    assert waits == [1.0]
    assert len(ats.requests) == 2


async def test_429_honours_retry_after_http_date(waits: list[float]) -> None:
    when = email.utils.formatdate(time.time() + 2, usegmt=True)
    ats = FakeAts(
        sequence(httpx.Response(429, headers={"Retry-After": when}), httpx.Response(200, json=[]))
    )
    await get(ats)
    assert len(waits) == 1
    assert 0.5 <= waits[0] <= 2.0


async def test_retry_after_beyond_the_cap_raises_rate_limited_at_once() -> None:
    ats = FakeAts(sequence(httpx.Response(429, headers={"Retry-After": "3600"})))
    with pytest.raises(RateLimited) as caught:
        await get(ats)
    assert caught.value.retry_after == 3600.0
    assert len(ats.requests) == 1


async def test_a_wait_the_deadline_cannot_afford_is_not_waited(waits: list[float]) -> None:
    """A Retry-After within the cap but past what is left of the deadline: waiting it
    would only hold the candidate longer, and no attempt could follow in time."""
    ats = FakeAts(sequence(httpx.Response(503, headers={"Retry-After": "5"})))
    with pytest.raises(UpstreamUnavailable, match="HTTP 503"):
        await get(ats, retry=RetryPolicy(deadline=2.0))
    assert (len(ats.requests), waits) == (1, [])


async def test_a_backoff_the_deadline_cuts_short_ends_with_the_last_answer(
    waits: list[float],
) -> None:
    """The deadline passes while waiting to retry a 503: the candidate is let go then, and
    told what the ATS last answered rather than that it timed out."""
    ats = FakeAts(sequence(httpx.Response(503)))
    policy = RetryPolicy(wait_initial=5.0, wait_max=5.0, wait_jitter=0.0, deadline=0.5)
    started = time.monotonic()
    with pytest.raises(UpstreamUnavailable, match="HTTP 503"):
        await get(ats, retry=policy)
    assert time.monotonic() - started < 3.0, "waited out a backoff past the deadline"
    assert (len(ats.requests), waits) == (1, [5.0])


async def test_a_backoff_after_a_timeout_cut_by_the_deadline_names_the_deadline(
    waits: list[float],
) -> None:
    ats = FakeAts(sequence(httpx.ReadTimeout("slow")))
    policy = RetryPolicy(wait_initial=5.0, wait_max=5.0, wait_jitter=0.0, deadline=0.5)
    with pytest.raises(UpstreamTimeout, match=r"within the 0\.5 s deadline"):
        await get(ats, retry=policy)
    assert (len(ats.requests), waits) == (1, [5.0])


async def test_persistent_429_ends_as_rate_limited() -> None:
    ats = FakeAts(sequence(httpx.Response(429, headers={"Retry-After": "0"})))
    with pytest.raises(RateLimited) as caught:
        await get(ats)
    assert caught.value.retry_after == 0.0
    assert len(ats.requests) == 3


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, RequestRejected),
        (401, AuthenticationFailed),
        (403, PermissionDenied),
        (404, JobNotFound),
        (410, JobNotFound),
        (422, RequestRejected),
        (501, UpstreamUnavailable),
    ],
)
async def test_final_statuses_are_never_retried(status: int, error: type[Exception]) -> None:
    ats = FakeAts(sequence(httpx.Response(status, json={"error": "secret-token-abc"})))
    with pytest.raises(error) as caught:
        await get(ats)
    assert len(ats.requests) == 1
    assert "secret-token-abc" not in str(caught.value)


async def test_timeouts_are_retried_then_typed() -> None:
    ats = FakeAts(sequence(httpx.ReadTimeout("slow")))
    with pytest.raises(UpstreamTimeout):
        await get(ats)
    assert len(ats.requests) == 3


async def test_connection_errors_are_retried_then_recovered() -> None:
    ats = FakeAts(sequence(httpx.ConnectError("reset"), httpx.Response(200, json={"a": 1})))
    assert (await get(ats)).json(CTX) == {"a": 1}


async def test_a_hanging_attempt_is_cut_by_the_attempt_timeout() -> None:
    from embloy_ats import Timeouts

    async def hang(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)
        raise AssertionError("not reached")

    client = HttpClient(transport=httpx.MockTransport(hang), timeouts=Timeouts(attempt=0.05))
    with pytest.raises(UpstreamTimeout):
        await client.request("GET", URL, CTX)


async def test_truncated_json_is_a_payload_error() -> None:
    ats = FakeAts(sequence(httpx.Response(200, content=b'{"id": 1, "title": "Eng')))
    response = await get(ats)
    with pytest.raises(PayloadError, match="invalid JSON"):
        response.json(CTX)


async def test_html_with_200_is_a_payload_error() -> None:
    page = b"<!DOCTYPE html><html><body>Maintenance</body></html>"
    ats = FakeAts(
        sequence(httpx.Response(200, content=page, headers={"content-type": "text/html"}))
    )
    response = await get(ats)
    with pytest.raises(PayloadError, match="HTML"):
        response.json(CTX)


async def test_oversized_bodies_are_refused() -> None:
    ats = FakeAts(sequence(httpx.Response(200, content=b"[" + b"1," * 5000 + b"1]")))
    with pytest.raises(PayloadError, match="more than 1000 bytes"):
        await get(ats, max_body_bytes=1000)


async def test_a_connector_may_raise_the_body_cap_for_its_requests() -> None:
    body = b"[" + b"1," * 5000 + b"1]"
    ats = FakeAts(sequence(httpx.Response(200, content=body)))
    client = ats.client(max_body_bytes=1000)
    wide = RequestContext(connector="fake", job_id="1", max_body_bytes=len(body))
    assert (await client.request("GET", URL, wide)).body == body


async def test_a_compressed_body_is_capped_as_decoded() -> None:
    """The cap bounds what we hold: a small gzip that inflates past it is refused."""
    bomb = gzip.compress(b" " * 50_000)
    ats = FakeAts(
        sequence(
            httpx.Response(200, stream=httpx.ByteStream(bomb), headers={"Content-Encoding": "gzip"})
        )
    )
    with pytest.raises(PayloadError, match="more than 10000 bytes"):
        await get(ats, max_body_bytes=10_000)


class _Counted(httpx.AsyncByteStream):
    """A body streamed in 1 KiB chunks that counts the chunks read."""

    def __init__(self, body: bytes) -> None:
        self.body, self.read = body, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self.body), 1024):
            self.read += 1
            yield self.body[start : start + 1024]


async def test_a_content_length_over_the_cap_is_refused_unread() -> None:
    stream = _Counted(b"1" * 5000)
    ats = FakeAts(sequence(httpx.Response(200, stream=stream, headers={"Content-Length": "5000"})))
    with pytest.raises(PayloadError, match="more than 1000 bytes"):
        await get(ats, max_body_bytes=1000)
    assert stream.read == 0


@pytest.mark.parametrize("encoding", ["br", "zstd", "gzip, compress", "x-ats-wrote-this"])
async def test_an_encoding_we_did_not_ask_for_is_a_payload_error(encoding: str) -> None:
    """We ask for gzip and deflate only: a body in another encoding would pass on as noise."""
    ats = FakeAts(
        sequence(
            httpx.Response(
                200, stream=httpx.ByteStream(b"\x1b\x00"), headers={"Content-Encoding": encoding}
            )
        )
    )
    with pytest.raises(PayloadError, match="did not ask for") as caught:
        await get(ats)
    assert encoding.split(",")[-1].strip() not in str(caught.value)  # the ATS's words stay out


async def test_layered_encodings_are_undone_in_reverse_order() -> None:
    body = zlib.compress(gzip.compress(b'{"layers": 2}'))
    ats = FakeAts(
        sequence(
            httpx.Response(
                200, stream=httpx.ByteStream(body), headers={"Content-Encoding": "gzip, deflate"}
            )
        )
    )
    assert (await get(ats)).json(CTX) == {"layers": 2}


async def test_a_stack_of_encodings_is_a_payload_error() -> None:
    """One small answer, gzipped a thousand times and saying so: each layer would cost a
    zlib state and a level of nested decoding (a RecursionError, untyped, past about a
    thousand), so a stack taller than any server makes is refused before decoding."""
    body, layers = b"{}", 1000
    for _ in range(layers):
        body = gzip.compress(body, 1)
    stacked = ", ".join(["gzip"] * layers)
    ats = FakeAts(
        sequence(
            httpx.Response(
                200, stream=httpx.ByteStream(body), headers={"Content-Encoding": stacked}
            )
        )
    )
    with pytest.raises(PayloadError, match="Content-Encoding"):
        await get(ats)


async def test_a_body_that_lies_about_its_encoding_is_a_payload_error() -> None:
    ats = FakeAts(
        sequence(
            httpx.Response(
                200, stream=httpx.ByteStream(b"{}"), headers={"Content-Encoding": "gzip"}
            )
        )
    )
    with pytest.raises(PayloadError, match="does not match its Content-Encoding") as caught:
        await get(ats)
    assert (caught.value.connector, caught.value.job_id) == ("fake", "1")
    assert len(ats.requests) == 1


@pytest.mark.parametrize(
    "url",
    [
        "https://api.ats.example/v1/jobs/\x00",
        # an A-label that is not Punycode: httpx's IDNA decoding fails on it
        "https://xn--zz.ats.example/v1/jobs/1",
    ],
)
async def test_a_url_that_cannot_be_parsed_is_a_configuration_error(url: str) -> None:
    ats = FakeAts(sequence(httpx.Response(200, json={})))
    client = ats.client()
    with pytest.raises(ConfigurationError, match="cannot request"):
        await client.request("GET", url, CTX)
    assert ats.requests == []


async def test_requests_ask_for_json_and_say_who_we_are() -> None:
    ats = FakeAts(sequence(httpx.Response(200, json={})))
    await get(ats)
    headers = ats.requests[0].headers
    assert headers["accept"] == "application/json"
    assert headers["user-agent"] == f"embloy-ats/{version('embloy-ats')} (+https://embloy.com)"
    assert headers["accept-encoding"] == "gzip, deflate"


async def test_cookies_an_ats_sets_are_never_sent_back() -> None:
    ats = FakeAts(
        sequence(
            httpx.Response(200, json={}, headers={"Set-Cookie": "session=tenant-a; Path=/"}),
            httpx.Response(200, json={}),
        )
    )
    client = ats.client()
    await client.request("GET", URL, CTX)
    await client.request("GET", URL, CTX)
    assert "cookie" not in ats.requests[1].headers


async def test_redirects_are_not_followed() -> None:
    ats = FakeAts(sequence(httpx.Response(302, headers={"Location": "http://169.254.169.254/"})))
    with pytest.raises(UnexpectedRedirect):
        await get(ats)
    assert [str(r.url) for r in ats.requests] == [URL]


async def test_rate_limit_headers_pause_the_bucket() -> None:
    now = [0.0]
    slept: list[float] = []

    class Clock:
        def now(self) -> Any:
            raise AssertionError

        def monotonic(self) -> float:
            return now[0]

        async def sleep(self, seconds: float) -> None:
            slept.append(seconds)
            now[0] += seconds

    headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "4"}
    ats = FakeAts(sequence(httpx.Response(200, json={}, headers=headers)))
    client = ats.client(clock=Clock())
    ctx = RequestContext("fake", "1", RateLimitPolicy(100, 1.0), "acct")
    await client.request("GET", URL, ctx)
    await client.request("GET", URL, ctx)
    assert slept == [4.0]


async def test_the_client_side_limiter_spaces_requests() -> None:
    now = [0.0]

    class Clock:
        def now(self) -> Any:
            raise AssertionError

        def monotonic(self) -> float:
            return now[0]

        async def sleep(self, seconds: float) -> None:
            now[0] += seconds

    ats = FakeAts(sequence(httpx.Response(200, json={})))
    client = ats.client(clock=Clock())
    ctx = RequestContext("fake", "1", RateLimitPolicy(10, 10.0), "acct")  # Workable-like
    for _ in range(25):
        await client.request("GET", URL, ctx)
    # 10 at once, then one per second: 15 more need 15 s.
    assert now[0] == pytest.approx(15.0)


def test_parse_retry_after() -> None:
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("-5") == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after("nan") is None
    assert parse_retry_after(None) is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480.0 - 60) == 60.0


@pytest.mark.parametrize("one_shot", [False, True], ids=["engine", "one-shot"])
async def test_private_hosts_are_refused_by_the_real_transport(
    monkeypatch: pytest.MonkeyPatch, one_shot: bool
) -> None:
    monkeypatch.delenv("EMBLOY_ATS_ALLOW_PRIVATE_NETWORK", raising=False)
    client = HttpClient(one_shot=one_shot)
    try:
        with pytest.raises(ConfigurationError, match="private host"):
            await client.request("GET", "http://127.0.0.1:9/x", CTX)
    finally:
        await client.aclose()


async def test_oauth_token_is_fetched_once_for_concurrent_requests() -> None:
    token_calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            token_calls.append(request)
            return httpx.Response(200, json={"access_token": "tok-1", "expires_in": 3600})
        assert request.headers["Authorization"] == "Bearer tok-1"
        return httpx.Response(200, json={})

    ats = FakeAts(handler)
    client = ats.client()
    auth = OAuth2Token(
        token_url="https://api.ats.example/oauth/token",
        client_id=SecretStr("id"),
        client_secret=SecretStr("shh"),
    )

    async def one() -> None:
        headers = await auth.headers(client, CTX)
        await client.request("GET", URL, CTX, headers=headers)

    await asyncio.gather(*(one() for _ in range(20)))
    assert len(token_calls) == 1
    assert b"grant_type=client_credentials" in token_calls[0].content


async def test_oauth_token_endpoint_rejection_is_authentication_failed() -> None:
    ats = FakeAts(sequence(httpx.Response(400, json={"error": "invalid_client"})))
    auth = OAuth2Token(
        token_url="https://api.ats.example/oauth/token",
        client_id=SecretStr("id"),
        client_secret=SecretStr("wrong-secret-value"),
    )
    with pytest.raises(AuthenticationFailed) as caught:
        await auth.headers(ats.client(), CTX)
    assert "wrong-secret-value" not in str(caught.value) + repr(caught.value) + repr(auth)


@given(
    st.dictionaries(st.text(min_size=1, max_size=8), st.text(max_size=12), max_size=4),
    st.sampled_from(["", "?page=2"]),
)
async def test_params_make_the_url_httpx_would(params: dict[str, str], query: str) -> None:
    """Params are put into the URL string before httpx parses it (once, not twice): the
    URL sent is the one httpx itself makes of the same URL and params."""
    url = f"https://api.ats.example/v1/jobs/1{query}"
    ats = FakeAts(lambda request: httpx.Response(200, json={}))
    await ats.client().request("GET", url, CTX, params=params)
    assert ats.requests[0].url == httpx.Request("GET", url, params=params).url
