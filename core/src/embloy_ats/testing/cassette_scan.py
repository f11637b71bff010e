"""Find secrets in recorded cassettes, and say where without repeating them.

Two kinds of findings: values that look like secrets (the shapes `find_secrets` knows, and
the very credentials used to record), and places where a secret would live if scrubbing
had missed it: an auth or cookie header, a key-bearing query parameter, a token field in a
body. A finding names the place and the length of the value, never the value itself.
Hand-written cassettes may put obvious stand-ins there ("REDACTED", "test-access-token").
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import yaml

from embloy_ats.redaction import REDACTED, SECRET_HEADERS, SECRET_PARAMS, find_secrets

#: body fields that hold a credential or a token (OAuth token requests and answers, logins).
SECRET_FIELDS = frozenset(
    {
        "access_token",
        "refresh_token",
        "id_token",
        "client_secret",
        "client_assertion",
        "password",
        "api_key",
        "apikey",
    }
)
#: response headers that carry a secret (cookies, echoed credentials).
SECRET_RESPONSE_HEADERS = frozenset({"set-cookie", "authorization", "x-api-key", "api-key"})
CASSETTE_SUFFIXES = (".yaml", ".yml")
#: words that mark a hand-written stand-in value ("test-access-token", "fake-key").
STAND_IN = re.compile(r"test|fake|dummy|example|placeholder|stand-?in|redacted|^x+$|^\*+$", re.I)


@dataclass(frozen=True)
class Finding:
    """One suspicious spot in one cassette; `what` never holds the full secret."""

    path: Path
    what: str

    def __str__(self) -> str:
        return f"{self.path}: {self.what}"


def cassette_files(root: Path) -> list[Path]:
    """Every cassette under `root` (or `root` itself when it is one file)."""
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in CASSETTE_SUFFIXES)


def _placeholder(value: object) -> bool:
    """Nothing, REDACTED, or an obvious stand-in written by hand: not a leaked secret."""
    if not isinstance(value, str):
        return True
    text = value.strip()
    return not text or text == REDACTED or bool(STAND_IN.search(text))


def secret_fields(value: Any, trail: str = "") -> Iterator[tuple[str, int]]:
    """(json path, length) of every secret-named field holding a real value."""
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{trail}.{key}" if trail else str(key)
            if str(key).lower() in SECRET_FIELDS and not _placeholder(item):
                yield where, len(str(item))
            else:
                yield from secret_fields(item, where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from secret_fields(item, f"{trail}[{index}]")


def _body_text(body: Any) -> str:
    if isinstance(body, dict):
        body = body.get("string", "")
    if isinstance(body, bytes):
        return body.decode("utf-8", "replace")
    return body if isinstance(body, str) else ""


def _body_findings(text: str, where: str) -> Iterator[str]:
    stripped = text.strip()
    if not stripped:
        return
    if stripped[:1] in "{[":
        try:
            document = json.loads(stripped)
        except json.JSONDecodeError:
            document = None
        for field, length in secret_fields(document):
            yield f"{where} body field {field!r} holds a value ({length} chars)"
        return
    if "=" in stripped and " " not in stripped:  # form-encoded
        for name, value in parse_qsl(stripped, keep_blank_values=True):
            if name.lower() in SECRET_FIELDS | set(SECRET_PARAMS) and not _placeholder(value):
                yield f"{where} form field {name!r} holds a value ({len(value)} chars)"


def _header_names(headers: Any) -> list[str]:
    return [str(name).lower() for name in headers] if isinstance(headers, dict) else []


def _interaction_findings(index: int, interaction: dict[str, Any]) -> Iterator[str]:
    request = interaction.get("request")
    response = interaction.get("response")
    request = request if isinstance(request, dict) else {}
    response = response if isinstance(response, dict) else {}
    at = f"interaction {index}"
    for name in _header_names(request.get("headers")):
        if name in SECRET_HEADERS:
            yield f"{at}: request header {name!r} is recorded (value hidden); remove it"
    for name in _header_names(response.get("headers")):
        if name in SECRET_RESPONSE_HEADERS:
            yield f"{at}: response header {name!r} is recorded (value hidden); remove it"
    uri = str(request.get("uri", ""))
    parts = urlsplit(uri)
    if parts.username or parts.password:
        yield f"{at}: the request URL carries user credentials"
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name.lower() in SECRET_PARAMS and not _placeholder(value):
            yield f"{at}: query parameter {name!r} holds a value ({len(value)} chars)"
    yield from _body_findings(_body_text(request.get("body")), f"{at}: request")
    yield from _body_findings(_body_text(response.get("body")), f"{at}: response")


def scan_text(text: str, known: Iterable[str] = ()) -> list[str]:
    """Everything suspicious in one cassette's text, each finding shortened."""
    findings = [f"secret-looking value {item}" for item in find_secrets(text, known=known)]
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError:
        return [*findings, "not readable as YAML: it cannot be checked"]
    interactions = document.get("interactions") if isinstance(document, dict) else None
    if not isinstance(interactions, list):
        return [*findings, "not a cassette (no 'interactions' list): it cannot be checked"]
    for index, interaction in enumerate(interactions):
        if isinstance(interaction, dict):
            findings.extend(_interaction_findings(index, interaction))
    return findings


def scan_file(path: Path, known: Iterable[str] = ()) -> list[Finding]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [Finding(path, f"cannot be read as UTF-8 text ({type(exc).__name__})")]
    return [Finding(path, what) for what in scan_text(text, known)]
