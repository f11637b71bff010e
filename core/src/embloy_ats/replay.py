"""Replay recorded ATS answers (vcrpy cassettes) with no network: the offline sandbox.

The same cassettes the test suite replays drive `embloy-ats demo` and `fetch --replay`, so
what a user sees offline is exactly what CI checks.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from embloy_ats.errors import ConfigurationError
from embloy_ats.http import AnswerKey, RecordedAnswer, ReplayTransport, answer_key

# Headers that described the recorded transfer, not the body we replay.
_TRANSPORT_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


def load_cassette(path: Path) -> list[dict[str, Any]]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigurationError(f"cannot read cassette {path}: {exc.__class__.__name__}") from exc
    interactions = document.get("interactions") if isinstance(document, dict) else None
    if not isinstance(interactions, list):
        raise ConfigurationError(f"{path} is not a cassette (no 'interactions' list)")
    return [item for item in interactions if isinstance(item, dict)]


def recorded_answers(cassettes: Iterable[Path]) -> dict[AnswerKey, RecordedAnswer]:
    """Every request -> response pair in the cassettes; the first recording of a request wins."""
    answers: dict[AnswerKey, RecordedAnswer] = {}
    for path in cassettes:
        for interaction in load_cassette(path):
            request, response = interaction.get("request"), interaction.get("response")
            if not isinstance(request, dict) or not isinstance(response, dict):
                continue
            key = answer_key(
                str(request.get("method", "GET")),
                str(request.get("uri", "")),
                request.get("body") if isinstance(request.get("body"), str | bytes) else None,
            )
            status = response.get("status")
            body = response.get("body")
            body = body.get("string", "") if isinstance(body, dict) else ""
            headers = [
                (str(name), str(value))
                for name, values in (response.get("headers") or {}).items()
                for value in (values if isinstance(values, list) else [values])
                if str(name).lower() not in _TRANSPORT_HEADERS
            ]
            answers.setdefault(
                key,
                RecordedAnswer(
                    status=int(status.get("code", 200)) if isinstance(status, dict) else 200,
                    headers=tuple(headers),
                    body=body.encode("utf-8") if isinstance(body, str) else bytes(body or b""),
                ),
            )
    return answers


def replay_transport(cassettes: Iterable[Path]) -> ReplayTransport:
    return ReplayTransport(recorded_answers(cassettes))
