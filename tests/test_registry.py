"""Connector discovery: lazy, tolerant of broken plugins, strict about duplicate modes."""

from __future__ import annotations

import re
from importlib.metadata import EntryPoint

import embloy_ats
import pytest
from embloy_ats import ConfigurationError, Registry
from embloy_ats.registry import ENTRY_POINT_GROUP
from embloy_ats_greenhouse import GreenhouseConnector

from tests.conftest import ROOT


def ep(name: str, value: str) -> EntryPoint:
    return EntryPoint(name=name, value=value, group=ENTRY_POINT_GROUP)


def test_greenhouse_is_discovered_through_its_entry_point() -> None:
    info = Registry.discover().get("greenhouse")
    assert info.connector is GreenhouseConnector
    assert info.distribution == "embloy-ats-greenhouse"
    assert info.version == "0.1.0"


def test_discovery_imports_nothing_until_asked() -> None:
    registry = Registry({"broken": [ep("broken", "no_such_module_xyz:Connector")]})
    assert registry.modes() == ["broken"]
    assert registry.failures == {}


def test_a_broken_connector_is_reported_and_skipped() -> None:
    good = Registry.discover().entry_points["greenhouse"]
    registry = Registry(
        {"broken": [ep("broken", "no_such_module_xyz:Connector")], "greenhouse": good}
    )
    available = registry.available()
    assert [info.mode for info in available] == ["greenhouse"]
    assert "ModuleNotFoundError" in registry.failures["broken"]
    with pytest.raises(ConfigurationError, match="failed to import"):
        registry.get("broken")


def test_an_entry_point_that_is_not_a_connector_is_refused() -> None:
    registry = Registry({"json": [ep("json", "json:dumps")]})
    with pytest.raises(ConfigurationError, match="does not name a Connector"):
        registry.get("json")


def test_entry_point_name_must_equal_the_mode() -> None:
    value = "embloy_ats_greenhouse:GreenhouseConnector"
    registry = Registry({"lever": [ep("lever", value)]})
    with pytest.raises(ConfigurationError, match="whose mode is 'greenhouse'"):
        registry.get("lever")


def test_two_packages_claiming_one_mode_is_a_clear_error() -> None:
    value = "embloy_ats_greenhouse:GreenhouseConnector"
    registry = Registry({"greenhouse": [ep("greenhouse", value), ep("greenhouse", value)]})
    with pytest.raises(ConfigurationError, match="more than one package"):
        registry.get("greenhouse")


def test_unknown_mode_lists_what_is_installed() -> None:
    with pytest.raises(ConfigurationError, match=r"installed: .*greenhouse"):
        Registry.discover().get("nope")


def test_the_error_reference_matches_the_exit_codes() -> None:
    table = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    documented = dict(re.findall(r"^\| `(\w+)` \| (\d) \|", table, re.MULTILINE))
    public = {name: getattr(embloy_ats, name) for name in embloy_ats.__all__}
    errors = {
        name: cls
        for name, cls in public.items()
        if isinstance(cls, type) and issubclass(cls, embloy_ats.EmbloyAtsError)
    }
    concrete = {name for name in errors if name not in ("EmbloyAtsError", "UpstreamError")}
    assert set(documented) == concrete
    for name in concrete:
        assert int(documented[name]) == errors[name].exit_code, name
