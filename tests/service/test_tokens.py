"""A request token dies with its client token: revoked, or gone with its tenant, in the
process that revoked it at once and in every other within REVOCATION_CHECK_SECONDS, with
one read of the client token per interval, not one per request. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import sqlite3
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import jwt
import psycopg
import pytest
from embloy_ats.service.tokens import (
    REVOCATION_CHECK_SECONDS,
    ExpiredToken,
    InvalidToken,
    TokenService,
)
from embloy_ats.store import ClientToken, Store, store_for

from tests.resolver.conftest import ManualClock, pg_schema, store_url  # noqa: F401 - fixtures
from tests.service.conftest import SECRET, Service
from tests.service.test_api import HANDLE_PATH, assert_error


@pytest.fixture
def now_clock() -> ManualClock:
    """A manual clock that starts now: PyJWT checks `exp` against the real time."""
    clock = ManualClock()
    clock.current = datetime.now(UTC)
    return clock


@pytest.fixture
async def stores(store_url: str) -> AsyncIterator[list[Store]]:  # noqa: F811 - the fixture
    """Three processes' stores on one database: two service replicas and the CLI."""
    opened = [store_for(store_url) for _ in range(3)]
    for store in opened:
        await store.open()
    yield opened
    for store in opened:
        await store.close()


async def new_client(tokens: TokenService, name: str = "acme", days: float = 365) -> ClientToken:
    tenant = await tokens.store.create_tenant(name, now=0.0)
    token, _ = await tokens.issue_client_token(tenant.id, days=days)
    return await tokens.verify_client_token(token)


class CountingReads:
    """Counts the store's reads of client token records."""

    def __init__(self, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        read = store.get_client_token

        async def counted(jti: str) -> ClientToken | None:
            self.count += 1
            return await read(jti)

        monkeypatch.setattr(store, "get_client_token", counted)


async def test_a_revocation_reaches_every_replica_within_the_bound(
    stores: list[Store], now_clock: ManualClock
) -> None:
    replica_a, replica_b, cli = (TokenService(SECRET, store, clock=now_clock) for store in stores)
    client = await new_client(replica_a)
    request_token = replica_a.issue_request_token(client, "fake", "7")
    assert (await replica_b.verify_request_token(request_token)).tenant_id == client.tenant_id

    await cli.revoke(client.jti)
    with pytest.raises(InvalidToken, match="client token has been revoked"):
        await cli.verify_request_token(request_token)  # the revoking process: at once
    # The documented bound: a replica trusts what it read for REVOCATION_CHECK_SECONDS...
    now_clock.advance(REVOCATION_CHECK_SECONDS - 0.5)
    await replica_b.verify_request_token(request_token)
    # ... and no longer.
    now_clock.advance(0.5)
    for replica in (replica_a, replica_b):
        with pytest.raises(InvalidToken, match="client token has been revoked"):
            await replica.verify_request_token(request_token)
    # A revocation is final: reading it again later changes nothing.
    now_clock.advance(3600)
    with pytest.raises(InvalidToken, match="revoked"):
        await replica_b.verify_request_token(request_token)


async def test_a_revocation_in_the_serving_process_is_immediate(
    stores: list[Store], now_clock: ManualClock
) -> None:
    tokens = TokenService(SECRET, stores[0], clock=now_clock)
    client = await new_client(tokens)
    request_token = tokens.issue_request_token(client, "fake", "7")
    await tokens.verify_request_token(request_token)  # remembered as valid
    await tokens.revoke(client.jti)
    with pytest.raises(InvalidToken, match="revoked"):
        await tokens.verify_request_token(request_token)


async def test_one_read_of_the_client_token_per_interval(
    stores: list[Store], now_clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    issuer, replica = (TokenService(SECRET, store, clock=now_clock) for store in stores[:2])
    client = await new_client(issuer)
    request_tokens = [issuer.issue_request_token(client, "fake", str(n)) for n in range(1, 101)]
    reads = CountingReads(stores[1], monkeypatch)

    verified = await asyncio.gather(*map(replica.verify_request_token, request_tokens))
    assert {claims.job_slug for claims in verified} == {str(n) for n in range(1, 101)}
    assert reads.count == 1, "a hundred requests at once share one read"
    for token in request_tokens:
        await replica.verify_request_token(token)
    assert reads.count == 1
    now_clock.advance(REVOCATION_CHECK_SECONDS)
    await asyncio.gather(*map(replica.verify_request_token, request_tokens))
    assert reads.count == 2


async def test_a_read_begun_before_a_revocation_cannot_undo_it(
    stores: list[Store], now_clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    tokens = TokenService(SECRET, stores[0], clock=now_clock)
    client = await new_client(tokens)
    request_token = tokens.issue_request_token(client, "fake", "7")
    stale, release = asyncio.Event(), asyncio.Event()
    read = stores[0].get_client_token

    async def slow_first_read(jti: str) -> ClientToken | None:
        record = await read(jti)
        if not stale.is_set():
            stale.set()  # read before the revocation; answered after it
            await release.wait()
        return record

    now_clock.advance(REVOCATION_CHECK_SECONDS)  # what verify_client_token read is now old
    monkeypatch.setattr(stores[0], "get_client_token", slow_first_read)
    early = asyncio.create_task(tokens.verify_request_token(request_token))
    await stale.wait()
    await tokens.revoke(client.jti)
    release.set()
    with pytest.raises(InvalidToken, match="revoked"):
        await early
    with pytest.raises(InvalidToken, match="revoked"):
        await tokens.verify_request_token(request_token)


async def test_a_removed_tenant_takes_its_client_and_request_tokens_along(
    stores: list[Store],
    store_url: str,  # noqa: F811 - the fixture
    now_clock: ManualClock,
) -> None:
    replica = TokenService(SECRET, stores[0], clock=now_clock)
    tenant = await replica.store.create_tenant("acme", now=0.0)
    client_token, _ = await replica.issue_client_token(tenant.id)
    client = await replica.verify_client_token(client_token)
    request_token = replica.issue_request_token(client, "fake", "7")
    await replica.verify_request_token(request_token)
    delete = "DELETE FROM tenants WHERE id = "
    if store_url.startswith("sqlite"):
        with sqlite3.connect(store_url.removeprefix("sqlite:///")) as db:
            db.execute("PRAGMA foreign_keys=ON")
            db.execute(delete + "?", (client.tenant_id,))
    else:
        with psycopg.connect(store_url, autocommit=True) as conn:
            conn.execute(delete + "%s", (client.tenant_id,))
    now_clock.advance(REVOCATION_CHECK_SECONDS)
    with pytest.raises(InvalidToken, match="client token is unknown"):
        await replica.verify_request_token(request_token)
    with pytest.raises(InvalidToken, match="client token is unknown"):
        await replica.verify_client_token(client_token)


async def test_a_request_token_never_outlives_its_client_token(
    stores: list[Store], now_clock: ManualClock
) -> None:
    tokens = TokenService(SECRET, stores[0], clock=now_clock)
    client = await new_client(tokens, days=0.01)  # 864 seconds
    claims = await tokens.verify_request_token(tokens.issue_request_token(client, "fake", "7"))
    assert claims.expires_at == int(client.expires_at)
    long_lived = await new_client(tokens, "globex")
    claims = await tokens.verify_request_token(tokens.issue_request_token(long_lived, "fake", "7"))
    assert claims.expires_at == int(now_clock.now().timestamp()) + 30 * 60


# -- over HTTP ---------------------------------------------------------------------------------


def operator_detail(caplog: pytest.LogCaptureFixture, request_id: str) -> str:
    """What the log says of one request: the reason the candidate is not shown."""
    return " ".join(r.getMessage() for r in caplog.records if request_id in r.getMessage())


async def test_revoking_a_client_token_ends_its_request_tokens(
    service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="embloy_ats")
    used, unused = await service.request_token(), await service.request_token("8")
    assert (await service.client.post(HANDLE_PATH, headers={"request_token": used})).is_success
    await service.tokens.revoke(service.client_token)
    for token in (used, unused):
        handled = await service.client.post(HANDLE_PATH, headers={"request_token": token})
        error = assert_error(handled, 401, "invalid_token")
        assert "revoked" in operator_detail(caplog, error["request_id"])
        page = await service.client.get("/sdk/apply", params={"request_token": token})
        assert page.status_code == 401
    assert len(service.ats.requests) == 1


async def test_a_request_token_that_names_no_client_token_is_refused(
    service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    """Signed with the right key but from before request tokens named their client token
    (or forged by whoever holds the secret): without the link it cannot be revoked."""
    claims: dict[str, Any] = jwt.decode(
        await service.request_token(), options={"verify_signature": False}
    )
    caplog.set_level(logging.INFO, logger="embloy_ats")
    key = hmac.new(SECRET.encode(), b"embloy-ats/request", hashlib.sha256).digest()
    for unlinked in ({k: v for k, v in claims.items() if k != "cid"}, claims | {"cid": ""}):
        token = jwt.encode(unlinked, key, algorithm="HS256")
        handled = await service.client.post(HANDLE_PATH, headers={"request_token": token})
        error = assert_error(handled, 401, "invalid_token")
        assert "names no client token" in operator_detail(caplog, error["request_id"])


def _signed(kind: str, claims: Any, headers: dict[str, Any] | None = None) -> str:
    """A token signed with the service's own key for `kind`: only its claims can fail."""
    key = hmac.new(SECRET.encode(), f"embloy-ats/{kind}".encode(), hashlib.sha256).digest()
    if isinstance(claims, dict):
        return jwt.encode(claims, key, algorithm="HS256", headers=headers)
    return jwt.api_jws.encode(json.dumps(claims).encode(), key, algorithm="HS256")


def test_the_claims_of_a_signed_token_are_judged_as_pyjwt_judges_them() -> None:
    """Whatever way a token takes through the check, the verdict is PyJWT's: an expired or
    immature token, a foreign issuer, audience or claim type is refused, and the leeway,
    PyJWT's integer coercion and a padded signature are accepted as before."""
    tokens = TokenService(SECRET, store_for("sqlite://:memory:"))
    now = int(time.time())
    claims = {"iss": "embloy-ats", "sub": "t1", "typ": "request", "jti": "j1", "iat": now,
              "exp": now + 60, "cid": "c1", "mode": "fake", "job_slug": "7"}  # fmt: skip
    without_issuer = {k: v for k, v in claims.items() if k != "iss"}
    accepted = {
        "as issued": _signed("request", claims),
        "expired within the leeway": _signed("request", claims | {"exp": now - 5}),
        "exp a float": _signed("request", claims | {"exp": now + 60.5}),
        "exp a numeric string": _signed("request", claims | {"exp": str(now + 60)}),
        "a key id in the header": _signed("request", claims, {"kid": "k1"}),
        "a padded signature": _signed("request", claims) + "=",
    }
    refused = {
        "expired": (ExpiredToken, _signed("request", claims | {"exp": now - 60})),
        "issued ahead": (InvalidToken, _signed("request", claims | {"iat": now + 60})),
        "not before ahead": (InvalidToken, _signed("request", claims | {"nbf": now + 60})),
        "an audience": (InvalidToken, _signed("request", claims | {"aud": "x"})),
        "sub not a string": (InvalidToken, _signed("request", claims | {"sub": 1})),
        "jti not a string": (InvalidToken, _signed("request", claims | {"jti": 1})),
        "another issuer": (InvalidToken, _signed("request", claims | {"iss": "other"})),
        "no issuer": (InvalidToken, _signed("request", without_issuer)),
        "exp null": (InvalidToken, _signed("request", claims | {"exp": None})),
        "claims not an object": (InvalidToken, _signed("request", [claims])),
        "the other kind's key": (InvalidToken, _signed("client", claims)),
        "a tampered payload": (InvalidToken, _tampered(_signed("request", claims))),
    }
    for name, token in accepted.items():
        assert tokens._decode("request", token) == jwt.decode(
            token, options={"verify_signature": False}
        ), name
    for name, (error, token) in refused.items():
        with pytest.raises(error) as raised:
            tokens._decode("request", token)
        assert type(raised.value) is error, name


def _tampered(token: str) -> str:
    head, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged = base64.urlsafe_b64encode(json.dumps(claims | {"sub": "t2"}).encode())
    return f"{head}.{forged.rstrip(b'=').decode()}.{signature}"


async def test_a_token_signed_here_is_checked_without_pyjwt(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The tokens the service signs are checked by their signature and claims directly:
    PyJWT's parsing (two passes, a per-character check, a key check per call) is for the
    tokens that are not plainly ours, and words their refusal."""
    store = store_for("sqlite://:memory:")
    await store.open()
    try:
        tokens = TokenService(SECRET, store)
        client = await new_client(tokens)
        request_token = tokens.issue_request_token(client, "fake", "7")

        def refused(*args: Any, **kwargs: Any) -> Any:
            raise AssertionError("PyJWT parsed a token the service signed")

        monkeypatch.setattr(jwt, "decode", refused)
        monkeypatch.setattr(jwt, "get_unverified_header", refused)
        assert (await tokens.verify_request_token(request_token)).job_slug == "7"
        monkeypatch.undo()
        # ... and signed as PyJWT signs them: PyJWT verifies them with the same key.
        key = hmac.new(SECRET.encode(), b"embloy-ats/request", hashlib.sha256).digest()
        claims = jwt.decode(request_token, key, algorithms=["HS256"], issuer="embloy-ats")
        assert jwt.get_unverified_header(request_token) == {"alg": "HS256", "typ": "JWT"}
        assert request_token == jwt.encode(claims, key, algorithm="HS256")
    finally:
        await store.close()


async def test_exchanges_read_the_client_token_once_per_interval(
    stores: list[Store], now_clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A partner's backend exchanges one client token for every candidate's click: the
    process reads its record once per interval, however many exchanges arrive at once."""
    issuer, replica = (TokenService(SECRET, store, clock=now_clock) for store in stores[:2])
    tenant = await issuer.store.create_tenant("acme", now=0.0)
    client_token, _ = await issuer.issue_client_token(tenant.id)
    reads = CountingReads(stores[1], monkeypatch)

    records = await asyncio.gather(*(replica.verify_client_token(client_token) for _ in range(50)))
    assert {record.tenant_id for record in records} == {tenant.id}
    assert reads.count == 1, "fifty exchanges at once share one read"
    await replica.verify_client_token(client_token)
    assert reads.count == 1
    now_clock.advance(REVOCATION_CHECK_SECONDS)
    await replica.verify_client_token(client_token)
    assert reads.count == 2


async def test_a_revoked_client_token_stops_its_exchanges_within_the_bound(
    stores: list[Store], now_clock: ManualClock
) -> None:
    """Where it is revoked, at once; in every other process within the bound, the same as
    the request tokens already issued under it: within REVOCATION_CHECK_SECONDS of a
    revocation nothing issued under the client token works anywhere."""
    replica, cli = (TokenService(SECRET, store, clock=now_clock) for store in stores[:2])
    tenant = await replica.store.create_tenant("acme", now=0.0)
    client_token, jti = await replica.issue_client_token(tenant.id)
    client = await replica.verify_client_token(client_token)
    request_token = replica.issue_request_token(client, "fake", "7")

    await cli.revoke(jti)
    with pytest.raises(InvalidToken, match="client token has been revoked"):
        await cli.verify_client_token(client_token)
    now_clock.advance(REVOCATION_CHECK_SECONDS - 0.5)
    await replica.verify_client_token(client_token)
    now_clock.advance(0.5)
    with pytest.raises(InvalidToken, match="client token has been revoked"):
        await replica.verify_client_token(client_token)
    with pytest.raises(InvalidToken, match="client token has been revoked"):
        await replica.verify_request_token(request_token)
