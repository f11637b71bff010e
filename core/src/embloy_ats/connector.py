"""The connector contract: what a partner implements to bring their ATS to Embloy.

A connector declares who it is (`mode`), what it needs (settings, credentials, auth), what
its job ids look like, how fast it may call the ATS, and implements `load_job`. The base
class does the rest the same way for everyone: it validates the id before any request,
builds URLs on the (overridable) `base_url`, authenticates, refreshes an OAuth token once
on a 401, and turns a payload it cannot read into a `PayloadError`.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    SecretStr,
    ValidationError,
    model_validator,
)

from embloy_ats.auth import Auth, AuthKind, NoAuth
from embloy_ats.clock import SYSTEM_CLOCK, Clock
from embloy_ats.errors import (
    AuthenticationFailed,
    ConfigurationError,
    EmbloyAtsError,
    JobNotFound,
    PayloadError,
    PermissionDenied,
)
from embloy_ats.http import HttpClient, RequestContext, Response, default_http_client
from embloy_ats.model import Job
from embloy_ats.ratelimit import RateLimitPolicy
from embloy_ats.validation import build_path, check_base_url, check_job_id, private_network_allowed

log = logging.getLogger("embloy_ats.connector")


class ConnectorSettings(BaseModel):
    """Non-secret settings. Every connector has `base_url`; subclasses add their own."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    base_url: str | None = Field(
        default=None,
        description="API origin override: sandbox, regional host or a local fake.",
    )


class Credentials(BaseModel):
    """Secrets, each a `SecretStr`: never printed, logged or put in an error."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    @model_validator(mode="before")
    @classmethod
    def _no_blank_secrets(cls, values: Any) -> Any:
        """A blank secret is a mistake (an unset variable, a half-pasted key), never a key:
        refuse it, rather than quietly take another way in."""
        if isinstance(values, Mapping):
            for name, value in values.items():
                text = value.get_secret_value() if isinstance(value, SecretStr) else value
                if isinstance(text, str) and not text.strip():
                    raise ValueError(f"{name} is empty: leave it out to go without it")
        return values

    def provided(self) -> bool:
        return any(value is not None for value in self.__dict__.values())

    def secret_values(self) -> list[str]:
        """The plain secrets, for scrubbing cassettes and logs; never for display."""
        return [
            value.get_secret_value()
            for value in self.__dict__.values()
            if isinstance(value, SecretStr) and value.get_secret_value()
        ]


class NoCredentials(Credentials):
    pass


@dataclass(frozen=True)
class Fetched:
    """One decoded answer: the payload and the path it came from (the key in `Job.raw`)."""

    path: str
    data: JsonValue
    response: Response


class VerifyUnsupported(ConfigurationError):
    """The connector has no request that checks its configuration without a job id."""

    hint = "Check the connection by fetching a job you know instead (`embloy-ats fetch`)."


def _config_error(mode: str, kind: str, exc: ValidationError) -> ConfigurationError:
    problems = []
    for error in exc.errors(include_input=False, include_url=False):
        where = ".".join(str(part) for part in error["loc"])
        what = f"{kind} {where!r}" if where else f"{kind}s"
        problems.append(f"{what}: {error['msg'].removeprefix('Value error, ')}")
    return ConfigurationError("; ".join(problems), connector=mode)


class Connector(ABC):
    """Base class of every connector. Subclass it, fill the class attributes, write `load_job`."""

    mode: ClassVar[str]
    display_name: ClassVar[str]
    settings_model: ClassVar[type[ConnectorSettings]] = ConnectorSettings
    credentials_model: ClassVar[type[Credentials]] = NoCredentials
    auth_kinds: ClassVar[tuple[AuthKind, ...]] = (AuthKind.NONE,)
    job_id_pattern: ClassVar[re.Pattern[str]]
    #: the id format in words, for docs and error messages ("numeric job post id").
    job_id_format: ClassVar[str]
    default_base_url: ClassVar[str]
    rate_limit: ClassVar[RateLimitPolicy]
    #: the largest answer this ATS may send, where the core's 5 MiB default is too small.
    max_body_bytes: ClassVar[int | None] = None
    supports_questions: ClassVar[bool] = False
    supports_compensation: ClassVar[bool] = False
    docs_url: ClassVar[str | None] = None

    settings: ConnectorSettings
    credentials: Credentials

    def __init__(
        self,
        settings: ConnectorSettings | Mapping[str, Any] | None = None,
        credentials: Credentials | Mapping[str, Any] | None = None,
        *,
        http: HttpClient | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.settings = self._coerce(self.settings_model, settings, "setting")
        self.credentials = self._coerce(self.credentials_model, credentials, "credential")
        self.check_config()
        self._http = http
        self.clock = clock or (http.clock if http is not None else SYSTEM_CLOCK)
        allow_private = (
            http.allow_private_network if http is not None else private_network_allowed()
        )
        self.base_url = check_base_url(
            self.settings.base_url or self.api_origin(),
            connector=self.mode,
            allow_private=allow_private,
        )
        self.auth = self.make_auth()

    @classmethod
    def _coerce(cls, model: type[Any], value: Any, kind: str) -> Any:
        if isinstance(value, model):
            return value
        if isinstance(value, BaseModel):
            raise ConfigurationError(
                f"expected {model.__name__} for the {kind}s, got {type(value).__name__}",
                connector=cls.mode,
            )
        try:
            return model.model_validate(dict(value or {}))
        except ValidationError as exc:
            raise _config_error(cls.mode, kind, exc) from None

    # -- hooks a connector may override -----------------------------------------------------

    def check_config(self) -> None:  # noqa: B027 - a hook: most connectors need no check
        """Checks that span settings and credentials (e.g. "a board or an API key");
        raise ConfigurationError. Each model already validated its own fields."""

    def api_origin(self) -> str:
        """The API origin when `base_url` is not set.

        `default_base_url` may name settings in braces, e.g. `https://{subdomain}.workable.com`;
        they are filled from the validated settings (declare them as `Subdomain` or
        `PathSegment` so only a single DNS label or path segment can get in). Override for
        origins chosen by a setting such as a region.
        """
        values = {key: str(value) for key, value in self.settings.model_dump().items()}
        try:
            return self.default_base_url.format_map(values)
        except (KeyError, ValueError) as exc:
            raise ConfigurationError(
                f"default_base_url {self.default_base_url!r} names an unknown setting ({exc})",
                connector=self.mode,
            ) from None

    def rate_limit_policy(self) -> RateLimitPolicy:
        """The limit this instance keeps to; override where a way in has its own limit."""
        return self.rate_limit

    def make_auth(self) -> Auth:
        """The auth for these credentials; the default sends none."""
        return NoAuth()

    @abstractmethod
    async def load_job(self, job_id: str) -> Job:
        """Fetch and normalise one job. `job_id` has already been validated."""

    async def verify(self) -> str:
        """Prove the settings and credentials work against the ATS, without a job id.

        Send the cheapest documented request that needs no job (a token fetch, a list
        limited to one item, an account endpoint) and return a short description of what
        was checked; raise the typed error (`AuthenticationFailed`, `PermissionDenied`,
        `UpstreamUnavailable`...) when it fails. The default cannot check anything and
        says so with `VerifyUnsupported`, which `embloy-ats doctor` shows as "not checkable".
        """
        raise VerifyUnsupported(
            "this connector cannot verify credentials without a job id", connector=self.mode
        )

    # -- what callers use ---------------------------------------------------------------------

    @property
    def http(self) -> HttpClient:
        return self._http if self._http is not None else default_http_client()

    @classmethod
    def validate_job_id(cls, job_id: object) -> str:
        return check_job_id(job_id, cls.job_id_pattern, connector=cls.mode)

    async def fetch_job(self, job_id: str) -> Job:
        """The job, normalised; a typed `EmbloyAtsError` for everything that can go wrong."""
        job_id = self.validate_job_id(job_id)
        try:
            return await self.load_job(job_id)
        except EmbloyAtsError:
            raise
        except ValidationError as exc:
            first = exc.errors(include_input=False, include_url=False)[0]
            where = ".".join(str(part) for part in first["loc"])
            raise PayloadError(
                f"answered a job that does not fit the Job model ({where}: {first['msg']})",
                connector=self.mode,
                job_id=job_id,
            ) from None
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            # A normaliser tripped over a payload shape it did not expect.
            log.debug("normaliser failure", exc_info=True, extra={"connector": self.mode})
            raise PayloadError(
                f"answered a payload this connector cannot read ({type(exc).__name__})",
                connector=self.mode,
                job_id=job_id,
            ) from None

    # -- helpers for load_job -----------------------------------------------------------------

    @functools.cached_property
    def rate_limit_key(self) -> str:
        """Rate limits are per account: the mode, host and a digest of settings and secrets.

        Computed once: settings and credentials are frozen for the connector's lifetime.
        """
        digest = hashlib.sha256()
        digest.update(self.settings.model_dump_json().encode())
        for secret in self.credentials.secret_values():
            digest.update(b"\0" + secret.encode())
        return f"{self.mode}:{self.base_url}:{digest.hexdigest()[:16]}"

    def url(self, template: str, **segments: str) -> str:
        return self.base_url + build_path(template, **segments)

    async def request_json(
        self,
        method: str,
        template: str,
        *,
        job_id: str | None,
        segments: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        json_body: Any = None,
        ok_statuses: frozenset[int] = frozenset(),
    ) -> Fetched:
        """One authenticated request to `base_url + template`, decoded as JSON.

        `{job_id}` in the template is filled with the (validated) job id, every other
        `{name}` from `segments`; each value is one percent-encoded path segment.
        """
        values = dict(segments or {})
        if job_id is not None:
            values.setdefault("job_id", job_id)
        url = self.url(template, **values)
        ctx = RequestContext(
            connector=self.mode,
            job_id=job_id,
            rate_limit=self.rate_limit_policy(),
            rate_limit_key=self.rate_limit_key,
            max_body_bytes=self.max_body_bytes,
        )
        http = self.http
        for attempt in (1, 2):
            auth_headers = await self.auth.headers(http, ctx)
            try:
                response = await http.request(
                    method,
                    url,
                    ctx,
                    headers={**auth_headers, **(headers or {})},
                    params=params,
                    json_body=json_body,
                    ok_statuses=ok_statuses,
                )
            except AuthenticationFailed:
                if attempt == 1 and self.auth.invalidate():
                    continue  # a cached OAuth token went stale: fetch a new one, once
                raise
            return Fetched(response.path, response.json(ctx), response)
        raise AssertionError("unreachable")

    async def get_json(
        self,
        template: str,
        *,
        job_id: str | None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        **segments: str,
    ) -> Fetched:
        """`GET base_url + template`; `{name}` placeholders are filled from `segments`."""
        return await self.request_json(
            "GET", template, job_id=job_id, segments=segments, params=params, headers=headers
        )

    async def verify_request(
        self,
        method: str,
        template: str,
        *,
        missing: str,
        missing_hint: str | None = None,
        unauthorized_hint: str | None = None,
        forbidden_hint: str | None = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        json_body: Any = None,
        ok_statuses: frozenset[int] = frozenset(),
        **segments: str,
    ) -> Fetched:
        """The request of a `verify`: `request_json` without a job id.

        A 404 or 410 here cannot mean "no such job": it means the configured account,
        board or site does not exist, so it becomes a `ConfigurationError` saying
        `missing` (e.g. "has no job board named 'acme'"). A 401 or 403 keeps its type and
        gets the ATS-specific advice given here (which scope, which region).
        """
        try:
            return await self.request_json(
                method,
                template,
                job_id=None,
                segments=segments,
                params=params,
                headers=headers,
                json_body=json_body,
                ok_statuses=ok_statuses,
            )
        except JobNotFound as exc:
            raise ConfigurationError(
                f"{missing} (HTTP {exc.status_code})", connector=self.mode, hint=missing_hint
            ) from None
        except (AuthenticationFailed, PermissionDenied) as exc:
            hint = unauthorized_hint if isinstance(exc, AuthenticationFailed) else forbidden_hint
            if hint is not None:
                exc.hint = hint
            raise

    def new_job(self, *, external_id: str, fetched: list[Fetched], **fields: Any) -> Job:
        """A Job stamped with this connector, the fetch time and the raw payloads."""
        return Job(
            connector=self.mode,
            external_id=external_id,
            fetched_at=self.clock.now(),
            raw={item.path: item.data for item in fetched},
            **fields,
        )

    # -- self-description (CLI, docs, the supported-ATS matrix) -------------------------------

    @classmethod
    def describe(cls) -> dict[str, Any]:
        def fields(model: type[BaseModel]) -> list[dict[str, Any]]:
            return [
                {
                    "name": name,
                    "required": info.is_required(),
                    "secret": "SecretStr" in repr(info.annotation),
                    "description": info.description or "",
                }
                for name, info in model.model_fields.items()
            ]

        return {
            "mode": cls.mode,
            "name": cls.display_name,
            "auth": [kind.value for kind in cls.auth_kinds],
            "settings": fields(cls.settings_model),
            "credentials": fields(cls.credentials_model),
            "job_id_pattern": cls.job_id_pattern.pattern,
            "job_id_format": cls.job_id_format,
            "default_base_url": cls.default_base_url,
            "rate_limit": cls.rate_limit.describe(),
            "questions": cls.supports_questions,
            "compensation": cls.supports_compensation,
            "docs_url": cls.docs_url,
        }

    def __repr__(self) -> str:
        return f"<{type(self).__name__} mode={self.mode!r} base_url={self.base_url!r}>"
