"""The workspace finds its connectors by glob; the one list kept is import-linter's.

uv installs every member `connectors/*` matches and mypy checks `connectors/*/src`, so the
root names no connector for them. import-linter cannot glob its root packages: the list
lives in the root pyproject, `embloy-ats new` adds to it, and this test says what is
missing when a connector was added by hand.
"""

from __future__ import annotations

import tomllib
from typing import Any

from embloy_ats.kit.scaffold import CONNECTORS_CONTRACT

from tests.conftest import ROOT

PYPROJECT: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
ON_DISK = sorted(init.parent.name for init in ROOT.glob("connectors/*/src/*/__init__.py"))


def test_every_connector_is_a_root_package_of_the_import_contracts() -> None:
    assert len(ON_DISK) >= 6
    linter = PYPROJECT["tool"]["importlinter"]
    missing = sorted(set(ON_DISK) - set(linter["root_packages"]))
    assert not missing, f"add {missing} to [tool.importlinter] root_packages"
    assert linter["root_packages"] == ["embloy_ats", *ON_DISK]
    (apart,) = [c for c in linter["contracts"] if c.get("id") == CONNECTORS_CONTRACT]
    assert apart["protected_modules"] == ON_DISK, f"the {CONNECTORS_CONTRACT} contract"


def test_the_root_lists_no_connector_for_uv_or_mypy() -> None:
    assert "project" not in PYPROJECT, "a virtual root installs every member"
    assert PYPROJECT["tool"]["uv"]["workspace"]["members"] == ["core", "connectors/*"]
    assert PYPROJECT["tool"]["uv"]["sources"] == {"embloy-ats": {"workspace": True}}
    named = str(PYPROJECT["dependency-groups"]) + str(PYPROJECT["tool"]["mypy"])
    assert "embloy-ats-" not in named
    assert "embloy_ats_" not in named
    assert PYPROJECT["tool"]["mypy"]["strict"] is True
    assert "connectors/*/src" in PYPROJECT["tool"]["mypy"]["files"]
