"""A connector depends on the small `embloy-ats`; the service comes with an extra.

The install test builds a real environment holding only what `embloy-ats-greenhouse`
pulls in (from uv.lock, offline, from uv's cache) and runs a replayed fetch in it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib.metadata import packages_distributions, requires, version
from pathlib import Path

import embloy_ats
import pytest
from embloy_ats.__main__ import SERVICE_EXTRA_MODULES
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
CASSETTE = ROOT / "cassettes" / "greenhouse" / "found_docs_example_44444.yaml"

#: run inside the connector-only environment: the library works, the extra is absent.
_PROBE = f"""
import asyncio, importlib.util, json, sys
from pathlib import Path
from embloy_ats import HttpClient, Registry, to_embloy
from embloy_ats.replay import replay_transport

async def fetch():
    http = HttpClient(transport=replay_transport([Path({str(CASSETTE)!r})]))
    greenhouse = Registry.discover().get("greenhouse").connector
    connector = greenhouse({{"board_token": "acme"}}, http=http)
    try:
        return await connector.fetch_job("44444")
    finally:
        await http.aclose()

job = asyncio.run(fetch())
present = sorted(m for m in {sorted(SERVICE_EXTRA_MODULES)!r} if importlib.util.find_spec(m))
print(json.dumps({{"title": job.title, "slug": to_embloy(job)["job_slug"], "present": present}}))
"""


def _uv() -> str:
    found = os.environ.get("UV") or shutil.which("uv")
    if found is None:
        pytest.fail("uv is not on PATH (run the tests with `uv run pytest`)")
    return found


@pytest.fixture(scope="module")
def connector_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An environment with `embloy-ats-greenhouse` and what it depends on, nothing else."""
    env = tmp_path_factory.mktemp("connector-only") / "venv"
    subprocess.run(  # noqa: S603 - uv itself, fixed arguments
        [_uv(), "sync", "--package", "embloy-ats-greenhouse", "--no-default-groups",
         "--frozen", "--offline", "--quiet", "--python", sys.executable],
        cwd=ROOT,
        env={**os.environ, "UV_PROJECT_ENVIRONMENT": str(env)},
        check=True,
        timeout=120,
    )  # fmt: skip
    return env


def test_a_connector_runs_without_the_service_extra(connector_env: Path) -> None:
    probe = subprocess.run(  # noqa: S603 - the environment's interpreter, fixed arguments
        [connector_env / "bin" / "python", "-c", _PROBE],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert probe.returncode == 0, probe.stderr
    result = probe.stdout.strip().splitlines()[-1]
    assert result == '{"title": "Product Engineer", "slug": "greenhouse__44444", "present": []}'


def test_the_command_says_which_extra_it_needs(connector_env: Path) -> None:
    run = subprocess.run(  # noqa: S603 - the environment's command, fixed arguments
        [connector_env / "bin" / "embloy-ats", "connectors"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert "needs the `service` extra" in run.stderr
    assert "pip install 'embloy-ats[service]'" in run.stderr


def test_the_command_knows_every_module_of_the_service_extra() -> None:
    """What the launcher reports as 'install the extra' covers each package the extra
    lists, so a missing one is named rather than a traceback."""
    extra = [
        requirement
        for requirement in map(Requirement, requires("embloy-ats") or [])
        if requirement.marker is not None
        and requirement.marker.evaluate({"extra": "service"})
        and not requirement.marker.evaluate({"extra": ""})
    ]
    assert {r.name for r in extra} >= {"fastapi", "typer", "psycopg", "cryptography"}
    modules_of: dict[str, set[str]] = {}
    for module, distributions in packages_distributions().items():
        for distribution in distributions:
            modules_of.setdefault(distribution.lower().replace("_", "-"), set()).add(module)
    for requirement in extra:
        modules = {m for m in modules_of[requirement.name.lower()] if not m.startswith("_")}
        assert modules & SERVICE_EXTRA_MODULES, f"{requirement.name}: {modules}"


def test_the_version_comes_from_the_distribution() -> None:
    """One version, the distribution's: `embloy_ats.__version__` and the User-Agent
    (checked in test_http) read it from the installed metadata."""
    assert embloy_ats.__version__ == version("embloy-ats")


def test_the_package_names_load_on_first_use() -> None:
    """`import embloy_ats` loads none of its modules; each public name then comes from its
    own module, and `from embloy_ats import *` still gives every one of them."""
    probe = (
        "import json, sys, embloy_ats; "
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('embloy_ats.'))))"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"
    for name in embloy_ats.__all__:
        value = getattr(embloy_ats, name)
        assert sys.modules[value.__module__] is not None
        assert getattr(sys.modules[value.__module__], name) is value
    star: dict[str, object] = {}
    exec("from embloy_ats import *", star)  # noqa: S102 - a fixed statement
    assert set(star) - {"__builtins__"} == set(embloy_ats.__all__)
    assert "Job" in dir(embloy_ats)
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = embloy_ats.no_such_name  # type: ignore[attr-defined]
