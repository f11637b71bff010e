"""No cassette may hold a secret, and each connector's cassettes say where they came from."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.conftest import CASSETTES, SECRET_HEADERS, SECRET_PARAMS

TOKEN_LIKE = re.compile(
    r"(Bearer|Basic|Token token=)\s*[A-Za-z0-9._~+/=-]{12,}"
    r"|sk_(live|test)_[A-Za-z0-9]{8,}"
    r"|ya29\.[A-Za-z0-9_-]{10,}"
    r"|\"(access|refresh)_token\":\s*\"[A-Za-z0-9._-]{16,}\""
    r"|[?&](api_?key|key|token|access_token|client_secret)=[A-Za-z0-9._-]{8,}"
    r"|eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}",  # a JWT
    re.IGNORECASE,
)
CASSETTE_FILES = sorted(CASSETTES.glob("*/*.yaml"))


def test_there_are_cassettes() -> None:
    assert CASSETTE_FILES


@pytest.mark.parametrize("path", CASSETTE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_cassette_holds_no_secret(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not TOKEN_LIKE.search(text)
    for interaction in yaml.safe_load(text)["interactions"]:
        headers = {name.lower() for name in interaction["request"].get("headers", {})}
        assert not headers & set(SECRET_HEADERS)
        uri = interaction["request"]["uri"]
        for param in SECRET_PARAMS:
            assert not re.search(rf"[?&]{param}=(?!REDACTED)", uri, re.IGNORECASE)


@pytest.mark.parametrize("folder", sorted({p.parent for p in CASSETTE_FILES}), ids=lambda p: p.name)
def test_every_cassette_has_its_provenance_written_down(folder: Path) -> None:
    provenance = (folder / "PROVENANCE.md").read_text(encoding="utf-8")
    for cassette in folder.glob("*.yaml"):
        assert cassette.name in provenance


def test_the_scanner_catches_a_leaked_token() -> None:
    assert TOKEN_LIKE.search("Authorization: Bearer abcdefghijklmnop1234")
    assert TOKEN_LIKE.search("https://x/y?api_key=abcdef123456")
