"""Ways in: how a connector reaches an ATS's API, declared instead of branched on.

An ATS often has more than one API a job can be read from: a public careers-site API, and
an authenticated one that also sees internal jobs and questions. A connector declares each
as a `WayIn` (origin, auth, the job's request, where the job sits in the answer, the
mapping, the `verify()` request, its own error entries) and the base class picks one from
the credentials given: the way whose auth names a given credential, else the way that needs
none. Everything else (URLs, auth headers, the status-to-error table, the id check, errors
naming the connector and job) is done by the base class, the same way for every ATS.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from pydantic import JsonValue, SecretStr

from embloy_ats.auth import Auth, AuthKind, BasicAuth, HeaderAuth, NoAuth
from embloy_ats.errors import ErrorRule, StatusKey
from embloy_ats.ratelimit import RateLimitPolicy

if TYPE_CHECKING:
    from embloy_ats.model import Job

#: `{name}` in a path, origin, parameter or header: a setting, or `job_id` in a request path.
PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
_NO_ENTRIES: Mapping[Any, Any] = MappingProxyType({})


@dataclass(frozen=True)
class Asked:
    """What an envelope may need besides the answer: the job id asked for and the settings."""

    job_id: str
    settings: Any


#: finds the job in a decoded answer (`{"offer": {...}}` -> the offer), raising the typed
#: error the answer means (an error body sent with HTTP 200, a list without the job).
Envelope = Callable[[JsonValue, Asked], Any]
#: the entries a connector puts over the core's status-to-error table; a string alone
#: replaces the hint of the entry it lands on.
ErrorEntries = Mapping[StatusKey, ErrorRule | str]


@dataclass(frozen=True)
class AuthSpec:
    """How a way in authenticates: the auth kinds it may use, the credentials that choose it,
    and how its `Auth` is built from the connector (its credentials, settings, base_url)."""

    kinds: tuple[AuthKind, ...]
    credentials: tuple[str, ...]
    build: Callable[[Any], Auth]


NO_AUTH = AuthSpec((AuthKind.NONE,), (), lambda connector: NoAuth())


def _secret(connector: Any, name: str) -> SecretStr:
    value = getattr(connector.credentials, name)
    if not isinstance(value, SecretStr):  # the way is chosen because it is given
        raise TypeError(f"credential {name!r} is not a given SecretStr")
    return value


def bearer(credential: str, *, header: str = "Authorization") -> AuthSpec:
    """`Authorization: Bearer <credential>`."""
    return AuthSpec(
        (AuthKind.BEARER,),
        (credential,),
        lambda connector: HeaderAuth(header, _secret(connector, credential), "Bearer {}"),
    )


def basic(credential: str) -> AuthSpec:
    """HTTP Basic with the credential as the user name and an empty password (API keys)."""
    return AuthSpec(
        (AuthKind.BASIC,),
        (credential,),
        lambda connector: BasicAuth(_secret(connector, credential)),
    )


def api_key_header(credential: str, header: str, template: str = "{}") -> AuthSpec:
    """The credential in a header of the ATS's own, e.g. `Token token={}` in Authorization."""
    return AuthSpec(
        (AuthKind.API_KEY_HEADER,),
        (credential,),
        lambda connector: HeaderAuth(
            header, _secret(connector, credential), template, AuthKind.API_KEY_HEADER
        ),
    )


@dataclass(frozen=True)
class BySetting:
    """An origin chosen by a setting's value, e.g. the data region."""

    setting: str
    origins: Mapping[str, str]


def by_setting(setting: str, origins: Mapping[str, str]) -> BySetting:
    return BySetting(setting, MappingProxyType(dict(origins)))


Origin = str | BySetting


@dataclass(frozen=True)
class Request:
    """One request for a job: what to send, and where the job sits in the answer.

    `path`, `params` and `headers` may name settings in braces (`/boards/{board_token}/jobs`,
    `{"X-Api-Version": "{api_version}"}`); `{job_id}` in the path is the validated job id.
    Every value put into the path is one percent-encoded segment.
    """

    path: str
    method: str = "GET"
    params: Mapping[str, str] = field(default_factory=lambda: _NO_ENTRIES)
    headers: Mapping[str, str] = field(default_factory=lambda: _NO_ENTRIES)
    #: the JSON body, from the job id (e.g. `lambda job_id: {"jobPostingId": job_id}`).
    body: Callable[[str], JsonValue] | None = None
    #: where the job sits in the answer; by default the answer is the job (a JSON object).
    envelope: Envelope | None = None
    #: the payload field that must be the job id asked for (an ATS that answers another job).
    id_field: str | None = None
    #: compare ids case-insensitively (UUIDs).
    id_casefold: bool = False
    #: the thing asked for, in the base class's messages: "answered another offer...".
    what: str = "job"
    #: what `Job.raw` keeps of this answer, given the answer and the payload; default: all.
    keep: Callable[[JsonValue, Any], JsonValue] | None = None


@dataclass(frozen=True)
class Verify:
    """The request `verify()` sends: the cheapest documented one that needs no job id.

    A 404 or 410 cannot mean "no such job" here: it means the account, board or site does
    not exist, so it becomes a `ConfigurationError` saying `missing` (settings may be named:
    "has no job board {board_token!r}"). `says` is what a pass reports (settings and
    `{base_url}` may be named); by default the request and the settings the way in uses.
    Only the status is read, and the envelope if one is given.
    """

    path: str
    method: str = "GET"
    params: Mapping[str, str] = field(default_factory=lambda: _NO_ENTRIES)
    headers: Mapping[str, str] = field(default_factory=lambda: _NO_ENTRIES)
    body: JsonValue = None
    #: reads a success answer for the error an ATS sends with HTTP 200.
    envelope: Callable[[JsonValue], object] | None = None
    missing: str = "has no such account"
    missing_hint: str | None = None
    #: entries over the way's own, for this request only (e.g. a 403 hint naming the scope).
    errors: ErrorEntries = field(default_factory=lambda: _NO_ENTRIES)
    says: str | None = None
    #: how the body is read when the answer is not JSON (an XML feed).
    decode: Callable[[bytes], JsonValue] | None = None


@dataclass(frozen=True)
class WayIn:
    """One API a job can be read from, with everything the base class needs to use it.

    Either `job` (plus `also`, requests sent after it in order) and `mapper`, which gets
    each request's payload in that order and returns the Job fields; or `load`, for an API
    that takes more than a fixed list of requests (called with the connector and job id).
    """

    name: str
    origin: Origin
    auth: AuthSpec = NO_AUTH
    job: Request | None = None
    also: tuple[Request, ...] = ()
    mapper: Callable[..., Mapping[str, Any]] | None = None
    load: Callable[[Any, str], Awaitable[Job]] | None = None
    verify: Verify | None = None
    #: this way's limit where it differs from the connector's `rate_limit`.
    rate_limit: RateLimitPolicy | None = None
    #: the ids this way takes, where narrower than the connector's `job_id_pattern`.
    id_pattern: re.Pattern[str] | None = None
    errors: ErrorEntries = field(default_factory=lambda: _NO_ENTRIES)

    def requests(self) -> tuple[Request, ...]:
        return (self.job, *self.also) if self.job is not None else ()

    def settings_named(self) -> list[str]:
        """The settings this way puts into its origin, paths, parameters and headers."""
        texts = [self.origin] if isinstance(self.origin, str) else []
        sent: list[Request | Verify] = [*self.requests()]
        if self.verify is not None:
            sent.append(self.verify)
        for request in sent:
            texts += [request.path, *request.params.values(), *request.headers.values()]
        names = [name for text in texts for name in PLACEHOLDER.findall(text)]
        if isinstance(self.origin, BySetting):
            names.append(self.origin.setting)
        return [name for name in dict.fromkeys(names) if name != "job_id"]
