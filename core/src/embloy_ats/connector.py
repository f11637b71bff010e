"""The connector contract: what a partner implements to bring their ATS to Embloy.

A connector declares who it is (`mode`), what it needs (settings and credentials, the two
type arguments of `Connector`), what its job ids look like, how fast it may call the ATS,
and its ways in (`ways_in`: each API a job can be read from, with its origin, auth, request,
envelope, mapping and `verify()` request). The base class does the rest the same way for
everyone: it picks the way in from the credentials given, validates the id before any
request, builds URLs on the (overridable) `base_url`, authenticates, refreshes an OAuth
token once on a 401, maps statuses to typed errors through one table the connector
overrides entry by entry, checks that the ATS answered the job asked for, names the
connector and job in every error, and turns a payload it cannot read into a
`PayloadError` whose message holds nothing the ATS wrote.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import re
import traceback
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Generic, get_args, get_origin
from urllib.parse import parse_qs, urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    SecretStr,
    ValidationError,
    model_validator,
)
from typing_extensions import TypeVar

from embloy_ats import model
from embloy_ats.auth import Auth, AuthKind, NoAuth
from embloy_ats.clock import SYSTEM_CLOCK, Clock
from embloy_ats.errors import (
    AuthenticationFailed,
    ConfigurationError,
    EmbloyAtsError,
    ErrorRule,
    ErrorRules,
    PayloadError,
    UpstreamError,
    fill,
    merge_rules,
)
from embloy_ats.http import FilePart, HttpClient, RequestContext, Response, default_http_client
from embloy_ats.model import Job
from embloy_ats.parsing import a_or_an, require_id, require_object, text
from embloy_ats.ratelimit import RateLimitPolicy
from embloy_ats.validation import build_path, check_base_url, check_job_id, private_network_allowed
from embloy_ats.ways import Asked, BySetting, ErrorEntries, Request, WayIn

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


#: gives the query of the page after `page`, or None on the last page.
NextPage = Callable[[Fetched], Mapping[str, str] | None]
_NEXT_LINK = re.compile(r"<([^>]*)>\s*;[^,]*?\brel=\"?next\"?", re.IGNORECASE)


def link_cursor(name: str) -> NextPage:
    """The next page from a `Link: <...>; rel="next"` header (RFC 8288): only its `name`
    query parameter, sent alone on our own base URL, so a Link header can never send the
    credentials to another host."""

    def following(page: Fetched) -> Mapping[str, str] | None:
        link = page.response.headers.get("link")
        match = _NEXT_LINK.search(link) if link else None
        if match is None:
            return None
        values = parse_qs(urlsplit(match.group(1)).query).get(name)
        return {name: values[0]} if values and values[0] else None

    return following


def _config_error(mode: str, kind: str, exc: ValidationError) -> ConfigurationError:
    problems = []
    for error in exc.errors(include_input=False, include_url=False):
        where = ".".join(str(part) for part in error["loc"])
        what = f"{kind} {where!r}" if where else f"{kind}s"
        problems.append(f"{what}: {error['msg'].removeprefix('Value error, ')}")
    return ConfigurationError("; ".join(problems), connector=mode)


SettingsT = TypeVar("SettingsT", bound=ConnectorSettings, default=ConnectorSettings)
CredentialsT = TypeVar("CredentialsT", bound=Credentials, default=Credentials)
#: field names of the Job model and its parts: the only words of a validation error's
#: location that may go into a message (a `custom_fields` key is the ATS's text).
_MODEL_FIELDS = frozenset(
    name
    for part in (model.Job, model.Location, model.Compensation, model.Question,
                 model.QuestionOption)
    for name in part.model_fields
)  # fmt: skip


def _names(names: list[str] | tuple[str, ...]) -> str:
    return ", ".join(repr(name) for name in names)


def _plural(word: str, names: list[str] | tuple[str, ...]) -> str:
    return f"{word}{'s' if len(names) > 1 else ''} {_names(names)}"


def _where(loc: tuple[int | str, ...]) -> str:
    return ".".join(
        str(part) if isinstance(part, int) or part in _MODEL_FIELDS else "?" for part in loc
    )


def _failed_at(exc: BaseException) -> str:
    """Where a normaliser failed, for the debug log: file, line and function, never the
    exception's text, which may quote the payload."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "?"
    last = frames[-1]
    return f"{Path(last.filename).name}:{last.lineno} in {last.name}"


class Connector(Generic[SettingsT, CredentialsT]):
    """Base class of every connector: `class AcmeConnector(Connector[AcmeSettings,
    AcmeCredentials])`, fill the class attributes and declare `ways_in`."""

    mode: ClassVar[str]
    display_name: ClassVar[str]
    #: taken from the type arguments; set them only on a connector that is not generic.
    settings_model: ClassVar[type[ConnectorSettings]] = ConnectorSettings
    credentials_model: ClassVar[type[Credentials]] = NoCredentials
    #: taken from the ways in when they are declared.
    auth_kinds: ClassVar[tuple[AuthKind, ...]] = (AuthKind.NONE,)
    job_id_pattern: ClassVar[re.Pattern[str]]
    #: the id format in words, for docs and error messages ("numeric job post id").
    job_id_format: ClassVar[str]
    #: the API origin of a connector without ways in; may name settings in braces.
    default_base_url: ClassVar[str | None] = None
    rate_limit: ClassVar[RateLimitPolicy]
    #: the largest answer this ATS may send, where the core's 5 MiB default is too small.
    max_body_bytes: ClassVar[int | None] = None
    supports_questions: ClassVar[bool] = False
    supports_compensation: ClassVar[bool] = False
    docs_url: ClassVar[str | None] = None
    #: the APIs a job can be read from; the credentials given choose one.
    ways_in: ClassVar[tuple[WayIn, ...]] = ()
    #: credentials used only to submit applications (a Job Board API key): they never choose
    #: the way in, which reads jobs with the others (or with none).
    submit_credentials: ClassVar[tuple[str, ...]] = ()

    settings: SettingsT
    credentials: CredentialsT
    #: the way in these credentials chose (None for a connector that implements load_job).
    way_in: WayIn | None
    #: the status-to-error table of this instance's requests, and of its verify() request.
    error_rules: ErrorRules
    verify_error_rules: ErrorRules

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._adopt_type_arguments()
        if "ways_in" in cls.__dict__ and cls.ways_in:
            cls._check_ways()
            if "auth_kinds" not in cls.__dict__:
                kinds = (kind for way in cls.ways_in for kind in way.auth.kinds)
                cls.auth_kinds = tuple(dict.fromkeys(kinds))

    @classmethod
    def _adopt_type_arguments(cls) -> None:
        """`Connector[AcmeSettings, AcmeCredentials]` sets the two models."""
        for base in cls.__dict__.get("__orig_bases__", ()):
            origin = get_origin(base)
            if not (isinstance(origin, type) and issubclass(origin, Connector)):
                continue
            for argument, name, kind in zip(
                get_args(base),
                ("settings_model", "credentials_model"),
                (ConnectorSettings, Credentials),
                strict=False,
            ):
                adoptable = isinstance(argument, type) and issubclass(argument, kind)
                if adoptable and name not in cls.__dict__:
                    setattr(cls, name, argument)

    @classmethod
    def _check_ways(cls) -> None:
        """A mistake in the declarations fails at import, naming the way in, not at the first
        candidate's click."""
        names = [way.name for way in cls.ways_in]
        if len(set(names)) != len(names) or not all(names):
            raise TypeError(f"{cls.__name__}: ways in need distinct names, got {names}")
        if sum(1 for way in cls.ways_in if not way.auth.credentials) > 1:
            raise TypeError(f"{cls.__name__}: only one way in may need no credentials")
        settings = set(cls.settings_model.model_fields) - {"base_url"}
        credentials = set(cls.credentials_model.model_fields)
        if set(cls.submit_credentials) - credentials:
            raise TypeError(
                f"{cls.__name__}: submit_credentials names credentials that do not exist"
            )
        for way in cls.ways_in:
            where = f"{cls.__name__} way in {way.name!r}"
            if (way.load is None) == (way.job is None) or (way.job is None) != (way.mapper is None):
                raise TypeError(f"{where}: declare either job and mapper, or load")
            if way.load is not None and way.also:
                raise TypeError(f"{where}: `also` goes with `job`, not with `load`")
            unknown = set(way.settings_named()) - settings
            if unknown:
                raise TypeError(f"{where} names settings that do not exist: {sorted(unknown)}")
            if set(way.auth.credentials) - credentials:
                raise TypeError(f"{where} authenticates with credentials that do not exist")
            if set(way.auth.credentials) & set(cls.submit_credentials):
                raise TypeError(f"{where} authenticates with a credential that only submits")
            entries = [*way.errors.items()]
            entries += [*way.verify.errors.items()] if way.verify is not None else []
            for key, entry in entries:
                if (
                    isinstance(entry, ErrorRule)
                    and entry.read is not None
                    and not isinstance(key, int)
                ):
                    raise TypeError(f"{where}: a rule that reads the body needs one status")

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
        self._http = http
        self.clock = clock or (http.clock if http is not None else SYSTEM_CLOCK)
        try:
            self.way_in = self._choose_way()
            self.check_config()
            self.base_url = check_base_url(
                self.settings.base_url or self.api_origin(),
                connector=self.mode,
                allow_private=self._allow_private_network,
            )
            self.auth = self.make_auth()
        except EmbloyAtsError as exc:
            raise exc.locate(self.mode) from None
        way_errors: ErrorEntries = self.way_in.errors if self.way_in is not None else {}
        self.error_rules = self._rules(way_errors)
        check = self.way_in.verify if self.way_in is not None else None
        if check is None:
            self.verify_error_rules = self.error_rules
        else:
            # No job in verify(): a 404 or 410 means the account, board or site is missing.
            missing = ErrorRule(
                ConfigurationError, check.missing + " (HTTP {status})", hint=check.missing_hint
            )
            no_such: ErrorEntries = {404: missing, 410: missing}
            self.verify_error_rules = self._rules(way_errors, no_such, check.errors)

    def _rules(self, *layers: ErrorEntries) -> ErrorRules:
        """The core's table with `layers` over it, rendered with this instance's values."""
        values = self._values()
        return {key: rule.render(values) for key, rule in merge_rules(*layers).items()}

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

    def _choose_way(self) -> WayIn | None:
        """The way in whose auth names a given credential, else the one that needs none;
        its settings must be set."""
        if not self.ways_in:
            return None
        given = [
            name
            for name in self.credentials_model.model_fields
            if getattr(self.credentials, name) is not None and name not in self.submit_credentials
        ]
        chosen = next((w for w in self.ways_in if set(w.auth.credentials) & set(given)), None)
        if chosen is None and given:
            raise ConfigurationError(f"no way in uses the {_plural('credential', given)}")
        if chosen is None:
            chosen = next((w for w in self.ways_in if not w.auth.credentials), None)
        keyed = [w for w in self.ways_in if w.auth.credentials and w is not chosen]
        alternatives = [f"credentials for the {w.name} ({', '.join(w.auth.credentials)})"
                        for w in keyed]  # fmt: skip
        if chosen is None:
            raise ConfigurationError(f"needs {' or '.join(alternatives)}")
        missing = [name for name in chosen.settings_named() if getattr(self.settings, name) is None]
        if missing:
            setting = f"the {_plural('setting', missing)}"
            if chosen.auth.credentials:
                used = [name for name in given if name in chosen.auth.credentials]
                raise ConfigurationError(
                    f"the {chosen.name} needs {setting} (it is chosen by the "
                    f"{_plural('credential', used)})"
                )
            raise ConfigurationError(
                f"needs {' or '.join([*alternatives, f'{setting} for the {chosen.name}'])}"
            )
        return chosen

    def _values(self) -> dict[str, object]:
        """What messages, hints and reports of this instance may name: settings, base_url."""
        values: dict[str, object] = {
            key: value for key, value in self.settings.model_dump().items() if value is not None
        }
        values["base_url"] = self.base_url
        return values

    @functools.cached_property
    def _path_values(self) -> dict[str, str]:
        """Settings that request paths, parameters and headers may name."""
        return {
            key: value
            for key, value in self.settings.model_dump().items()
            if isinstance(value, str) and key != "base_url"
        }

    # -- hooks a connector may override -----------------------------------------------------

    def check_config(self) -> None:
        """Checks that span settings and credentials beyond what the ways in declare; raise
        ConfigurationError (the base class names the connector)."""

    def api_origin(self) -> str:
        """The API origin when `base_url` is not set: the way in's, or `default_base_url`.

        An origin may name settings in braces, e.g. `https://{subdomain}.workable.com`; they
        are filled from the validated settings (declare them as `Subdomain` or `PathSegment`
        so only a single DNS label or path segment can get in).
        """
        origin = self.way_in.origin if self.way_in is not None else self.default_base_url
        if isinstance(origin, BySetting):
            choice = str(getattr(self.settings, origin.setting))
            if choice not in origin.origins:
                raise ConfigurationError(f"setting {origin.setting!r} names no known origin")
            return origin.origins[choice]
        if origin is None:
            raise ConfigurationError("declares neither ways in nor default_base_url")
        values = {key: str(value) for key, value in self.settings.model_dump().items()}
        try:
            return origin.format_map(values)
        except (KeyError, ValueError) as exc:
            raise ConfigurationError(
                f"the origin {origin!r} names an unknown setting ({exc})"
            ) from None

    def rate_limit_policy(self) -> RateLimitPolicy:
        """The limit this instance keeps to: its way in's, where it has its own."""
        if self.way_in is not None and self.way_in.rate_limit is not None:
            return self.way_in.rate_limit
        return self.rate_limit

    def make_auth(self) -> Auth:
        """The auth of the way in these credentials chose; none without ways in."""
        return self.way_in.auth.build(self) if self.way_in is not None else NoAuth()

    async def load_job(self, job_id: str) -> Job:
        """Fetch and normalise one job through the way in. `job_id` has been validated.

        Override only in a connector without ways in; a way that needs more than a fixed
        list of requests declares `load` instead.
        """
        way = self.way_in
        if way is None:
            raise ConfigurationError(
                "declares no ways in and does not implement load_job",
                hint="Declare `ways_in` (see the 'Write a connector' guide).",
            )
        if way.load is not None:
            return await way.load(self, job_id)
        assert way.mapper is not None  # checked when the class was declared
        fetched: list[Fetched] = []
        payloads: list[Any] = []
        external_id = job_id
        for index, request in enumerate(way.requests()):
            answer, payload, answered_id = await self._ask(request, job_id)
            fetched.append(answer)
            payloads.append(payload)
            if index == 0 and answered_id is not None:
                external_id = answered_id  # the ATS's spelling (a UUID's case)
        fields = dict(way.mapper(*payloads))
        if text(fields.get("title")) is None:
            what = a_or_an(way.requests()[0].what)
            raise PayloadError(f"answered {what} without a title ('title' is missing or blank)")
        return self.new_job(external_id=external_id, fetched=fetched, **fields)

    async def verify(self) -> str:
        """Prove the settings and credentials work against the ATS, without a job id.

        Sends the way in's `Verify` request and returns what was checked; raises the typed
        error (`AuthenticationFailed`, `PermissionDenied`, `ConfigurationError` for an
        account that does not exist...) when it fails. A way in without one cannot check
        anything and says so with `VerifyUnsupported`, which `embloy-ats doctor` shows as
        "not checkable".
        """
        way = self.way_in
        check = way.verify if way is not None else None
        if way is None or check is None:
            raise VerifyUnsupported(
                "this connector cannot verify credentials without a job id", connector=self.mode
            )
        try:
            answer = await self.request_json(
                check.method,
                check.path,
                job_id=None,
                params=self._filled(check.params),
                headers=self._filled(check.headers),
                json_body=check.body,
                errors=self.verify_error_rules,
                decode=check.decode,
            )
            if check.envelope is not None:
                try:
                    check.envelope(answer.data)
                except UpstreamError as exc:
                    raise exc.answered(
                        answer.response.status_code, answer.response.request_id
                    ) from None
        except EmbloyAtsError as exc:
            raise exc.locate(self.mode) from None
        values = self._values()
        if check.says is not None:
            return fill(check.says, values)
        query = "&".join(f"{key}={value}" for key, value in self._filled(check.params).items())
        named = ", ".join(f"{name}={values[name]!r}" for name in way.settings_named())
        return (
            f"{way.name}: {check.method} {self.base_url}{fill(check.path, self._path_values)}"
            f"{'?' + query if query else ''} answered{f' ({named})' if named else ''}"
        )

    # -- what callers use ---------------------------------------------------------------------

    @property
    def _allow_private_network(self) -> bool:
        http = self._http
        return http.allow_private_network if http is not None else private_network_allowed()

    @property
    def http(self) -> HttpClient:
        return self._http if self._http is not None else default_http_client()

    @classmethod
    def validate_job_id(cls, job_id: object) -> str:
        return check_job_id(job_id, cls.job_id_pattern, connector=cls.mode)

    async def fetch_job(self, job_id: str) -> Job:
        """The job, normalised; a typed `EmbloyAtsError` for everything that can go wrong,
        naming this connector and job, and holding nothing the ATS wrote in its message."""
        job_id = self.validate_job_id(job_id)
        if self.way_in is not None and self.way_in.id_pattern is not None:
            check_job_id(job_id, self.way_in.id_pattern, connector=self.mode)
        try:
            return await self.load_job(job_id)
        except EmbloyAtsError as exc:
            raise exc.locate(self.mode, job_id) from None
        except ValidationError as exc:
            first = exc.errors(include_input=False, include_url=False)[0]
            raise PayloadError(
                "answered a job that does not fit the Job model "
                f"({_where(first['loc'])}: {first['type']})",
                connector=self.mode,
                job_id=job_id,
            ) from None
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            # A normaliser tripped over a payload shape it did not expect.
            log.debug(
                "normaliser failure: %s at %s",
                type(exc).__name__,
                _failed_at(exc),
                extra={"connector": self.mode, "job_id": job_id},
            )
            raise PayloadError(
                f"answered a payload this connector cannot read ({type(exc).__name__})",
                connector=self.mode,
                job_id=job_id,
            ) from None

    # -- helpers for a way in's `load` ----------------------------------------------------------

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

    def checked_url(self, url: str, setting: str) -> str:
        """A URL the connector sends credentials to besides `base_url` (a token endpoint),
        refused on the same grounds: not https, a private address, credentials in it."""
        try:
            return check_base_url(
                url, connector=self.mode, allow_private=self._allow_private_network
            )
        except ConfigurationError as exc:
            raise ConfigurationError(
                f"setting {setting!r} is refused: {exc.message.replace('base_url', 'it')}",
                connector=self.mode,
                hint=exc.hint,
            ) from None

    def url(self, template: str, **segments: str) -> str:
        return self.base_url + build_path(template, **segments)

    def _filled(self, texts: Mapping[str, str]) -> dict[str, str]:
        return {key: fill(value, self._path_values) for key, value in texts.items()}

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
        form: Mapping[str, str | list[str]] | None = None,
        files: Sequence[FilePart] | None = None,
        ok_statuses: frozenset[int] = frozenset(),
        errors: ErrorRules | None = None,
        auth: Auth | None = None,
        origin: str | None = None,
        rate_limit: RateLimitPolicy | None = None,
        decode: Callable[[bytes], JsonValue] | None = None,
    ) -> Fetched:
        """One authenticated request to `base_url + template`, decoded as JSON.

        `{job_id}` in the template is filled with the (validated) job id, every other
        `{name}` from `segments` or the settings; each value is one percent-encoded path
        segment. The body is `json_body`, or `form` (multipart with `files`). A final status
        becomes the error of `errors` (default: this instance's table); a rule that reads the
        body gets it. `auth` and `origin` replace the way in's, for a request to another API
        of the same ATS (a submission through its job board API); an `origin` is the
        connector's own constant, never input, and `base_url`, when set, still wins. Such a
        request names the limit it counts against (`rate_limit`), kept in a bucket of its own.
        An answer that is not JSON is read by `decode` (its typed errors carry the status).
        """
        rules = self.error_rules if errors is None else errors
        readable = frozenset(
            key for key, rule in rules.items() if isinstance(key, int) and rule.read is not None
        )
        readable -= ok_statuses
        values = {**self._path_values, **(segments or {})}
        if job_id is not None:
            values["job_id"] = job_id
        url = self.url(template, **values)
        if origin is not None and self.settings.base_url is None:
            url = origin + build_path(template, **values)
        key = self.rate_limit_key
        if rate_limit is not None:
            key = f"{key}|{rate_limit.requests}/{rate_limit.per_seconds:g}s"
        ctx = RequestContext(
            connector=self.mode,
            job_id=job_id,
            rate_limit=rate_limit or self.rate_limit_policy(),
            rate_limit_key=key,
            max_body_bytes=self.max_body_bytes,
            errors=rules,
        )
        http = self.http
        auth = self.auth if auth is None else auth
        for attempt in (1, 2):
            auth_headers = await auth.headers(http, ctx)
            try:
                response = await http.request(
                    method,
                    url,
                    ctx,
                    headers={**auth_headers, **(headers or {})},
                    params=params,
                    json_body=json_body,
                    form=form,
                    files=files,
                    ok_statuses=ok_statuses | readable,
                )
                if response.status_code in readable:
                    raise self._read_error(response, rules[response.status_code], ctx)
            except AuthenticationFailed:
                if attempt == 1 and auth.invalidate():
                    continue  # a cached OAuth token went stale: fetch a new one, once
                raise
            if decode is None:
                return Fetched(response.path, response.json(ctx), response)
            try:
                # a parse of megabytes (an XML feed) on a thread: the loop serves on
                data = await asyncio.to_thread(decode, response.body)
                return Fetched(response.path, data, response)
            except EmbloyAtsError as exc:
                if isinstance(exc, UpstreamError):
                    exc.answered(response.status_code, response.request_id)
                raise exc.locate(ctx.connector, ctx.job_id) from None
        raise AssertionError("unreachable")

    @staticmethod
    def _read_error(response: Response, rule: ErrorRule, ctx: RequestContext) -> EmbloyAtsError:
        """The error of a rule that reads the body (None when the body is not JSON)."""
        body: JsonValue | None
        try:
            body = response.json(ctx)
        except PayloadError:
            body = None
        status = response.status_code
        assert rule.read is not None
        error = rule.read(status, body) or rule.build(status, request_id=response.request_id)
        if isinstance(error, UpstreamError):
            error.answered(status, response.request_id)
        return error.locate(ctx.connector, ctx.job_id)

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

    async def pages(
        self,
        template: str,
        *,
        job_id: str | None,
        params: Mapping[str, str],
        following: NextPage,
        max_pages: int,
    ) -> AsyncIterator[Fetched]:
        """A list endpoint page by page (`GET`): `following(page)` gives the next page's
        query. Stops after `max_pages`, and at a query already sent (an ATS looping)."""
        sent: list[Mapping[str, str]] = []
        query: Mapping[str, str] | None = params
        while query is not None and query not in sent and len(sent) < max_pages:
            sent.append(query)
            page = await self.get_json(template, job_id=job_id, params=query)
            yield page
            query = following(page)

    async def _ask(self, request: Request, job_id: str) -> tuple[Fetched, Any, str | None]:
        """One declared request: the answer (as `Job.raw` keeps it), the payload its envelope
        found, and the id the ATS answered (when the request checks one)."""
        answer = await self.request_json(
            request.method,
            request.path,
            job_id=job_id,
            params=self._filled(request.params),
            headers=self._filled(request.headers),
            json_body=request.body(job_id) if request.body is not None else None,
        )
        try:
            if request.envelope is None:
                payload: Any = require_object(answer.data, what=a_or_an(request.what))
            else:
                payload = request.envelope(answer.data, Asked(job_id, self.settings))
            answered = None
            if request.id_field is not None:
                answered = require_id(
                    payload if isinstance(payload, Mapping) else {},
                    request.id_field,
                    job_id,
                    what=request.what,
                    casefold=request.id_casefold,
                )
        except UpstreamError as exc:
            raise exc.answered(answer.response.status_code, answer.response.request_id) from None
        kept = request.keep(answer.data, payload) if request.keep is not None else answer.data
        return Fetched(answer.path, kept, answer.response), payload, answered

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
        from embloy_ats.submission.capability import submits  # the package imports this one

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

        def origin(way: WayIn) -> str:
            if isinstance(way.origin, BySetting):
                default = cls.settings_model.model_fields[way.origin.setting].default
                return way.origin.origins.get(str(default), next(iter(way.origin.origins.values())))
            return way.origin

        ways = [
            {
                "name": way.name,
                "auth": [kind.value for kind in way.auth.kinds],
                "credentials": list(way.auth.credentials),
                "origin": origin(way),
                "rate_limit": (way.rate_limit or cls.rate_limit).describe(),
                "verify": way.verify is not None,
            }
            for way in cls.ways_in
        ]
        return {
            "mode": cls.mode,
            "name": cls.display_name,
            "auth": [kind.value for kind in cls.auth_kinds],
            "settings": fields(cls.settings_model),
            "credentials": fields(cls.credentials_model),
            "job_id_pattern": cls.job_id_pattern.pattern,
            "job_id_format": cls.job_id_format,
            "default_base_url": cls.default_base_url or (ways[0]["origin"] if ways else None),
            "rate_limit": cls.rate_limit.describe(),
            "ways_in": ways,
            "questions": cls.supports_questions,
            "compensation": cls.supports_compensation,
            "submits": submits(cls),
            "submit_credentials": list(cls.submit_credentials),
            "docs_url": cls.docs_url,
        }

    def __repr__(self) -> str:
        return f"<{type(self).__name__} mode={self.mode!r} base_url={self.base_url!r}>"
