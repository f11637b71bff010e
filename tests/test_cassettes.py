"""No cassette may hold a secret, and each connector's cassettes say where they came from."""

from __future__ import annotations

from pathlib import Path

import pytest
from embloy_ats.redaction import TOKEN_LIKE, find_secrets
from embloy_ats.testing.cassette_scan import scan_file

from tests.conftest import CASSETTES

CASSETTE_FILES = sorted(CASSETTES.glob("*/*.yaml"))


def test_there_are_cassettes() -> None:
    assert CASSETTE_FILES


@pytest.mark.parametrize("path", CASSETTE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_cassette_holds_no_secret(path: Path) -> None:
    assert scan_file(path) == []


@pytest.mark.parametrize("folder", sorted({p.parent for p in CASSETTE_FILES}), ids=lambda p: p.name)
def test_every_cassette_has_its_provenance_written_down(folder: Path) -> None:
    provenance = (folder / "PROVENANCE.md").read_text(encoding="utf-8")
    for cassette in folder.glob("*.yaml"):
        assert cassette.name in provenance


def test_the_scanner_catches_a_leaked_token() -> None:
    assert TOKEN_LIKE.search("Authorization: Bearer abcdefghijklmnop1234")
    assert TOKEN_LIKE.search("https://x/y?api_key=abcdef123456")
    assert find_secrets("Authorization: Bearer REDACTED") == []
    assert find_secrets('{"note": "hunter22"}', known=["hunter22"]) == ["hunter... (8 chars)"]
