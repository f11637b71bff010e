"""The connector conformance suite: every connector passes the same checks.

A connector's test module adopts it by subclassing `ConnectorConformance` and filling in a
few class attributes (mode, settings, the way in they choose, the cassettes of a known job,
an unknown job and bad credentials); one subclass per way in. Registered as a pytest plugin
(`pytest11`), so its assertions are rewritten and read well when they fail.

Skipping a check needs a written reason: `skip = {"bad_credentials": "takes no credentials"}`.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar

import pytest
import stamina

from embloy_ats.auth import OAuth2Token
from embloy_ats.connector import Connector, VerifyUnsupported
from embloy_ats.errors import (
    AuthenticationFailed,
    ConfigurationError,
    EmbloyAtsError,
    ErrorRule,
    InvalidJobId,
    JobNotFound,
    PermissionDenied,
    RateLimited,
    RequestRejected,
    UpstreamError,
    UpstreamUnavailable,
    rule_for,
)
from embloy_ats.html import sanitize_html
from embloy_ats.http import HttpClient, RetryPolicy
from embloy_ats.model import Job
from embloy_ats.registry import Registry
from embloy_ats.replay import (
    RecordedAnswer,
    ReplayTransport,
    ScriptedTransport,
    SentRequest,
    recorded_answers,
)
from embloy_ats.testing.cassette_scan import scan_file

CHECKS = (
    "entry_point",
    "way_in",
    "secrets_declared",
    "known_job",
    "unknown_job",
    "bad_credentials",
    "malformed_ids",
    "retries_5xx",
    "retries_429",
    "cassettes_clean",
    "ats_text",
    "error_table",
    "verify",
)
#: final statuses every connector must read the same way, through its error table.
FINAL_STATUSES = (400, 401, 403, 404, 409, 410, 422)
#: ids no connector may ever send: traversal, encoded slashes, query, fragment, blanks.
HOSTILE_IDS = (
    "", "../1", "1/../2", "a/b", "%2F", "1%2F2", "1?x=1", "1#x", " 1", "1 ", "1\n", "1\t", "1\x00",
    "..", ".", "1;drop", "\uff11",
)  # fmt: skip
#: marks text that came from the ATS; no error message, hint or log line may show it.
ATS_TEXT = "zq7atstext"
#: an error answer as ATSs write them, every field carrying ATS text (codes shaped as codes).
_ERROR_BODY = {
    "error": f"{ATS_TEXT} message", "message": f"{ATS_TEXT} message", "ok": False,
    "success": False, "status": f"{ATS_TEXT}",
    "errorInfo": {"code": f"{ATS_TEXT}_not_found", "message": f"{ATS_TEXT} message",
                  "requestId": ATS_TEXT},
    "errors": [f"{ATS_TEXT}_rate_limit", {"title": ATS_TEXT, "detail": ATS_TEXT,
                                          "code": f"{ATS_TEXT}_invalid"}],
}  # fmt: skip
_SECRET_NAMES = re.compile(r"secret|password|api_?key|access_token|refresh_token|private", re.I)


def _offline(transport: ScriptedTransport) -> HttpClient:
    """A client whose transport answers in-process (a replay, a mock): it reaches no
    network, so a connector recorded against a sandbox on this machine (`base_url` on
    loopback) passes without EMBLOY_ATS_ALLOW_PRIVATE_NETWORK. Live requests keep the
    guard: no live client is made here."""
    return HttpClient(transport=transport, allow_private_network=True)


def _mock(answer: Callable[[SentRequest], RecordedAnswer]) -> tuple[HttpClient, list[str]]:
    """A client answered by `answer`, and the requests it sent (`method url`)."""
    transport = ScriptedTransport(answer)
    return _offline(transport), transport.requests


def _unanswered(request: SentRequest) -> RecordedAnswer:
    raise AssertionError(f"the check sent {request.method} {request.url}; it must send nothing")


_TOKEN = {"access_token": "conformance-access-token", "token_type": "bearer", "expires_in": 3600}


class ConnectorConformance:
    """Subclass as `Test<Name>Conformance` in the connector's test module."""

    #: the connector's mode (its entry-point name).
    mode: ClassVar[str]
    #: settings and credentials the cassettes were recorded with (credentials scrubbed).
    settings: ClassVar[Mapping[str, str]] = {}
    credentials: ClassVar[Mapping[str, str]] = {}
    #: the name of the way in these settings and credentials choose (needed when the
    #: connector declares more than one: each gets a subclass of its own).
    way_in: ClassVar[str | None] = None
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
    #: the body of a success answer to `verify()` (an ATS that answers XML sets its own).
    verify_success_body: ClassVar[bytes] = b"{}"

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

    def test_the_settings_choose_the_named_way_in(self) -> None:
        self._skip_if_waived("way_in")
        cls = self.connector_class
        chosen = self.connector(_mock(_unanswered)[0]).way_in
        if not cls.ways_in:
            assert self.way_in is None, f"{cls.__name__} declares no ways in"
            return
        names = [way.name for way in cls.ways_in]
        assert chosen is not None
        if len(names) > 1:
            assert self.way_in is not None, f"name the way in these settings choose: {names}"
        if self.way_in is not None:
            assert self.way_in in names, f"{self.way_in!r} is none of {names}"
            assert chosen.name == self.way_in, f"the settings choose {chosen.name!r}"

    def test_secrets_are_declared_as_secrets(self) -> None:
        self._skip_if_waived("secrets_declared")
        cls = self.connector_class
        for name, field in cls.credentials_model.model_fields.items():
            assert "SecretStr" in repr(field.annotation), f"credential {name!r} is not a SecretStr"
        for name, field in cls.settings_model.model_fields.items():
            assert "SecretStr" not in repr(field.annotation), f"setting {name!r} is a secret"
            assert not _SECRET_NAMES.search(name), f"setting {name!r} looks like a credential"
        if self.credentials:
            connector = self.connector(_offline(ScriptedTransport(_unanswered)))
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
        http, seen = _mock(lambda request: RecordedAnswer.of_json(200, {}))
        with pytest.raises(InvalidJobId):
            await self.connector(http).fetch_job(job_id)
        assert seen == [], f"{job_id!r} reached the network"

    async def test_5xx_goes_through_the_core_retry_path(self) -> None:
        self._skip_if_waived("retries_5xx")
        http, seen = _mock(lambda request: RecordedAnswer(503, (), b""))
        with (
            stamina.set_testing(True, attempts=RetryPolicy().attempts),
            pytest.raises(UpstreamUnavailable),
        ):
            await self.connector(http).fetch_job(self.known_job[0])
        assert len(seen) == RetryPolicy().attempts

    async def test_429_goes_through_the_core_retry_path(self) -> None:
        self._skip_if_waived("retries_429")
        http, seen = _mock(lambda request: RecordedAnswer(429, (("Retry-After", "0"),), b""))
        with stamina.set_testing(True, attempts=RetryPolicy().attempts), pytest.raises(RateLimited):
            await self.connector(http).fetch_job(self.known_job[0])
        assert len(seen) == RetryPolicy().attempts

    def _answering(
        self, status: int, body: bytes = b"{}"
    ) -> tuple[Connector, list[str], list[str]]:
        """The connector, answered `status` by the ATS (an OAuth token endpoint issues a
        token); every request, and those that went to the ATS rather than for a token."""
        token_url: list[str] = []
        to_ats: list[str] = []

        def handle(request: SentRequest) -> RecordedAnswer:
            if token_url and request.url == token_url[0]:
                return RecordedAnswer.of_json(200, _TOKEN)
            to_ats.append(f"{request.method} {request.url}")
            return RecordedAnswer(status, (), body)

        transport = ScriptedTransport(handle)
        connector = self.connector(_offline(transport))
        if isinstance(connector.auth, OAuth2Token):
            token_url.append(connector.auth.token_url)
        return connector, transport.requests, to_ats

    def _check_table_was_followed(
        self,
        outcome: object,
        status: int,
        rules: Mapping[int | str, ErrorRule],
        connector: Connector,
        to_ats: list[str],
    ) -> None:
        rule = rule_for(status, rules)
        # built as the base builds it, naming the connector (a ConfigurationError's default
        # hint points at the connector's settings only when it names one)
        expected = (rule.read(status, {}) if rule.read else None) or rule.build(
            status, connector=self.mode
        )
        assert type(outcome) is type(expected), f"HTTP {status}: {outcome!r}, not {expected!r}"
        assert isinstance(outcome, EmbloyAtsError)
        assert (outcome.message, outcome.hint) == (expected.message, expected.hint)
        assert outcome.connector == self.mode
        if isinstance(outcome, UpstreamError):
            assert outcome.status_code == status
        for value in self.credentials.values():
            assert value not in str(outcome), "a credential is in the message"
        # a final status is never retried; a 401 once, with a new token, where there is one
        again = status == 401 and isinstance(connector.auth, OAuth2Token)
        assert len(to_ats) == (2 if again else 1), f"HTTP {status} was sent {len(to_ats)} times"

    @pytest.mark.parametrize("status", FINAL_STATUSES)
    async def test_final_statuses_follow_the_error_table(self, status: int) -> None:
        """A final status is the error the connector's table says (the core's, with the
        connector's own entries over it), naming connector and job, sent once."""
        self._skip_if_waived("error_table")
        connector, _, to_ats = self._answering(status)
        job_id = self.known_job[0]
        try:
            await connector.fetch_job(job_id)
        except EmbloyAtsError as exc:
            outcome: object = exc
        else:
            pytest.fail(f"HTTP {status} gave a Job")
        self._check_table_was_followed(outcome, status, connector.error_rules, connector, to_ats)
        assert isinstance(outcome, EmbloyAtsError)
        assert outcome.job_id == job_id
        # what the resolver and the service rely on, whatever a connector overrides
        if status == 401:
            assert isinstance(outcome, AuthenticationFailed)
        if status == 403:
            assert isinstance(outcome, PermissionDenied | AuthenticationFailed)
        if status in (404, 410):
            assert isinstance(outcome, JobNotFound)

    @pytest.mark.parametrize("status", FINAL_STATUSES)
    async def test_verify_reads_final_statuses_as_setup_problems(self, status: int) -> None:
        """`verify()` has no job: a 404 or 410 means the account, board or site does not
        exist (a ConfigurationError), never "no such job"; the rest follows the table."""
        self._skip_if_waived("verify")
        connector, seen, to_ats = self._answering(status)
        try:
            await connector.verify()
        except VerifyUnsupported:
            assert connector.way_in is None or connector.way_in.verify is None
            assert seen == [], "an unsupported verify() sent a request"
            return
        except EmbloyAtsError as exc:
            outcome: object = exc
        else:
            pytest.fail(f"verify() passed on HTTP {status}")
        rules = connector.verify_error_rules
        self._check_table_was_followed(outcome, status, rules, connector, to_ats)
        assert isinstance(outcome, EmbloyAtsError)
        assert not isinstance(outcome, JobNotFound), "verify() has no job to not find"
        assert outcome.job_id is None
        if status in (404, 410):
            assert isinstance(outcome, ConfigurationError)
        if status == 401:
            assert isinstance(outcome, AuthenticationFailed)
        if status == 403:
            assert isinstance(outcome, PermissionDenied | AuthenticationFailed)
        if status in (400, 409, 422):
            assert isinstance(outcome, RequestRejected)

    async def test_verify_passes_on_a_success_answer(self) -> None:
        self._skip_if_waived("verify")
        connector, seen, to_ats = self._answering(200, self.verify_success_body)
        try:
            checked = await connector.verify()
        except VerifyUnsupported:
            assert seen == [], "an unsupported verify() sent a request"
            return
        assert checked.strip(), "verify() says what it checked"
        assert len(to_ats) == 1, "verify() is one request to the ATS"
        for value in self.credentials.values():
            assert value not in checked, "a credential is in what verify() says"

    def test_cassettes_hold_no_secret(self) -> None:
        self._skip_if_waived("cassettes_clean")
        cassettes = sorted(self.cassette_dir.glob("*.yaml"))
        assert cassettes, f"no cassettes in {self.cassette_dir}"
        used = [value for value in self.credentials.values() if value]
        for path in cassettes:
            found = scan_file(path, known=used)
            assert not found, f"{path.name} holds what looks like a secret: {found}"

    async def test_ats_text_never_reaches_an_error_message(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        """What the ATS writes (error bodies, codes, field values) is never part of an error's
        message or hint, nor of a log line: it may hold a candidate's data or echo a secret."""
        self._skip_if_waived("ats_text")
        caplog.set_level(logging.DEBUG, logger="embloy_ats")
        job_id, cassette = self.known_job
        outcomes: list[tuple[str, object]] = []
        for status in (200, 400, 401, 403, 404, 409, 410, 422):
            for body in (json.dumps(_ERROR_BODY).encode(), f"{ATS_TEXT} refused".encode()):
                http, _ = _mock(_answer(status, body))
                outcomes.append((f"HTTP {status}", await self._outcome(http, job_id)))
        answers = recorded_answers([self.cassette_dir / cassette])
        for swap in ("fields", "id", "both"):
            hostile = {key: _hostile(answer, job_id, swap) for key, answer in answers.items()}
            http = _offline(ReplayTransport(hostile))
            outcomes.append((f"{cassette}, ATS text in {swap}", await self._outcome(http, job_id)))
        for where, outcome in outcomes:
            if isinstance(outcome, EmbloyAtsError):
                shown = f"{outcome} {outcome.message} {outcome.hint} {outcome.args}"
                assert ATS_TEXT not in shown, f"{where}: ATS text in {type(outcome).__name__}"
        for record in caplog.records:
            logged = record.getMessage() + (record.exc_text or "") + str(record.exc_info or "")
            if record.exc_info:
                logged += logging.Formatter().formatException(record.exc_info)
            assert ATS_TEXT not in logged, f"ATS text logged by {record.name}"

    async def _outcome(self, http: HttpClient, job_id: str) -> object:
        try:
            return await self.connector(http).fetch_job(job_id)
        except EmbloyAtsError as exc:
            return exc
        finally:
            await http.aclose()


def _answer(status: int, body: bytes) -> Callable[[SentRequest], RecordedAnswer]:
    return lambda request: RecordedAnswer(status, (), body)


def _hostile(answer: RecordedAnswer, job_id: str, swap: str) -> RecordedAnswer:
    """The answer with ATS text in its JSON body: in every string `fields` but the job id
    (text no model accepts as a link, a country or a currency), in place of the job `id`
    (another job's id), or `both`."""

    def change(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: change(item) for key, item in value.items()}
        if isinstance(value, list):
            return [change(item) for item in value]
        if str(value) == job_id and not isinstance(value, bool | float):
            return f"9{ATS_TEXT}" if swap in ("id", "both") else value
        if isinstance(value, str) and swap in ("fields", "both"):
            return f"javascript:{ATS_TEXT}"
        return value

    try:
        document = json.loads(answer.body)
    except ValueError:
        return answer
    body = json.dumps(change(document)).encode()
    return RecordedAnswer(answer.status, answer.headers, body)
