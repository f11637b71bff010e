"""The connector conformance suite: every connector passes the same checks.

A connector's test module adopts it by subclassing `ConnectorConformance` and filling in a
few class attributes (mode, settings, the cassettes of a known job, an unknown job and bad
credentials). Registered as a pytest plugin (`pytest11`), so its assertions are rewritten
and read well when they fail.

Skipping a check needs a written reason: `skip = {"bad_credentials": "takes no credentials"}`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
import stamina

from embloy_ats.connector import Connector
from embloy_ats.errors import (
    AuthenticationFailed,
    InvalidJobId,
    JobNotFound,
    RateLimited,
    UpstreamUnavailable,
)
from embloy_ats.html import sanitize_html
from embloy_ats.http import HttpClient, ReplayTransport, RetryPolicy
from embloy_ats.kit.cassette_scan import scan_file
from embloy_ats.model import Job
from embloy_ats.registry import Registry
from embloy_ats.replay import recorded_answers

CHECKS = (
    "entry_point",
    "secrets_declared",
    "known_job",
    "unknown_job",
    "bad_credentials",
    "malformed_ids",
    "retries_5xx",
    "retries_429",
    "cassettes_clean",
)
#: ids no connector may ever send: traversal, encoded slashes, query, fragment, blanks.
HOSTILE_IDS = (
    "", "../1", "1/../2", "a/b", "%2F", "1%2F2", "1?x=1", "1#x", " 1", "1 ", "1\n", "1\t", "1\x00",
    "..", ".", "1;drop", "\uff11",
)  # fmt: skip
_SECRET_NAMES = re.compile(r"secret|password|api_?key|access_token|refresh_token|private", re.I)


def _offline(transport: httpx.AsyncBaseTransport) -> HttpClient:
    """A client whose transport answers in-process (a replay, a mock): it reaches no
    network, so a connector recorded against a sandbox on this machine (`base_url` on
    loopback) passes without EMBLOY_ATS_ALLOW_PRIVATE_NETWORK. Live requests keep the
    guard: no live client is made here."""
    return HttpClient(transport=transport, allow_private_network=True)


def _mock(handler: Callable[[httpx.Request], httpx.Response]) -> tuple[HttpClient, list[str]]:
    seen: list[str] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url}")
        return handler(request)

    return _offline(httpx.MockTransport(record)), seen


def _unanswered(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"the check sent {request.method} {request.url}; it must send nothing")


class ConnectorConformance:
    """Subclass as `Test<Name>Conformance` in the connector's test module."""

    #: the connector's mode (its entry-point name).
    mode: ClassVar[str]
    #: settings and credentials the cassettes were recorded with (credentials scrubbed).
    settings: ClassVar[Mapping[str, str]] = {}
    credentials: ClassVar[Mapping[str, str]] = {}
    #: where this connector's cassettes live.
    cassette_dir: ClassVar[Path]
    #: (job id, cassette file name) of a job the ATS knows.
    known_job: ClassVar[tuple[str, str]]
    #: (job id, cassette file name) of a job the ATS does not know.
    unknown_job: ClassVar[tuple[str, str]]
    #: (job id, cassette file name) answered with the ATS's bad-credentials error.
    bad_credentials: ClassVar[tuple[str, str] | None] = None
    #: ids that are well-formed but wrong for this ATS, refused before any request.
    extra_malformed_ids: ClassVar[tuple[str, ...]] = ()
    #: check name -> the written reason it does not apply to this connector.
    skip: ClassVar[Mapping[str, str]] = {}

    # -- plumbing -----------------------------------------------------------------------------

    def _skip_if_waived(self, check: str) -> None:
        unknown = set(self.skip) - set(CHECKS)
        assert not unknown, f"skip names unknown checks {sorted(unknown)}; known: {CHECKS}"
        if check in self.skip:
            reason = self.skip[check].strip()
            assert reason, f"skipping {check!r} needs a written reason"
            pytest.skip(reason)

    @property
    def connector_class(self) -> type[Connector]:
        return Registry.discover().get(self.mode).connector

    def connector(
        self, http: HttpClient, credentials: Mapping[str, str] | None = None
    ) -> Connector:
        creds = self.credentials if credentials is None else credentials
        return self.connector_class(dict(self.settings), dict(creds), http=http)

    async def replay(self, cassette: str, job_id: str) -> tuple[Any, ReplayTransport]:
        """Fetch `job_id` answering only from `cassette`; the outcome or the error raised."""
        path = self.cassette_dir / cassette
        assert path.is_file(), f"missing cassette {path}"
        transport = ReplayTransport(recorded_answers([path]))
        http = _offline(transport)
        try:
            outcome: Any = await self.connector(http).fetch_job(job_id)
        except Exception as exc:  # noqa: BLE001 - the caller asserts on the error
            outcome = exc
        finally:
            await http.aclose()
        assert not transport.unanswered, (
            f"the connector sent requests {cassette} has no answer for: {transport.unanswered}"
        )
        return outcome, transport

    # -- the checks ---------------------------------------------------------------------------

    def test_entry_point_resolves(self) -> None:
        self._skip_if_waived("entry_point")
        info = Registry.discover().get(self.mode)
        assert info.connector.mode == self.mode
        assert info.distribution != "unknown"
        assert info.connector.job_id_pattern.pattern
        assert info.connector.rate_limit.requests >= 1

    def test_secrets_are_declared_as_secrets(self) -> None:
        self._skip_if_waived("secrets_declared")
        cls = self.connector_class
        for name, field in cls.credentials_model.model_fields.items():
            assert "SecretStr" in repr(field.annotation), f"credential {name!r} is not a SecretStr"
        for name, field in cls.settings_model.model_fields.items():
            assert "SecretStr" not in repr(field.annotation), f"setting {name!r} is a secret"
            assert not _SECRET_NAMES.search(name), f"setting {name!r} looks like a credential"
        if self.credentials:
            connector = self.connector(_offline(httpx.MockTransport(_unanswered)))
            shown = repr(connector) + repr(connector.credentials) + str(connector.credentials)
            for value in self.credentials.values():
                assert value not in shown, "a credential shows in a repr"

    async def test_known_job_replays_to_a_valid_job(self) -> None:
        self._skip_if_waived("known_job")
        job_id, cassette = self.known_job
        job, _ = await self.replay(cassette, job_id)
        assert isinstance(job, Job), f"expected a Job, got {job!r}"
        assert job.connector == self.mode
        assert job.title.strip()
        assert job.slug == f"{self.mode}__{job.external_id}"
        assert job.description_html == sanitize_html(job.description_html)
        lowered = job.description_html.lower()
        assert "<script" not in lowered
        assert "javascript:" not in lowered
        assert not re.search(r"<[^>]+\son\w+\s*=", lowered)
        assert job.raw, "the raw payloads are kept"
        assert Job.model_validate_json(job.model_dump_json()) == job

    async def test_unknown_job_is_job_not_found(self) -> None:
        self._skip_if_waived("unknown_job")
        job_id, cassette = self.unknown_job
        outcome, _ = await self.replay(cassette, job_id)
        assert isinstance(outcome, JobNotFound), f"expected JobNotFound, got {outcome!r}"
        assert outcome.connector == self.mode

    async def test_bad_credentials_are_authentication_failed(self) -> None:
        self._skip_if_waived("bad_credentials")
        assert self.bad_credentials is not None, "set bad_credentials or skip with a reason"
        job_id, cassette = self.bad_credentials
        outcome, _ = await self.replay(cassette, job_id)
        assert isinstance(outcome, AuthenticationFailed), f"got {outcome!r}"
        for value in self.credentials.values():
            assert value not in str(outcome)

    @pytest.mark.parametrize("job_id", HOSTILE_IDS)
    async def test_malformed_ids_are_refused_without_a_request(self, job_id: str) -> None:
        self._skip_if_waived("malformed_ids")
        await self._refused(job_id)

    async def test_connector_specific_malformed_ids(self) -> None:
        self._skip_if_waived("malformed_ids")
        for job_id in self.extra_malformed_ids:
            await self._refused(job_id)

    async def _refused(self, job_id: str) -> None:
        http, seen = _mock(lambda request: httpx.Response(200, json={}))
        with pytest.raises(InvalidJobId):
            await self.connector(http).fetch_job(job_id)
        assert seen == [], f"{job_id!r} reached the network"

    async def test_5xx_goes_through_the_core_retry_path(self) -> None:
        self._skip_if_waived("retries_5xx")
        http, seen = _mock(lambda request: httpx.Response(503))
        with (
            stamina.set_testing(True, attempts=RetryPolicy().attempts),
            pytest.raises(UpstreamUnavailable),
        ):
            await self.connector(http).fetch_job(self.known_job[0])
        assert len(seen) == RetryPolicy().attempts

    async def test_429_goes_through_the_core_retry_path(self) -> None:
        self._skip_if_waived("retries_429")
        http, seen = _mock(lambda request: httpx.Response(429, headers={"Retry-After": "0"}))
        with stamina.set_testing(True, attempts=RetryPolicy().attempts), pytest.raises(RateLimited):
            await self.connector(http).fetch_job(self.known_job[0])
        assert len(seen) == RetryPolicy().attempts

    def test_cassettes_hold_no_secret(self) -> None:
        self._skip_if_waived("cassettes_clean")
        cassettes = sorted(self.cassette_dir.glob("*.yaml"))
        assert cassettes, f"no cassettes in {self.cassette_dir}"
        used = [value for value in self.credentials.values() if value]
        for path in cassettes:
            found = scan_file(path, known=used)
            assert not found, f"{path.name} holds what looks like a secret: {found}"
