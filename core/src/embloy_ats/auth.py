"""How a connector proves who it is. Secrets stay inside `SecretStr` until the header is built.

OAuth2 tokens are cached until shortly before expiry and shared: N concurrent fetches make
one token request. A 401 invalidates the token once (see `Connector.get_json`).
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from pydantic import SecretStr

from embloy_ats.errors import AuthenticationFailed, PayloadError, RequestRejected

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


@dataclass(repr=False)
class OAuth2Token:
    """OAuth2 token endpoint grant (client credentials or refresh token), cached and shared."""

    token_url: str
    client_id: SecretStr
    client_secret: SecretStr
    refresh_token: SecretStr | None = None
    access_token: SecretStr | None = None
    scope: str | None = None
    #: renew this many seconds before the token says it expires.
    expiry_margin: float = 60.0
    kind: AuthKind = AuthKind.OAUTH2_CLIENT_CREDENTIALS
    _expires_at: float = field(default=float("inf"), init=False)
    _lock: asyncio.Lock | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        if self.refresh_token is not None:
            self.kind = AuthKind.OAUTH2_REFRESH_TOKEN

    def invalidate(self) -> bool:
        had = self.access_token is not None
        self.access_token = None
        return had

    async def headers(self, http: HttpClient, ctx: RequestContext) -> Mapping[str, str]:
        token = self.access_token
        if token is None or http.clock.monotonic() >= self._expires_at:
            if self._lock is None:
                self._lock = asyncio.Lock()
            async with self._lock:
                token = self.access_token
                if token is None or http.clock.monotonic() >= self._expires_at:
                    token = await self._fetch(http, ctx)
        return {"Authorization": f"Bearer {token.get_secret_value()}"}

    async def _fetch(self, http: HttpClient, ctx: RequestContext) -> SecretStr:
        from embloy_ats.http import RequestContext

        form = {
            "client_id": self.client_id.get_secret_value(),
            "client_secret": self.client_secret.get_secret_value(),
        }
        if self.refresh_token is not None:
            form |= {
                "grant_type": "refresh_token",
                "refresh_token": self.refresh_token.get_secret_value(),
            }
        else:
            form["grant_type"] = "client_credentials"
        if self.scope:
            form["scope"] = self.scope
        token_ctx = RequestContext(connector=ctx.connector, job_id=ctx.job_id)
        try:
            response = await http.request("POST", self.token_url, token_ctx, form=form)
        except RequestRejected as exc:  # OAuth2 answers invalid_client/invalid_grant with 400
            raise AuthenticationFailed(
                "the token endpoint rejected the client credentials or refresh token",
                connector=ctx.connector,
                job_id=ctx.job_id,
                status_code=exc.status_code,
            ) from None
        body = response.json(token_ctx)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise PayloadError(
                "token endpoint answered without an access_token",
                connector=ctx.connector,
                job_id=ctx.job_id,
            )
        expires_in = body.get("expires_in") if isinstance(body, dict) else None
        lifetime = float(expires_in) if isinstance(expires_in, int | float) else 3600.0
        self._expires_at = http.clock.monotonic() + max(0.0, lifetime - self.expiry_margin)
        new_refresh = body.get("refresh_token") if isinstance(body, dict) else None
        if self.refresh_token is not None and isinstance(new_refresh, str) and new_refresh:
            self.refresh_token = SecretStr(new_refresh)
        self.access_token = SecretStr(token)
        return self.access_token
