"""Client and request tokens: JWTs signed with HS256 only.

- A *client token* is a partner's long-lived secret: it names the tenant, is revocable (its
  `jti` is recorded when issued, and its record checked as the request tokens' are, below)
  and expires.
- A *request token* is short-lived (30 minutes by default, never past its client token's
  expiry) and bound to one tenant, mode and job slug, plus the partner's success/cancel URLs.
  It names the client token it was exchanged for (`cid`) and dies with it: revoked, or gone
  with its tenant. A process learns of a revocation made elsewhere (the CLI, another
  replica) within `REVOCATION_CHECK_SECONDS`, and of its own at once; it reads the client
  token's record at most once per that interval, not on every request or exchange.

Hardening: the algorithm is pinned (no `alg: none`, no RS/HS key confusion: only HS256 is
accepted and only with our key); `exp`, `iat`, `iss` and `typ` are required; the clock-skew
leeway is small; the two kinds are signed with different keys derived from the secret, so
one kind can never pass for the other even if `typ` were forged.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jwt

from embloy_ats.clock import SYSTEM_CLOCK, Clock
from embloy_ats.errors import ConfigurationError, EmbloyAtsError
from embloy_ats.store import ClientToken, Store
from embloy_ats.validation import is_http_url

SECRET_KEY_ENV = "EMBLOY_ATS_SECRET_KEY"  # noqa: S105 - the variable's name
ISSUER = "embloy-ats"
ALGORITHM = "HS256"
LEEWAY_SECONDS = 10
REQUEST_TOKEN_SECONDS = 30 * 60
#: How long a process trusts what it read of a client token before reading it again: the
#: bound on how late it learns of a revocation made by another process.
REVOCATION_CHECK_SECONDS = 5.0
#: Client token records a process remembers; the oldest are read again when it holds more.
_MAX_REMEMBERED = 10_000
_MIN_SECRET_BYTES = 32
#: The claims PyJWT checks beyond the ones these tokens carry: a token bearing one is not
#: plainly ours, and PyJWT judges it.
_MORE_TO_CHECK = frozenset(("nbf", "aud"))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


#: The header segment of every token signed here: PyJWT's for HS256, byte for byte.
_HEADER = _b64(json.dumps({"alg": ALGORITHM, "typ": "JWT"}, separators=(",", ":")).encode())


class InvalidToken(EmbloyAtsError):
    """A client or request token that is missing, malformed, expired, revoked or not ours."""

    hint = "Get a new token."
    exit_code = 4


class ExpiredToken(InvalidToken):
    """A token we signed whose time is up. Its signature still holds, so a request token's
    `cancel_url` is still the partner's own: the candidate's way back."""

    def __init__(self, message: str, *, cancel_url: str | None = None) -> None:
        super().__init__(message)
        self.cancel_url = cancel_url


@dataclass(frozen=True)
class RequestClaims:
    tenant_id: str
    mode: str
    job_slug: str
    success_url: str | None
    cancel_url: str | None
    expires_at: int
    jti: str


def secret_from_env(environ: Mapping[str, str] = os.environ) -> str:
    secret = environ.get(SECRET_KEY_ENV, "")
    if len(secret.encode()) < _MIN_SECRET_BYTES:
        raise ConfigurationError(
            f"{SECRET_KEY_ENV} is not set or shorter than {_MIN_SECRET_BYTES} bytes",
            hint=f"Set {SECRET_KEY_ENV} to a long random value, e.g. `openssl rand -hex 32`.",
        )
    return secret


def new_secret() -> str:
    return secrets.token_hex(32)


def _refused(record: ClientToken | None) -> bool:
    """Unknown (never issued, or gone with its tenant) or revoked: final either way."""
    return record is None or record.revoked_at is not None


class TokenService:
    def __init__(
        self,
        secret: str,
        store: Store,
        *,
        clock: Clock = SYSTEM_CLOCK,
        revocation_check_seconds: float = REVOCATION_CHECK_SECONDS,
    ) -> None:
        if len(secret.encode()) < _MIN_SECRET_BYTES:
            raise ConfigurationError(f"the token secret must be at least {_MIN_SECRET_BYTES} bytes")
        self._keys = {
            kind: hmac.new(secret.encode(), f"embloy-ats/{kind}".encode(), hashlib.sha256).digest()
            for kind in ("client", "request")
        }
        self.store = store
        self.clock = clock
        self.revocation_check_seconds = revocation_check_seconds
        #: jti -> (monotonic time it was read, the record then); refusals are kept for good.
        self._records: dict[str, tuple[float, ClientToken | None]] = {}
        self._reading: dict[str, asyncio.Task[ClientToken | None]] = {}

    def _now(self) -> int:
        return int(self.clock.now().timestamp())

    def _encode(self, kind: str, claims: dict[str, Any]) -> str:
        """The token as PyJWT would sign it (JWS compact, HS256), without its key checks."""
        signing_input = f"{_HEADER}.{_b64(json.dumps(claims, separators=(',', ':')).encode())}"
        return f"{signing_input}.{self._signature(kind, signing_input)}"

    def _signature(self, kind: str, signing_input: str) -> str:
        return _b64(hmac.digest(self._keys[kind], signing_input.encode(), "sha256"))

    def _decode(self, kind: str, token: str | None) -> dict[str, Any]:
        if not token:
            raise InvalidToken(f"the {kind} token is missing")
        claims = self._signed_here(kind, token)
        if claims is None:
            claims = self._checked(kind, token)
        if claims.get("typ") != kind:
            raise InvalidToken(f"that is not a {kind} token")
        if claims["iat"] > self._now() + LEEWAY_SECONDS:
            raise InvalidToken(f"the {kind} token is issued in the future")
        return claims

    def _signed_here(self, kind: str, token: str) -> dict[str, Any] | None:
        """The claims of a token plainly signed here, as issued and in its time; else None.

        Whatever is not plainly so (another header, a signature that does not match as
        written, a claim PyJWT would coerce, refuse, or judge by the clock's edge) goes to
        `_checked`: this path only ever accepts what PyJWT accepts, at a fraction of its
        cost, and every refusal is PyJWT's and worded as before.
        """
        head, _, rest = token.partition(".")
        payload, _, signature = rest.partition(".")
        if head != _HEADER or not signature.isascii():
            return None
        expected = self._signature(kind, f"{head}.{payload}")
        if not hmac.compare_digest(expected.encode(), signature.encode()):
            return None
        try:
            claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        except ValueError:  # binascii.Error, UnicodeDecodeError and JSONDecodeError too
            return None
        if not isinstance(claims, dict) or not _MORE_TO_CHECK.isdisjoint(claims):
            return None
        exp, iat, now = claims.get("exp"), claims.get("iat"), time.time()  # PyJWT's clock
        if not (
            claims.get("iss") == ISSUER
            and all(isinstance(claims.get(name), str) for name in ("sub", "jti", "typ"))
            and type(exp) is int
            and type(iat) is int
            and exp > now  # near the edge, PyJWT's leeway decides
            and iat <= now
        ):
            return None
        return claims

    def _checked(self, kind: str, token: str) -> dict[str, Any]:
        """PyJWT's verdict: the claims, or the refusal in words."""
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") != ALGORITHM:
                raise InvalidToken(f"the {kind} token is not signed with {ALGORITHM}")
            claims: dict[str, Any] = jwt.decode(
                token,
                self._keys[kind],
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "sub", "jti", "typ"]},
            )
        except jwt.ExpiredSignatureError:
            raise ExpiredToken(
                f"the {kind} token has expired", cancel_url=self._way_back(kind, token)
            ) from None
        except jwt.PyJWTError:
            raise InvalidToken(f"the {kind} token is invalid") from None
        return claims

    def _way_back(self, kind: str, token: str) -> str | None:
        """The `cancel_url` of an expired request token whose signature holds, else None."""
        if kind != "request":
            return None
        try:
            claims = jwt.decode(
                token,
                self._keys[kind],
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                options={"verify_exp": False, "require": ["exp", "iss", "typ"]},
            )
        except jwt.PyJWTError:
            return None
        url = claims.get("cancel_url")
        if claims.get("typ") != kind or not isinstance(url, str) or not is_http_url(url):
            return None
        return url

    # client tokens ------------------------------------------------------------------------

    async def issue_client_token(self, tenant_id: str, *, days: float = 365) -> tuple[str, str]:
        """A new client token for the tenant; returns (token, jti). Only the jti is stored."""
        if not 0 < days <= 3650:
            raise ConfigurationError("a client token lives between a moment and 10 years")
        now = self._now()
        jti = secrets.token_hex(16)
        expires = now + int(days * 86400)
        claims = {"iss": ISSUER, "sub": tenant_id, "typ": "client", "jti": jti,
                  "iat": now, "exp": expires}  # fmt: skip
        await self.store.put_client_token(ClientToken(jti, tenant_id, now, expires, None))
        return self._encode("client", claims), jti

    async def verify_client_token(self, token: str | None) -> ClientToken:
        """The record of a valid, unrevoked client token, as read at most
        REVOCATION_CHECK_SECONDS ago: the request tokens it is exchanged for are trusted as
        long, so within that bound of a revocation nothing issued under it works."""
        claims = self._decode("client", token)
        record = await self._recent(str(claims["jti"]))
        if record is None or record.tenant_id != claims["sub"]:
            raise InvalidToken("the client token is unknown")
        if record.revoked_at is not None:
            raise InvalidToken("the client token has been revoked")
        return record

    async def revoke(self, token_or_jti: str) -> str:
        """Revoke by token or by its id; returns the jti. The request tokens exchanged for it
        stop working at once in this process, and within REVOCATION_CHECK_SECONDS in others."""
        jti = token_or_jti
        if token_or_jti.count(".") == 2:
            try:
                claims = jwt.decode(token_or_jti, options={"verify_signature": False})
                jti = str(claims.get("jti", ""))
            except jwt.PyJWTError:
                raise InvalidToken("that is neither a client token nor a token id") from None
        if not await self.store.revoke_client_token(jti, now=self._now()):
            raise InvalidToken(f"no client token has the id {jti[:40]!r}")
        await self._read(jti)  # a read begun before the revocation cannot undo this one
        return jti

    async def _read(self, jti: str) -> ClientToken | None:
        """The client token's record from the store, remembered for the request tokens."""
        began = self.clock.monotonic()  # what is read is as old as the moment it was asked
        record = await self.store.get_client_token(jti)
        known = self._records.pop(jti, None)
        if known is not None and _refused(known[1]):
            record = known[1]  # a refusal is final: an older read finishing late keeps it
        self._records[jti] = (began, record)
        while len(self._records) > _MAX_REMEMBERED:
            del self._records[next(iter(self._records))]
        return record

    async def _recent(self, jti: str) -> ClientToken | None:
        """The client token's record as read at most REVOCATION_CHECK_SECONDS ago; one read
        from the store however many requests need it at once."""
        known = self._records.get(jti)
        if known is not None and (
            _refused(known[1]) or self.clock.monotonic() - known[0] < self.revocation_check_seconds
        ):
            return known[1]
        task = self._reading.get(jti)
        if task is None:
            task = self._reading[jti] = asyncio.create_task(self._read(jti))
            task.add_done_callback(lambda done: self._read_settled(jti, done))
        # shield: one impatient caller must not cancel the read the others wait for
        return await asyncio.shield(task)

    def _read_settled(self, jti: str, task: asyncio.Task[ClientToken | None]) -> None:
        if self._reading.get(jti) is task:
            del self._reading[jti]
        if not task.cancelled():
            task.exception()  # seen, even when every caller stopped waiting

    # request tokens -----------------------------------------------------------------------

    def issue_request_token(
        self,
        client: ClientToken,
        mode: str,
        job_slug: str,
        *,
        success_url: str | None = None,
        cancel_url: str | None = None,
        seconds: int = REQUEST_TOKEN_SECONDS,
    ) -> str:
        """A request token for one job, exchanged for the (verified) client token `client`."""
        now = self._now()
        claims = {"iss": ISSUER, "sub": client.tenant_id, "typ": "request",
                  "jti": secrets.token_hex(8), "cid": client.jti, "iat": now,
                  "exp": min(now + seconds, int(client.expires_at)), "mode": mode,
                  "job_slug": job_slug, "success_url": success_url,
                  "cancel_url": cancel_url}  # fmt: skip
        return self._encode("request", claims)

    async def verify_request_token(self, token: str | None) -> RequestClaims:
        """The claims of a valid request token whose client token still stands."""
        claims = self._decode("request", token)
        mode, slug, cid = claims.get("mode"), claims.get("job_slug"), claims.get("cid")
        if not isinstance(mode, str) or not isinstance(slug, str):
            raise InvalidToken("the request token names no job")
        if not isinstance(cid, str) or not cid:
            raise InvalidToken("the request token names no client token")
        record = await self._recent(cid)
        if record is None or record.tenant_id != claims["sub"]:
            raise InvalidToken("the request token's client token is unknown")
        if record.revoked_at is not None:
            raise InvalidToken("the request token's client token has been revoked")
        return RequestClaims(
            tenant_id=str(claims["sub"]),
            mode=mode,
            job_slug=slug,
            success_url=claims.get("success_url"),
            cancel_url=claims.get("cancel_url"),
            expires_at=int(claims["exp"]),
            jti=str(claims["jti"]),
        )
