"""Run the atheris harness for a few seconds, seeded with the recorded payloads."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fuzz.ways import write_seed_corpus

ROOT = Path(__file__).resolve().parents[2]
SECONDS = int(os.environ.get("EMBLOY_ATS_ATHERIS_SECONDS", "10"))


@pytest.mark.skipif(
    importlib.util.find_spec("atheris") is None,
    reason="atheris is not installed in this environment (add it to the dev dependency "
    "group to run the coverage-guided harness; the hypothesis payload tests still run)",
)
def test_the_atheris_harness_finds_no_crash(tmp_path: Path) -> None:
    corpus, artifacts = tmp_path / "corpus", tmp_path / "artifacts"
    write_seed_corpus(corpus)
    artifacts.mkdir()
    run = subprocess.run(  # noqa: S603 - our own harness, fixed arguments
        [
            sys.executable, "-m", "tests.fuzz.atheris_harness",
            f"-max_total_time={SECONDS}", "-rss_limit_mb=2048", "-timeout=20",
            f"-artifact_prefix={artifacts}/", str(corpus),
        ],
        cwd=ROOT,
        env=os.environ | {"PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path[1:]])},
        capture_output=True,
        text=True,
        timeout=SECONDS + 120,
        check=False,
    )  # fmt: skip
    crashes = sorted(path.name for path in artifacts.iterdir())
    assert run.returncode == 0, f"{crashes}\n{run.stderr[-4000:]}"
    assert "Done" in run.stderr, run.stderr[-2000:]
    assert crashes == []
