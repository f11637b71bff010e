"""How a connector proves who it is. Secrets stay inside `SecretStr` until the header is built.

OAuth2 tokens are cached until shortly before expiry and shared: N concurrent fetches make
one token request. A 401 invalidates the token once (see `Connector.request_json`).
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal, Protocol

from pydantic import SecretStr

from embloy_ats.errors import AuthenticationFailed, PayloadError, PermissionDenied, RequestRejected

if TYPE_CHECKING:
    from embloy_ats.http import HttpClient, RequestContext


class AuthKind(StrEnum):
    NONE = "none"
    BASIC = "basic"
    BEARER = "bearer"
    API_KEY_HEADER = "api_key_header"
    OAUTH2_CLIENT_CREDENTIALS = "oauth2_client_credentials"
    OAUTH2_REFRESH_TOKEN = "oauth2_refresh_token"  # noqa: S105 - a name, not a secret


class Auth(Protocol):
    kind: AuthKind

    async def headers(self, http: HttpClient, ctx: RequestContext) -> Mapping[str, str]:
        """Headers that authenticate one request."""
        ...

    def invalidate(self) -> bool:
        """Forget a cached token after a 401; True if a retry can succeed."""
        ...


class _Static:
    def invalidate(self) -> bool:
        return False


@dataclass
class NoAuth(_Static):
    kind: AuthKind = AuthKind.NONE

    async def headers(self, http: HttpClient, ctx: RequestContext) -> Mapping[str, str]:
        return {}


@dataclass(repr=False)
class BasicAuth(_Static):
    username: SecretStr
    password: SecretStr = field(default_factory=lambda: SecretStr(""))
    kind: AuthKind = AuthKind.BASIC

    async def headers(self, http: HttpClient, ctx: RequestContext) -> Mapping[str, str]:
        pair = f"{self.username.get_secret_value()}:{self.password.get_secret_value()}"
        return {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode("ascii")}


@dataclass(repr=False)
class HeaderAuth(_Static):
    """A secret in a header, with a template: `Bearer {}`, `Token token={}`, or just `{}`."""

    header: str
    secret: SecretStr
    template: str = "Bearer {}"
    kind: AuthKind = AuthKind.BEARER

    async def headers(self, http: HttpClient, ctx: RequestContext) -> Mapping[str, str]:
        return {self.header: self.template.format(self.secret.get_secret_value())}


#: the token the current task last sent; a 401 invalidates only that one.
_SENT_WITH: ContextVar[SecretStr | None] = ContextVar("embloy_ats_oauth_token", default=None)


@dataclass(repr=False)
class OAuth2Token:
    """OAuth2 token grant (client credentials, or refresh token), cached and shared.

    However many requests run at once, one token request is in flight and its outcome,
    token or error, is everyone's. The token is renewed `expiry_margin` seconds before it
    expires, but reused at least `min_reuse` seconds (clock skew must not cause a token per
    request). A 401 drops only the token that request was sent with, never a newer one.
    """

    token_url: str
    client_id: SecretStr
    client_secret: SecretStr
    refresh_token: SecretStr | None = None
    #: a token already in hand (e.g. from an authorization-code flow), used until a 401.
    access_token: SecretStr | None = None
    scope: str | None = None
    #: how the client authenticates: in the form body (`body`) or by HTTP Basic (`basic`).
    client_auth: Literal["body", "basic"] = "body"
    #: more form fields the ATS's token endpoint wants (e.g. Greenhouse's `sub`).
    extra_form: Mapping[str, str] = field(default_factory=dict)
    expiry_margin: float = 60.0
    min_reuse: float = 30.0
    #: lifetime assumed when the token answer states none.
    default_lifetime: float = 3600.0
    kind: AuthKind = AuthKind.OAUTH2_CLIENT_CREDENTIALS
    _token: SecretStr | None = field(default=None, init=False)
    _renew_at: float = field(default=0.0, init=False)
    _pending: asyncio.Task[SecretStr] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        if self.refresh_token is not None:
            self.kind = AuthKind.OAUTH2_REFRESH_TOKEN
        if self.access_token is not None:
            self._token, self._renew_at = self.access_token, float("inf")

    async def headers(self, http: HttpClient, ctx: RequestContext) -> Mapping[str, str]:
        token = self._token
        if token is None or http.clock.monotonic() >= self._renew_at:
            token = await self._shared_fetch(http, ctx)
        _SENT_WITH.set(token)
        return {"Authorization": f"Bearer {token.get_secret_value()}"}

    def invalidate(self) -> bool:
        sent_with = _SENT_WITH.get()
        if sent_with is None:
            had = self._token is not None
            self._token = None
            return had
        if sent_with is self._token:
            self._token = None
        # Either way the retry goes out with a token newer than the one refused.
        return True

    async def _shared_fetch(self, http: HttpClient, ctx: RequestContext) -> SecretStr:
        task = self._pending
        if task is None:
            task = asyncio.get_running_loop().create_task(self._fetch(http, ctx))
            task.add_done_callback(self._forget)
            self._pending = task
        # shield: one cancelled waiter must not cancel the request the others wait for
        return await asyncio.shield(task)

    def _forget(self, task: asyncio.Task[SecretStr]) -> None:
        if self._pending is task:
            self._pending = None
        if not task.cancelled():
            task.exception()  # retrieved here; every waiter gets it through the shield

    async def _fetch(self, http: HttpClient, ctx: RequestContext) -> SecretStr:
        from embloy_ats.http import RequestContext

        grant = "refresh_token" if self.refresh_token is not None else "client_credentials"
        form = {"grant_type": grant, **self.extra_form}
        headers: Mapping[str, str] = {}
        token_ctx = RequestContext(connector=ctx.connector, job_id=ctx.job_id)
        if self.client_auth == "basic":
            basic = BasicAuth(self.client_id, self.client_secret)
            headers = await basic.headers(http, token_ctx)
        else:
            form["client_id"] = self.client_id.get_secret_value()
            form["client_secret"] = self.client_secret.get_secret_value()
        if self.refresh_token is not None:
            form["refresh_token"] = self.refresh_token.get_secret_value()
        if self.scope:
            form["scope"] = self.scope
        try:
            response = await http.request(
                "POST", self.token_url, token_ctx, headers=headers, form=form
            )
        except (AuthenticationFailed, PermissionDenied, RequestRejected) as exc:
            # OAuth2 refuses a wrong client or a spent refresh token with 400, 401 or 403.
            raise AuthenticationFailed(
                f"the token endpoint refused the client credentials or refresh token "
                f"(HTTP {exc.status_code})",
                connector=ctx.connector,
                job_id=ctx.job_id,
                status_code=exc.status_code,
                request_id=exc.request_id,
            ) from None
        body = response.json(token_ctx)
        body = body if isinstance(body, dict) else {}
        access = body.get("access_token")
        if not isinstance(access, str) or not access.strip():
            raise PayloadError(
                "the token endpoint answered without an access_token",
                connector=ctx.connector,
                job_id=ctx.job_id,
                status_code=response.status_code,
                request_id=response.request_id,
            )
        lifetime = token_lifetime(body, http.clock.now())
        if lifetime is None:
            lifetime = self.default_lifetime
        self._renew_at = http.clock.monotonic() + max(lifetime - self.expiry_margin, self.min_reuse)
        new_refresh = body.get("refresh_token")
        if self.refresh_token is not None and isinstance(new_refresh, str) and new_refresh:
            self.refresh_token = SecretStr(new_refresh)  # rotated by the ATS
        self._token = SecretStr(access.strip())
        return self._token


def token_lifetime(body: Mapping[str, Any], now: datetime) -> float | None:
    """Seconds a token is valid: `expires_in` (OAuth2), else `expires_at`/`expires` (a time)."""
    from embloy_ats import parsing

    seconds = parsing.decimal(body.get("expires_in"))
    if seconds is not None:
        return float(seconds)
    for key in ("expires_at", "expires"):
        when = parsing.timestamp(body.get(key))
        if when is not None:
            return (when - now).total_seconds()
    return None
