"""The connector contract's shared rules, shown on small connectors of its own."""

from __future__ import annotations

import ast
import importlib
import logging
import re
import threading
import types
from pathlib import Path
from typing import Any

import httpx
import pytest
from embloy_ats import ConfigurationError, HttpClient, Registry
from embloy_ats.connector import VerifyUnsupported
from embloy_ats.contract import (
    NUMERIC_ID,
    AuthenticationFailed,
    AuthKind,
    Connector,
    ConnectorSettings,
    Credentials,
    ErrorRule,
    Field,
    InvalidJobId,
    Job,
    JobNotFound,
    JsonValue,
    PathSegment,
    PayloadError,
    PermissionDenied,
    RateLimitPolicy,
    Request,
    RequestRejected,
    SecretStr,
    UpstreamError,
    Verify,
    WayIn,
    basic,
    bearer,
    link_cursor,
    parsing,
)
from embloy_ats.errors import DEFAULT_ERRORS, fill, merge_rules
from embloy_ats.testing.conformance import ConnectorConformance

from tests.fakes import FakeConnector

ROOT = Path(__file__).resolve().parent.parent
ATS_TEXT = "zq7atstext"


@pytest.mark.parametrize("blank", ["", "   ", "\t"])
def test_a_blank_secret_is_refused_never_read_as_absent(blank: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        FakeConnector({}, {"api_key": blank})
    assert str(caught.value).startswith("fake: credentials: api_key is empty")


def test_unknown_fields_are_named_without_their_values() -> None:
    with pytest.raises(ConfigurationError) as caught:
        FakeConnector({"acount": "x"}, {"api_kee": "s3cr3t-value"})
    assert "setting 'acount'" in str(caught.value)
    assert "s3cr3t-value" not in str(caught.value)


def test_the_rate_limit_key_is_per_account_and_hides_the_secret() -> None:
    one = FakeConnector({}, {"api_key": "key-one"})
    two = FakeConnector({}, {"api_key": "key-two"})
    assert one.rate_limit_key != two.rate_limit_key
    assert one.rate_limit_key == FakeConnector({}, {"api_key": "key-one"}).rate_limit_key
    assert "key-one" not in one.rate_limit_key


# -- a connector with two ways in --------------------------------------------------------------


class TwoSettings(ConnectorSettings):
    board: PathSegment | None = Field(default=None, description="The public board.")
    account: PathSegment | None = Field(default=None, description="The account, for the API.")


class TwoCredentials(Credentials):
    api_key: SecretStr | None = None


def _job(data: JsonValue, asked: Any) -> dict[str, Any]:
    """`{"job": {...}}`; an `{"error": ...}` body sent with HTTP 200 is refused."""
    body = parsing.require_object(data, what="an answer")
    if "job" not in body:
        raise PayloadError("answered without a job")
    return parsing.require_object(body["job"], what="a job")


def _fields(job: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": parsing.text(job.get("title")),
        "posting_url": parsing.text(job.get("url")),  # not checked: the model refuses
        # a mapping bug the model catches: a list made a set is no JSON value
        "custom_fields": {
            str(key): set(value) if isinstance(value, list) else value
            for key, value in parsing.obj(job.get("x")).items()
        },
    }


def _broken(job: dict[str, Any]) -> dict[str, Any]:
    raise ValueError(f"cannot read {job.get('title')}")


PUBLIC_LIMIT = RateLimitPolicy(5, 1.0)


class TwoWays(Connector[TwoSettings, TwoCredentials]):
    mode = "two_ways"
    display_name = "Two ways"
    job_id_pattern = NUMERIC_ID
    job_id_format = "numeric"
    rate_limit = RateLimitPolicy(100, 1.0)
    ways_in = (
        WayIn(
            "board API",
            origin="https://{board}.boards.example",
            job=Request("/jobs/{job_id}", id_field="id"),
            mapper=_fields,
            rate_limit=PUBLIC_LIMIT,
            id_pattern=re.compile(r"[1-9][0-9]{0,5}"),
            verify=Verify("/jobs", params={"limit": "1"}, missing="has no board {board!r}"),
        ),
        WayIn(
            "account API",
            origin="https://api.example",
            auth=bearer("api_key"),
            job=Request("/a/{account}/jobs/{job_id}", envelope=_job, id_field="id"),
            mapper=_fields,
            errors={
                403: "Give the key the jobs:read scope.",
                409: ErrorRule(RequestRejected, "refused account {account!r} (HTTP {status})"),
            },
        ),
    )


def answering(status: int, body: object) -> tuple[HttpClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        content = body if isinstance(body, bytes) else None
        return httpx.Response(status, content=content, json=None if content else body)

    return HttpClient(transport=httpx.MockTransport(handle)), seen


def public(http: HttpClient | None = None) -> TwoWays:
    return TwoWays({"board": "acme"}, http=http)


def keyed(http: HttpClient | None = None) -> TwoWays:
    return TwoWays({"account": "a1"}, {"api_key": "key-Zr8"}, http=http)


def test_the_type_arguments_are_the_models() -> None:
    assert (TwoWays.settings_model, TwoWays.credentials_model) == (TwoSettings, TwoCredentials)
    assert isinstance(public().settings, TwoSettings)


def test_the_credentials_choose_the_way_in() -> None:
    board, account = public(), keyed()
    assert board.way_in is TwoWays.ways_in[0]
    assert (board.base_url, board.auth.kind) == ("https://acme.boards.example", AuthKind.NONE)
    assert board.rate_limit_policy() is PUBLIC_LIMIT
    assert account.way_in is TwoWays.ways_in[1]
    assert (account.base_url, account.auth.kind) == ("https://api.example", AuthKind.BEARER)
    assert account.rate_limit_policy() is TwoWays.rate_limit
    assert TwoWays.auth_kinds == (AuthKind.NONE, AuthKind.BEARER)


def test_the_way_in_needs_the_settings_it_names() -> None:
    with pytest.raises(ConfigurationError) as caught:
        TwoWays({})
    assert str(caught.value).startswith(
        "two_ways: needs credentials for the account API (api_key) or the setting 'board' "
        "for the board API."
    )
    with pytest.raises(ConfigurationError) as keyed_without_account:
        TwoWays({"board": "acme"}, {"api_key": "key-Zr8"})
    message = keyed_without_account.value.message
    assert message == (
        "the account API needs the setting 'account' (it is chosen by the credential 'api_key')"
    )
    assert "key-Zr8" not in str(keyed_without_account.value)


async def _load(connector: Any, job_id: str) -> Job:
    raise AssertionError("never called")


def _declare(**way: Any) -> type[Connector]:
    fields: dict[str, Any] = {"job": Request("/jobs/{job_id}"), "mapper": _fields} | way
    fields.setdefault("origin", "https://x.example")
    attributes = {"mode": "broken", "ways_in": (WayIn("x", **fields),)}
    return types.new_class(
        "Broken", (Connector[TwoSettings, TwoCredentials],), {}, lambda ns: ns.update(attributes)
    )


@pytest.mark.parametrize(
    ("way", "complaint"),
    [
        ({"job": Request("/boards/{bord}/jobs/{job_id}")}, "settings that do not exist"),
        ({"origin": "https://{subdomain}.x.example"}, "settings that do not exist"),
        ({"auth": basic("token")}, "credentials that do not exist"),
        ({"mapper": None}, "either job and mapper, or load"),
        ({"job": None}, "either job and mapper, or load"),
        ({"load": _load}, "either job and mapper, or load"),
        ({"errors": {"4xx": ErrorRule(JobNotFound, "x", read=lambda s, b: None)}}, "one status"),
    ],
)
def test_a_declaration_mistake_fails_when_the_class_is_made(
    way: dict[str, Any], complaint: str
) -> None:
    with pytest.raises(TypeError, match=complaint):
        _declare(**way)


def test_the_ways_in_must_be_told_apart() -> None:
    way = WayIn("a", origin="https://a.example", job=Request("/{job_id}"), mapper=_fields)
    public_too = WayIn("b", origin="https://b.example", load=_load)
    with pytest.raises(TypeError, match="only one way in may need no credentials"):
        type("Twice", (TwoWays,), {"ways_in": (way, public_too)})
    same_name = WayIn("a", origin="https://b.example", auth=bearer("api_key"), load=_load)
    with pytest.raises(TypeError, match="distinct names"):
        type("Same", (TwoWays,), {"ways_in": (way, same_name)})


async def test_a_way_in_may_take_fewer_ids_than_the_connector() -> None:
    http, seen = answering(200, {"id": "1234567", "title": "t"})
    with pytest.raises(InvalidJobId):
        await public(http).fetch_job("1234567")  # a valid NUMERIC_ID, too long for the board
    assert seen == []


async def test_a_job_is_built_from_the_declared_request() -> None:
    http, seen = answering(200, {"job": {"id": "7", "title": "Engineer"}})
    job = await keyed(http).fetch_job("7")
    assert (job.title, job.external_id) == ("Engineer", "7")
    assert [str(request.url) for request in seen] == ["https://api.example/a/a1/jobs/7"]
    assert seen[0].headers["authorization"] == "Bearer key-Zr8"
    assert job.raw == {"/a/a1/jobs/7": {"job": {"id": "7", "title": "Engineer"}}}


@pytest.mark.parametrize(
    ("status", "error", "message", "hint"),
    [
        (403, PermissionDenied, "refused access (HTTP 403)", "Give the key the jobs:read scope."),
        (409, RequestRejected, "refused account 'a1' (HTTP 409)", RequestRejected.hint),
        (401, AuthenticationFailed, "rejected the credentials (HTTP 401)", None),
    ],
)
async def test_a_connector_overrides_the_table_one_entry_at_a_time(
    status: int, error: type[UpstreamError], message: str, hint: str | None
) -> None:
    http, _ = answering(status, {"error": ATS_TEXT})
    with pytest.raises(error) as caught:
        await keyed(http).fetch_job("7")
    assert (caught.value.message, caught.value.hint) == (message, hint or error.hint)
    assert (caught.value.connector, caught.value.job_id) == ("two_ways", "7")
    assert caught.value.status_code == status


def test_a_hint_alone_keeps_the_error_and_the_message() -> None:
    merged = merge_rules({404: "Check the board.", "4xx": "Check the request."})
    assert merged[404] == DEFAULT_ERRORS[404].with_hint("Check the board.")
    assert merged["4xx"].error is RequestRejected
    assert merged[401] == DEFAULT_ERRORS[401]


async def test_errors_raised_in_a_connectors_words_get_connector_job_and_answer() -> None:
    http, _ = answering(200, {"error": ATS_TEXT})
    with pytest.raises(PayloadError) as caught:
        await keyed(http).fetch_job("7")
    error = caught.value
    assert error.message == "answered without a job"
    assert (error.connector, error.job_id, error.status_code) == ("two_ways", "7", 200)
    assert str(error).startswith("two_ways job '7': answered without a job.")


async def test_another_job_answered_is_refused_without_its_id() -> None:
    http, _ = answering(200, {"job": {"id": f"8{ATS_TEXT}", "title": "Other"}})
    with pytest.raises(PayloadError, match="answered another job when asked for this one") as e:
        await keyed(http).fetch_job("7")
    assert ATS_TEXT not in str(e.value)


@pytest.mark.parametrize(
    ("job", "where"),
    [
        ({"url": f"javascript:{ATS_TEXT}"}, "(posting_url: value_error)"),
        ({"x": {ATS_TEXT: [1]}}, "(custom_fields.?: invalid-json-value)"),
    ],
)
async def test_a_job_the_model_refuses_is_named_by_field_never_by_value(
    job: dict[str, Any], where: str
) -> None:
    """The ATS wrote the value (and a custom field's name): neither goes in the message."""
    http, _ = answering(200, {"id": "7", "title": "Engineer", **job})
    with pytest.raises(PayloadError) as caught:
        await public(http).fetch_job("7")
    assert caught.value.message == f"answered a job that does not fit the Job model {where}"
    assert ATS_TEXT not in str(caught.value)


async def test_a_normaliser_failure_logs_where_not_what(caplog: pytest.LogCaptureFixture) -> None:
    broken = type(
        "BrokenMapping",
        (TwoWays,),
        {"ways_in": (WayIn("board API", origin="https://{board}.boards.example",
                           job=Request("/jobs/{job_id}"), mapper=_broken),)},
    )  # fmt: skip
    http, _ = answering(200, {"title": f"{ATS_TEXT} Engineer"})
    caplog.set_level(logging.DEBUG, logger="embloy_ats")
    with pytest.raises(PayloadError, match=r"cannot read \(ValueError\)") as caught:
        await broken({"board": "acme"}, http=http).fetch_job("7")
    assert ATS_TEXT not in str(caught.value)
    (record,) = [r for r in caplog.records if "normaliser failure" in r.getMessage()]
    assert "test_contract.py" in record.getMessage()
    assert "_broken" in record.getMessage()
    assert ATS_TEXT not in record.getMessage()
    assert record.exc_info is None


async def test_verify_sends_the_declared_request_and_says_what_it_checked() -> None:
    http, seen = answering(200, [])
    checked = await public(http).verify()
    assert checked == (
        "board API: GET https://acme.boards.example/jobs?limit=1 answered (board='acme')"
    )
    assert [str(request.url) for request in seen] == ["https://acme.boards.example/jobs?limit=1"]
    http, _ = answering(404, {})
    with pytest.raises(ConfigurationError, match=r"has no board 'acme' \(HTTP 404\)") as caught:
        await public(http).verify()
    assert caught.value.job_id is None


async def test_a_way_in_without_a_verify_request_cannot_verify() -> None:
    http, seen = answering(200, {})
    with pytest.raises(VerifyUnsupported):
        await keyed(http).verify()
    assert seen == []


async def test_pages_follow_the_link_cursor_on_our_own_host_and_stop_at_a_loop() -> None:
    links = {
        None: '<https://evil.example/jobs?cursor=c1&token=x>; rel="next"',
        "c1": '<https://api.example/jobs?cursor=c2>; rel="next", <https://api.example/x>; rel=last',
        "c2": '<https://api.example/jobs?cursor=c1>; rel="next"',  # back to a page seen
    }
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        link = links[request.url.params.get("cursor")]
        return httpx.Response(200, json=[], headers={"Link": link})

    connector = keyed(HttpClient(transport=httpx.MockTransport(handle)))
    pages = connector.pages(
        "/jobs", job_id=None, params={"ids": "1,2"}, following=link_cursor("cursor"), max_pages=9
    )
    assert len([page async for page in pages]) == 3
    assert [str(r.url) for r in seen] == [
        "https://api.example/jobs?ids=1%2C2",
        "https://api.example/jobs?cursor=c1",
        "https://api.example/jobs?cursor=c2",
    ]
    seen.clear()
    capped = connector.pages(
        "/jobs", job_id=None, params={"ids": "1"}, following=link_cursor("cursor"), max_pages=2
    )
    assert len([page async for page in capped]) == 2


def test_describe_lists_the_ways_in() -> None:
    described = TwoWays.describe()
    assert described["auth"] == ["none", "bearer"]
    assert described["default_base_url"] == "https://{board}.boards.example"
    assert [(w["name"], w["credentials"], w["verify"]) for w in described["ways_in"]] == [
        ("board API", [], True),
        ("account API", ["api_key"], False),
    ]
    assert described["ways_in"][0]["rate_limit"] == "5 requests / 1 s"


# -- errors: our words only -----------------------------------------------------------------------


def test_an_upstream_code_is_kept_only_when_it_is_a_plain_identifier() -> None:
    kept = UpstreamError("failed", upstream_code="job_posting_not_found")
    assert kept.upstream_code == "job_posting_not_found"
    assert "job_posting_not_found" not in str(kept)
    assert "job_posting_not_found" in repr(kept)
    for text in (f"{ATS_TEXT} has left the company", "a" * 65, "", "<b>x</b>"):
        assert UpstreamError("failed", upstream_code=text).upstream_code is None


def test_locate_fills_only_what_is_missing() -> None:
    error = JobNotFound("has no such job").locate("two_ways", "7")
    assert (error.connector, error.job_id) == ("two_ways", "7")
    assert error.args == (str(error),)
    named = JobNotFound("x", connector="other", job_id="1").locate("two_ways", "7")
    assert (named.connector, named.job_id) == ("other", "1")


def test_fill_reads_each_value_once() -> None:
    assert fill("{a!r} at {b} in {status}", {"a": "{b}", "b": "x"}) == "'{b}' at x in {status}"


# -- the contract as connectors use it -------------------------------------------------------


def _imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
    return found


@pytest.mark.parametrize(
    "path", sorted(ROOT.glob("connectors/*/src/*/*.py")), ids=lambda path: path.name
)
def test_connectors_import_the_core_through_the_contract_only(path: Path) -> None:
    core = [m for m in _imports(path) if m == "embloy_ats" or m.startswith("embloy_ats.")]
    assert set(core) <= {"embloy_ats.contract"}, f"{path}: {core}"


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


@pytest.mark.parametrize(
    "package", sorted(ROOT.glob("connectors/*/src/*/")), ids=lambda path: path.name
)
def test_connectors_read_no_private_name_of_the_core(package: Path) -> None:
    """A connector uses the contract's public names: a private one of the base class
    (`self._http`) or of a core module is the core's to change. Its own are its own."""
    trees = [ast.parse(path.read_text(encoding="utf-8")) for path in package.glob("*.py")]
    nodes = [node for tree in trees for node in ast.walk(tree)]
    own = {
        name
        for node in nodes
        for name in (
            [node.name] if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            else [node.id] if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
            else [node.attr] if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)
            else [node.arg] if isinstance(node, ast.arg)
            else []
        )
    }  # fmt: skip
    read = {node.attr for node in nodes if isinstance(node, ast.Attribute)}
    imported = {
        alias.name for node in nodes if isinstance(node, ast.ImportFrom) for alias in node.names
    }
    borrowed = {name for name in read | imported if _is_private(name)} - own
    assert not borrowed, f"{package.name} uses the core's private {sorted(borrowed)}"


def test_every_way_in_of_every_connector_has_a_conformance_class() -> None:
    registry = Registry.discover()
    covered: dict[str, set[str]] = {}
    for path in sorted((ROOT / "tests" / "connectors").glob("test_*.py")):
        module = importlib.import_module(f"tests.connectors.{path.stem}")
        for value in vars(module).values():
            adopted = isinstance(value, type) and issubclass(value, ConnectorConformance)
            if adopted and value is not ConnectorConformance and value.way_in is not None:
                covered.setdefault(value.mode, set()).add(value.way_in)
    for mode in registry.modes():
        connector = registry.get(mode).connector
        declared = {way.name for way in connector.ways_in}
        assert declared == covered.get(mode, set()), f"{mode}: ways in without conformance"


async def test_a_body_decoder_runs_off_the_event_loop() -> None:
    """A `decode` hook parses what the ATS sent (an XML feed of megabytes): on the loop's
    thread it would stall every other request of the service while it works."""
    http, _ = answering(200, b"<feed/>")
    ran_in: list[int] = []

    def decode(body: bytes) -> JsonValue:
        ran_in.append(threading.get_ident())
        return {"body": body.decode()}

    fetched = await keyed(http).request_json("GET", "/feed", job_id="7", decode=decode)
    assert fetched.data == {"body": "<feed/>"}
    (thread,) = ran_in
    assert thread != threading.get_ident()
