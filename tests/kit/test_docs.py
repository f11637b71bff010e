"""The documentation: generated pages that follow the code, and a strict MkDocs build."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from enum import Enum
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest
from embloy_ats import model
from embloy_ats.kit import docgen
from embloy_ats.kit.docgen import job_model_reference, supported_ats_matrix, undocumented_fields
from embloy_ats.registry import ENTRY_POINT_GROUP

from tests.kit import loopback

ROOT = Path(__file__).resolve().parents[2]
MODELS = (model.Job, model.Location, model.Compensation, model.Question, model.QuestionOption)


def test_the_job_reference_shows_every_field_type_and_enum_value() -> None:
    page = job_model_reference()
    for cls in MODELS:
        assert f"## {cls.__name__}\n" in page
        for name in cls.model_fields:
            assert f"| `{name}` |" in page, f"{cls.__name__}.{name}"
    enums = [v for v in vars(model).values() if isinstance(v, type) and issubclass(v, Enum)]
    for enum in enums:
        if enum.__module__ == model.__name__ and not enum.__name__.startswith("_"):
            assert f"### {enum.__name__}\n" in page
            for member in enum:
                assert f"`{member.value}`" in page
    assert "| `title` | string (at least 1 long) | required |" in page
    assert "| `locations` | list of [Location](#location) | `[]` |" in page
    assert "| `currency` | string or null | null | ISO 4217 |" in page
    assert "anything else becomes `unknown`" in page  # the fallback of JobStatus and others


def test_every_field_has_a_description() -> None:
    assert undocumented_fields() == []


def test_a_note_for_a_field_that_is_gone_fails_the_build(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(docgen.FIELD_NOTES, "Job.salary", "renamed long ago")
    with pytest.raises(ValueError, match=r"Job\.salary"):
        job_model_reference()


def test_the_json_schema_is_the_models() -> None:
    assert json.loads(docgen.job_json_schema()) == model.Job.model_json_schema()


def test_the_matrix_comes_from_what_connectors_say() -> None:
    page = supported_ats_matrix(loopback.registry(), documented=["kit_oauth"])
    assert (
        "| `kit_bearer` | [Loopback (bearer key)](#kit_bearer) | `bearer` | no | no | no "
        "| 100 / 1 s |" in page
    )
    assert "| [`kit_oauth`](connectors/kit_oauth.md) |" in page
    assert "`oauth2_client_credentials`" in page
    assert "    - `client_secret`" in page


def test_the_matrix_says_which_connectors_submit_applications() -> None:
    from benchmarks.apply_ats import MODE, registry_with_apply_ats

    page = supported_ats_matrix(registry_with_apply_ats(loopback.registry()))
    (row,) = [line for line in page.splitlines() if line.startswith(f"| `{MODE}` |")]
    assert row.split(" | ")[5] == "yes", row


def test_connectors_that_do_not_load_are_named() -> None:
    registry = loopback.registry()
    broken = EntryPoint("kit_broken", "tests.kit.loopback:Nothing", ENTRY_POINT_GROUP)
    registry.entry_points["kit_broken"] = [broken]
    page = supported_ats_matrix(registry)
    assert "Registered but not loadable" in page
    assert "`kit_broken`" in page


def test_the_installed_connectors_are_in_the_matrix() -> None:
    assert "| [`greenhouse`](connectors/greenhouse.md) |" in supported_ats_matrix(
        documented=["greenhouse"]
    )


def test_getting_started_has_the_two_readme_commands() -> None:
    page = (ROOT / "docs" / "getting-started.md").read_text(encoding="utf-8")
    assert "uv run embloy-ats demo" in page
    assert "uv run pytest" in page


def test_the_docs_build_in_strict_mode(tmp_path: Path) -> None:
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    built = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
         "--config-file", str(ROOT / "mkdocs.yml"), "--site-dir", str(site)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout + built.stderr
    reference = (site / "reference" / "job-model" / "index.html").read_text(encoding="utf-8")
    assert "applicant_location_requirements" in reference
    assert (site / "reference" / "job.schema.json").is_file()
    matrix = (site / "supported-ats" / "index.html").read_text(encoding="utf-8")
    assert "greenhouse" in matrix
    for page in sorted((ROOT / "docs" / "connectors").glob("*.md")):
        built_page = site / "connectors" / page.stem / "index.html"
        assert built_page.is_file(), page.name
        assert f'href="../connectors/{page.stem}/"' in matrix, f"{page.name} is not in the nav"
    for written in ("getting-started", "partner-guide", "write-a-connector", "recording",
                    "errors", "architecture"):  # fmt: skip
        assert (site / written / "index.html").is_file(), written
