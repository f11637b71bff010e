"""The `embloy-ats` command: listing, fetching from a real local server, clear failures."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from embloy_ats.cli import app
from embloy_ats.terminal import env_values
from typer.testing import CliRunner

from tests.conftest import CASSETTES, ROOT, loopback_server, payload

runner = CliRunner()
GONG = payload("greenhouse/found_gongio_4679941006.yaml")


class _Handler(BaseHTTPRequestHandler):
    seen: list[str] = []

    def do_GET(self) -> None:
        self.seen.append(self.path)
        if self.path.startswith("/v1/boards/gongio/jobs/4679941006?"):
            status, body = 200, GONG
        else:
            status, body = 404, b"{}"
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_ats(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A real HTTP server on loopback that serves a real Greenhouse answer."""
    monkeypatch.setenv("EMBLOY_ATS_ALLOW_PRIVATE_NETWORK", "1")
    with loopback_server(_Handler) as url:
        yield url


def test_connectors_lists_greenhouse_from_its_entry_point() -> None:
    result = runner.invoke(app, ["connectors", "--json"])
    assert result.exit_code == 0
    listed = json.loads(result.stdout)
    (gh,) = [c for c in listed["connectors"] if c["mode"] == "greenhouse"]
    assert gh["distribution"] == "embloy-ats-greenhouse"
    assert gh["auth"] == ["none", "oauth2_client_credentials"]
    assert [s["name"] for s in gh["settings"]] == ["base_url", "board_token", "user_id"]
    assert [c["name"] for c in gh["credentials"]] == [
        "client_id", "client_secret", "job_board_api_key",
    ]  # fmt: skip
    assert gh["submit_credentials"] == ["job_board_api_key"]
    assert all(c["secret"] for c in gh["credentials"])
    assert {c["mode"] for c in listed["connectors"]} >= {
        "ashby", "greenhouse", "lever", "recruitee", "teamtailor", "workable", "softgarden",
    }  # fmt: skip
    assert gh["job_id_pattern"] == "[1-9][0-9]{0,19}"
    assert gh["questions"] is True
    submitting = {c["mode"] for c in listed["connectors"] if c["submits"]}
    assert submitting >= {
        "ashby",
        "greenhouse",
        "lever",
        "personio",
        "teamtailor",
        "workable",
        "recruitee",
    }
    assert all(isinstance(c["submits"], bool) for c in listed["connectors"])


def test_fetch_prints_a_correct_job_from_a_server_serving_a_real_payload(local_ats: str) -> None:
    result = runner.invoke(
        app,
        ["fetch", "greenhouse", "4679941006", "--setting", "board_token=gongio",
         "--setting", f"base_url={local_ats}", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    job = json.loads(result.stdout)
    assert job["slug"] == "greenhouse__4679941006"
    assert job["title"] == "Commercial Revenue Architect"
    assert job["company"] == "Gong.io"
    assert job["department"] == "Customer Success"
    assert len(job["locations"]) == 5


def test_fetch_pretty_output(local_ats: str) -> None:
    result = runner.invoke(
        app,
        ["fetch", "greenhouse", "4679941006", "-s", "board_token=gongio", "-s",
         f"base_url={local_ats}"],
    )  # fmt: skip
    assert result.exit_code == 0
    assert "Commercial Revenue Architect" in result.stdout
    assert "Customer Success" in result.stdout


def test_settings_come_from_the_environment(
    local_ats: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EMBLOY_ATS_GREENHOUSE_BOARD_TOKEN", "gongio")
    monkeypatch.setenv("EMBLOY_ATS_GREENHOUSE_BASE_URL", local_ats)
    result = runner.invoke(app, ["fetch", "greenhouse", "4679941006", "--json"])
    assert result.exit_code == 0, result.stderr
    assert env_values("lever", ["api_key"], {"EMBLOY_ATS_LEVER_API_KEY": "k"}) == {"api_key": "k"}


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["fetch", "greenhouse", "../1", "-s", "board_token=gongio"], 2, "not a valid job id"),
        (["fetch", "greenhouse", "1", "-s", "board_token=a/b"], 2, "board_token"),
        (["fetch", "greenhouse", "1"], 2, "board_token"),
        (["fetch", "greenhouse", "1", "-s", "board_token"], 2, "NAME=VALUE"),
        (["fetch", "nope", "1"], 2, "no connector is installed"),
        (["fetch", "greenhouse", "5", "-s", "board_token=gongio"], 3, "has no such job"),
    ],
)
def test_failures_print_one_line_and_a_distinct_exit_code(
    local_ats: str, args: list[str], code: int, message: str
) -> None:
    result = runner.invoke(app, [*args, "-s", f"base_url={local_ats}"])
    assert result.exit_code == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) == 1


def test_unreachable_upstream_exits_6(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMBLOY_ATS_ALLOW_PRIVATE_NETWORK", "1")
    result = runner.invoke(
        app,
        ["fetch", "greenhouse", "1", "-s", "board_token=a", "-s", "base_url=http://127.0.0.1:9"],
    )
    assert result.exit_code == 6
    assert "could not be reached" in result.stderr


def test_fetch_replays_cassettes_offline() -> None:
    cassette = CASSETTES / "greenhouse" / "found_docs_example_44444.yaml"
    result = runner.invoke(
        app, ["fetch", "greenhouse", "44444", "-s", "board_token=acme", "--replay", str(cassette),
              "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    types = {q["id"]: q["type"] for q in json.loads(result.stdout)["questions"]}
    assert types["question_2222"] == "yes_no"


def test_an_error_line_holding_markup_is_printed_as_text(local_ats: str) -> None:
    """What the user typed comes back in the error line; rich must not read it as markup."""
    result = runner.invoke(app, ["fetch", "greenhouse", "1", "-s", "[/x]", "-s", "[bold]"])
    assert result.exit_code == 2, result.stdout
    assert "--setting expects NAME=VALUE, got '[/x]'" in result.stderr


def test_ats_text_holding_markup_is_printed_as_text(tmp_path: Path) -> None:
    """Titles and question labels are the ATS's text: printed as they are, never interpreted
    as rich markup (which also crashed the command on an unmatched closing tag)."""
    cassette = tmp_path / "found.yaml"
    recorded = (CASSETTES / "greenhouse" / "found_docs_example_44444.yaml").read_text()
    recorded = recorded.replace("Product Engineer", "Engineer [/x] [bold]now")
    cassette.write_text(recorded.replace("Do you like apples?", "Apples [/a]?"))
    result = runner.invoke(
        app,
        ["fetch", "greenhouse", "44444", "-s", "board_token=acme", "--replay", str(cassette)],
        terminal_width=200,
    )
    assert result.exit_code == 0, result.stderr
    assert "Engineer [/x] [bold]now" in result.stdout
    assert "Apples [/a]?" in result.stdout


#: what `fetch` never needs: the service, the stores, keys and tokens, the other connectors.
NOT_FOR_FETCH = (
    "cryptography", "fastapi", "jwt", "psycopg", "psycopg_pool", "python_multipart",
    "starlette", "uvicorn", "embloy_ats.applications", "embloy_ats.crypto",
    "embloy_ats.kit", "embloy_ats.resolver", "embloy_ats.service", "embloy_ats.store",
)  # fmt: skip
#: runs the command with the arguments given, then prints the modules it loaded on stderr.
LOADED = """
import json, sys
from embloy_ats.__main__ import main
try:
    main()
finally:
    print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def loaded_by(*args: str) -> tuple[str, set[str]]:
    """What `embloy-ats ARGS` printed, and the modules it loaded, in a process of its own."""
    done = subprocess.run(  # noqa: S603 - our own interpreter, the test's arguments
        [sys.executable, "-c", LOADED, *args],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout, set(json.loads(done.stderr.splitlines()[-1]))


def unneeded(loaded: set[str], names: tuple[str, ...]) -> list[str]:
    return [m for m in sorted(loaded) for x in names if m == x or m.startswith(x + ".")]


#: what one fetch in a process of its own does without: the network engine (httpx's own
#: pool, httpcore, costs less to load than aiohttp saves on one request).
NOT_FOR_ONE_FETCH = (*NOT_FOR_FETCH, "aiohttp", "embloy_ats.engine")


def test_fetch_loads_only_what_fetching_needs(local_ats: str) -> None:
    """`fetch` starts as fast as a command can: every other command's modules, every other
    connector and the network engine stay unloaded."""
    printed, loaded = loaded_by(
        "fetch", "greenhouse", "4679941006", "-s", "board_token=gongio",
        "-s", f"base_url={local_ats}", "--json",
    )  # fmt: skip
    assert json.loads(printed)["title"] == "Commercial Revenue Architect"
    assert unneeded(loaded, NOT_FOR_ONE_FETCH) == []
    connectors = {m.partition(".")[0] for m in loaded if m.startswith("embloy_ats_")}
    assert connectors == {"embloy_ats_greenhouse"}


def test_listing_connectors_loads_no_network_engine() -> None:
    """Describing connectors sends nothing: the engine beneath the HTTP core stays unloaded."""
    printed, loaded = loaded_by("connectors", "--json")
    assert "greenhouse" in {c["mode"] for c in json.loads(printed)["connectors"]}
    assert unneeded(loaded, (*NOT_FOR_ONE_FETCH, "httpcore")) == []


def test_help_lists_every_command_in_order() -> None:
    result = runner.invoke(app, ["--help"], terminal_width=200)
    assert result.exit_code == 0
    commands = result.stdout.split("─ Commands ─", 1)[1].splitlines()
    listed = [line.split()[1] for line in commands if line.startswith("│ ") and line[2] != " "]
    assert listed == [
        "connectors", "fetch", "resolve", "serve", "demo", "worker", "new", "doctor", "record",
        "tenants", "connections", "jobs", "keys", "tokens", "applications", "cassettes",
    ]  # fmt: skip


def test_a_mistyped_command_is_told_the_nearest_one() -> None:
    result = runner.invoke(app, ["serv"])
    assert result.exit_code == 2
    assert "Did you mean 'serve'?" in result.stderr


def test_a_resolver_opened_and_a_delivery_client_have_their_network_engine_ready() -> None:
    """The service and the worker run long: the engine is imported as they start, not by
    the first candidate's apply or by a send booked for its turn."""
    script = (
        "import asyncio, sys\n"
        "from embloy_ats.applications import delivery_http_client\n"
        "from embloy_ats.resolver import Resolver\n"
        "from embloy_ats.store import store_for\n"
        "delivery_http_client()\n"
        "print('embloy_ats.engine' in sys.modules)\n"
        "sys.modules.pop('embloy_ats.engine')\n"
        "async def main():\n"
        "    resolver = Resolver(store_for('sqlite://:memory:'))\n"
        "    await resolver.open()\n"
        "    print('embloy_ats.engine' in sys.modules)\n"
        "    await resolver.close()\n"
        "asyncio.run(main())\n"
    )
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == ["True", "True"]
