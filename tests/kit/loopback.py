"""A fake ATS on a loopback port and three connectors for it: a bearer key, a key in the
query string, and OAuth2 client credentials. The server answers gzip-compressed bodies and
sets a cookie, so recording has everything to scrub that a real ATS throws at it."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from importlib.metadata import EntryPoint
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

from embloy_ats import ConfigurationError, Connector, Credentials, Job, RateLimitPolicy, Registry
from embloy_ats.auth import Auth, AuthKind, HeaderAuth, NoAuth, OAuth2Token
from embloy_ats.parsing import require_object, require_text
from embloy_ats.registry import ENTRY_POINT_GROUP
from embloy_ats.validation import NUMERIC_ID
from pydantic import SecretStr

from tests.conftest import loopback_server

API_KEY = "lk_9f8e7d6c5b4a39281706"
CLIENT_ID = "client-4b1c9e2a77"
CLIENT_SECRET = "cs_Zq8Lr2Mv6Tn0Wx4Yp7Ks"
ACCESS_TOKEN = "at_Hc3Jf8Qw1Xe5Rb9Nu2Lm"
REFRESH_TOKEN = "rt_Pk6Sd0Gv4Ty8Ua2Io5Ez"
COOKIE = "sess_Vb7Nm1Kj5Hg9Fd3Sa6Qw"
#: a token that is no credential of ours but that a scan must still refuse to keep.
STRAY_TOKEN = "Bearer Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk"
JOB = {"id": 7, "title": "Loopback Engineer", "description": "<p>Keep <b>it</b> local.</p>"}


class _Handler(BaseHTTPRequestHandler):
    def _send(self, status: int, payload: object, *, gzipped: bool = False) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Set-Cookie", f"session={COOKIE}; HttpOnly")
        if gzipped:
            body = gzip.compress(body)
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        form = parse_qs(self.rfile.read(length).decode())
        if form.get("client_id") == [CLIENT_ID] and form.get("client_secret") == [CLIENT_SECRET]:
            self._send(200, {"access_token": ACCESS_TOKEN, "refresh_token": REFRESH_TOKEN,
                             "token_type": "bearer", "expires_in": 3600})  # fmt: skip
        else:
            self._send(401, {"error": "invalid_client"})

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        authorised = self.headers.get("Authorization") in (
            f"Bearer {API_KEY}", f"Bearer {ACCESS_TOKEN}",
        ) or query.get("api_key") == [API_KEY]  # fmt: skip
        if not authorised:
            self._send(401, {"error": "unauthorised"})
        elif url.path == "/v1/jobs/7":
            self._send(200, JOB, gzipped=True)
        elif url.path == "/v1/jobs/9":
            self._send(200, {**JOB, "id": 9, "description": f"<p>{STRAY_TOKEN}</p>"})
        else:
            self._send(404, {"error": "not found"})

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def fake_ats() -> Iterator[str]:
    """The server's origin, for the connectors' `base_url` setting."""
    with loopback_server(_Handler) as url:
        yield url


class KeyCredentials(Credentials):
    api_key: SecretStr


class OAuthCredentials(Credentials):
    client_id: SecretStr
    client_secret: SecretStr


class BearerConnector(Connector):
    mode: ClassVar[str] = "kit_bearer"
    display_name: ClassVar[str] = "Loopback (bearer key)"
    credentials_model: ClassVar[type[Credentials]] = KeyCredentials
    auth_kinds = (AuthKind.BEARER,)
    job_id_pattern = NUMERIC_ID
    job_id_format = "numeric job id"
    default_base_url = "https://ats.invalid"
    rate_limit = RateLimitPolicy(100, 1.0)

    def make_auth(self) -> Auth:
        assert isinstance(self.credentials, KeyCredentials)
        return HeaderAuth("Authorization", self.credentials.api_key)

    def params(self) -> dict[str, str]:
        return {"expand": "all"}

    async def load_job(self, job_id: str) -> Job:
        fetched = await self.get_json("/v1/jobs/{job_id}", job_id=job_id, params=self.params())
        payload = require_object(fetched.data, connector=self.mode, job_id=job_id, what="a job")
        return self.new_job(
            external_id=require_text(payload, "id", connector=self.mode, job_id=job_id),
            fetched=[fetched],
            title=payload.get("title"),
            description_html=payload.get("description") or "",
        )


class QueryKeyConnector(BearerConnector):
    mode: ClassVar[str] = "kit_query"
    display_name: ClassVar[str] = "Loopback (key in the query string)"
    auth_kinds = (AuthKind.NONE,)

    def make_auth(self) -> Auth:
        return NoAuth()

    def params(self) -> dict[str, str]:
        assert isinstance(self.credentials, KeyCredentials)
        return {"expand": "all", "api_key": self.credentials.api_key.get_secret_value()}


class OAuthConnector(BearerConnector):
    mode: ClassVar[str] = "kit_oauth"
    display_name: ClassVar[str] = "Loopback (OAuth2 client credentials)"
    credentials_model: ClassVar[type[Credentials]] = OAuthCredentials
    auth_kinds = (AuthKind.OAUTH2_CLIENT_CREDENTIALS,)

    def make_auth(self) -> Auth:
        assert isinstance(self.credentials, OAuthCredentials)
        return OAuth2Token(
            token_url=self.url("/oauth/token"),
            client_id=self.credentials.client_id,
            client_secret=self.credentials.client_secret,
        )


class UnfinishedConnector(BearerConnector):
    """A connector as `embloy-ats new` leaves it: it fetches, but cannot map yet."""

    mode: ClassVar[str] = "kit_unfinished"
    display_name: ClassVar[str] = "Loopback (mapping not written)"

    async def load_job(self, job_id: str) -> Job:
        await self.get_json("/v1/jobs/{job_id}", job_id=job_id, params=self.params())
        raise ConfigurationError("the job mapping is not written yet", connector=self.mode)


CONNECTORS: tuple[type[Connector], ...] = (
    BearerConnector,
    QueryKeyConnector,
    OAuthConnector,
    UnfinishedConnector,
)


def registry() -> Registry:
    """A registry that knows the loopback connectors, as entry points would."""
    return Registry(
        {
            cls.mode: [EntryPoint(cls.mode, f"{__name__}:{cls.__name__}", ENTRY_POINT_GROUP)]
            for cls in CONNECTORS
        }
    )
