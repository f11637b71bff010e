"""`embloy-ats new`: strict names, a careful pyproject edit, and a generated connector that
passes the conformance suite once its mapping is filled - and fails loudly until then."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from embloy_ats.cli import app
from embloy_ats.errors import ConfigurationError
from embloy_ats.kit.scaffold import CONNECTORS_CONTRACT, Names, add_to_workspace
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()
MODE = "acme_kit"
API = "https://api.acme-kit.example"
MAPPING = Path("connectors", MODE, "src", f"embloy_ats_{MODE}", "mapping.py")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A minimal workspace: the real root pyproject.toml and the test packages, nothing else."""
    ws = tmp_path / "ws"
    (ws / "tests" / "connectors").mkdir(parents=True)
    (ws / "tests" / "__init__.py").touch()
    (ws / "tests" / "connectors" / "__init__.py").touch()
    shutil.copy(ROOT / "pyproject.toml", ws / "pyproject.toml")
    return ws


def listing(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Acme", "not a valid connector name"),
        ("1acme", "not a valid connector name"),
        ("acme-hr", "not a valid connector name"),
        ("acme__hr", "not a valid connector name"),
        ("acme_", "not a valid connector name"),
        ("_acme", "not a valid connector name"),
        ("acme hr", "not a valid connector name"),
        ("acmé", "not a valid connector name"),
        ("../acme", "not a valid connector name"),
        ("a" * 25, "longer than 24"),
        ("class", "Python keyword"),
        ("match", "Python keyword"),
        ("greenhouse", "already installed"),
    ],
)
def test_names_are_checked_strictly_and_nothing_is_written(
    workspace: Path, name: str, message: str
) -> None:
    before = listing(workspace)
    result = runner.invoke(app, ["new", name, "--root", str(workspace)])
    assert result.exit_code == 2
    assert message in result.stderr
    assert listing(workspace) == before


def test_an_existing_folder_is_never_overwritten(workspace: Path) -> None:
    (workspace / "docs" / "connectors").mkdir(parents=True)
    (workspace / "docs" / "connectors" / f"{MODE}.md").write_text("mine\n")
    before = listing(workspace)
    result = runner.invoke(app, ["new", MODE, "--root", str(workspace)])
    assert result.exit_code == 2
    assert "already exists" in result.stderr
    assert listing(workspace) == before


def test_the_workspace_root_is_found_or_refused(tmp_path: Path) -> None:
    result = runner.invoke(app, ["new", MODE, "--root", str(tmp_path)])
    assert result.exit_code == 2
    assert "pyproject.toml" in result.stderr


ROOT_PYPROJECT = """\
[project]
name = "ws"
dependencies = [
    "embloy-ats[testing]",
    "embloy-ats-ashby",
    "embloy-ats-lever",
]

[tool.uv.workspace]
members = ["core", "connectors/*"]

[tool.uv.sources]
embloy-ats = { workspace = true }
embloy-ats-ashby = { workspace = true }
embloy-ats-lever = { workspace = true }

[tool.ruff]
line-length = 100
"""


BAMBOO = Names("bamboo", "Bamboo")


def test_a_project_root_gets_the_dependency_and_its_source() -> None:
    """A root that is a project itself installs only what it depends on."""
    text, added = add_to_workspace(ROOT_PYPROJECT, BAMBOO)
    document = tomllib.loads(text)
    assert document["project"]["dependencies"] == [
        "embloy-ats[testing]", "embloy-ats-ashby", "embloy-ats-bamboo", "embloy-ats-lever",
    ]  # fmt: skip
    assert document["tool"]["uv"]["sources"]["embloy-ats-bamboo"] == {"workspace": True}
    assert "embloy-ats-bamboo = { workspace = true }" in text
    assert document["tool"]["ruff"] == {"line-length": 100}
    assert added == ("[project] dependencies", "[tool.uv.sources]")
    # exactly two lines added, nothing else touched
    assert len(text.splitlines()) == len(ROOT_PYPROJECT.splitlines()) + 2
    last, _ = add_to_workspace(ROOT_PYPROJECT, Names("zoho", "Zoho"))
    assert tomllib.loads(last)["project"]["dependencies"][-1] == "embloy-ats-zoho"


def test_comments_and_one_line_arrays_are_kept() -> None:
    text = ROOT_PYPROJECT.replace('"embloy-ats-lever",\n', '"embloy-ats-lever",  # hr\n')
    edited, _ = add_to_workspace(text, BAMBOO)
    assert '"embloy-ats-lever",  # hr' in edited
    one_line = ROOT_PYPROJECT.replace(
        'dependencies = [\n    "embloy-ats[testing]",\n    "embloy-ats-ashby",\n'
        '    "embloy-ats-lever",\n]',
        'dependencies = ["embloy-ats[testing]"]',
    )
    edited, _ = add_to_workspace(one_line, BAMBOO)
    assert 'dependencies = ["embloy-ats[testing]", "embloy-ats-bamboo"]' in edited


def test_a_missing_sources_table_is_created() -> None:
    text = ROOT_PYPROJECT.split("[tool.uv.sources]")[0] + "[tool.ruff]\nline-length = 100\n"
    edited, _ = add_to_workspace(text, BAMBOO)
    document = tomllib.loads(edited)
    assert document["tool"]["uv"]["sources"] == {"embloy-ats-bamboo": {"workspace": True}}
    assert document["tool"]["ruff"] == {"line-length": 100}


def test_this_workspace_gets_only_the_import_contracts() -> None:
    """This repository's root is virtual: uv installs every member, so no dependency is
    added; import-linter's root packages and the contract keeping connectors apart are."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    edited, added = add_to_workspace(text, BAMBOO)
    assert added == (
        "[tool.importlinter] root_packages",
        f"the import-linter contract {CONNECTORS_CONTRACT!r}",
    )
    before, after = tomllib.loads(text), tomllib.loads(edited)
    assert "project" not in after
    assert after["tool"]["uv"] == before["tool"]["uv"]
    linter = after["tool"]["importlinter"]
    roots = linter["root_packages"]
    assert roots == sorted(roots)
    assert "embloy_ats_bamboo" in roots
    (apart,) = [c for c in linter["contracts"] if c.get("id") == CONNECTORS_CONTRACT]
    assert apart["protected_modules"] == sorted([*roots[1:]])
    assert len(edited.splitlines()) == len(text.splitlines()) + 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (ROOT_PYPROJECT.replace("ashby", "bamboo"), "already a dependency"),
        (ROOT_PYPROJECT.replace("[tool.uv.sources]\n", "[tool.uv.sources]\n"
                                "embloy-ats-bamboo = { path = 'x' }\n"), "already has an entry"),
        (ROOT_PYPROJECT.replace('dependencies = [', 'dependencies = "x"\nx = ['),
         "dependencies is not an array"),
        (ROOT_PYPROJECT + '[tool.importlinter]\nroot_packages = ["embloy_ats_bamboo"]\n',
         "already one of import-linter's root packages"),
        (ROOT_PYPROJECT + "[tool.importlinter]\nroot_packages = \"embloy_ats\"\n",
         "root_packages is not an array"),
        (ROOT_PYPROJECT + "[tool.ruff\n", "does not parse"),
    ],
)  # fmt: skip
def test_a_pyproject_it_cannot_edit_safely_is_refused(text: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        add_to_workspace(text, BAMBOO)


def cassette(uri: str, status: int, body: str) -> str:
    interaction = {
        "request": {
            "body": "",
            "headers": {"accept": ["application/json"]},
            "method": "GET",
            "uri": uri,
        },
        "response": {
            "body": {"string": body},
            "headers": {"content-type": ["application/json"]},
            "status": {"code": status, "message": "recorded"},
        },
    }
    return yaml.safe_dump({"interactions": [interaction], "version": 1})


def install(workspace: Path) -> dict[str, str]:
    """Build and install the generated distribution (editable) into a folder of its own,
    and return an environment whose Python sees it - and so its entry point - on sys.path."""
    uv = os.environ.get("UV") or shutil.which("uv")
    if uv is None:
        pytest.fail("uv is needed to install the generated connector")
    site = workspace / "site"
    # --no-sources: the minimal workspace has no core/ for `embloy-ats = { workspace = true }`
    # to point at; the package's own dependency is already installed in this environment.
    installed = subprocess.run(  # noqa: S603 - uv itself, fixed arguments
        [uv, "pip", "install", "--offline", "--no-deps", "--no-sources", "--quiet",
         "--python", sys.executable, "--target", str(site),
         "-e", str(workspace / "connectors" / MODE)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    (dist_info,) = site.glob(f"embloy_ats_{MODE}-*.dist-info")
    assert f"{MODE} = embloy_ats_{MODE}:AcmeKitConnector" in (
        dist_info / "entry_points.txt"
    ).read_text(encoding="utf-8")
    # An editable install is a .pth file naming the source folder; PYTHONPATH does not read
    # .pth files, so name both folders directly.
    paths = [str(site)] + [
        line.strip()
        for pth in site.glob("*.pth")
        for line in pth.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith(("#", "import"))
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EMBLOY_ATS_", "PYTEST"))}
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


def conformance(workspace: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-m", "pytest", f"tests/connectors/test_{MODE}.py", "-q",
         "-p", "no:cacheprovider"],
        cwd=workspace, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_a_generated_connector_passes_the_conformance_suite_once_filled(
    workspace: Path,
) -> None:
    result = runner.invoke(
        app, ["new", MODE, "--root", str(workspace), "--display-name", "Acme Kit",
              "--api-url", API],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "Next steps" in result.stdout
    assert "uv sync" in result.stdout
    for path in (
        f"connectors/{MODE}/pyproject.toml",
        f"connectors/{MODE}/src/embloy_ats_{MODE}/connector.py",
        f"tests/connectors/test_{MODE}.py",
        f"cassettes/{MODE}/PROVENANCE.md",
        f"docs/connectors/{MODE}.md",
    ):
        assert (workspace / path).is_file(), path
    root = tomllib.loads((workspace / "pyproject.toml").read_text(encoding="utf-8"))
    assert f"embloy_ats_{MODE}" in root["tool"]["importlinter"]["root_packages"]
    assert "pyproject.toml: added to [tool.importlinter] root_packages" in result.stdout

    # the generated code passes the project's own lint and format rules
    generated = [f"connectors/{MODE}", f"tests/connectors/test_{MODE}.py"]
    for args in (["check", *generated], ["format", "--check", *generated]):
        lint = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
            [sys.executable, "-m", "ruff", *args],
            cwd=workspace, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert lint.returncode == 0, lint.stdout + lint.stderr

    folder = workspace / "cassettes" / MODE
    body = '{"id": 1, "name": "Kit Engineer", "body": "<p>Build <script>x()</script>kits.</p>"}'
    (folder / "found_1.yaml").write_text(cassette(f"{API}/v1/jobs/1", 200, body))
    (folder / "not_found_999999999.yaml").write_text(
        cassette(f"{API}/v1/jobs/999999999", 404, '{"error": "not found"}')
    )
    (folder / "auth_failed_1.yaml").write_text(
        cassette(f"{API}/v1/jobs/1", 401, '{"error": "bad key"}')
    )
    env = install(workspace)

    unfilled = conformance(workspace, env)
    assert unfilled.returncode == 1, unfilled.stdout
    assert "the job mapping is not written yet" in unfilled.stdout
    assert f"connectors/{MODE}/src/embloy_ats_{MODE}/mapping.py" in unfilled.stdout
    # only the check that needs the mapping fails; the scaffold is otherwise conformant
    assert re.search(r"\b1 failed, \d+ passed\b", unfilled.stdout), unfilled.stdout
    assert "test_known_job_replays_to_a_valid_job" in unfilled.stdout

    mapping = workspace / MAPPING
    text = mapping.read_text(encoding="utf-8")
    filled = text.replace(
        "    raise ConfigurationError(UNFILLED, hint=HINT)\n",
        '    return {"title": payload.get("name"), "description_html": payload.get("body")}\n',
    )
    assert filled != text
    mapping.write_text(filled, encoding="utf-8")

    passing = conformance(workspace, env)
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert re.search(r"\b\d+ passed\b", passing.stdout)
    assert "failed" not in passing.stdout
