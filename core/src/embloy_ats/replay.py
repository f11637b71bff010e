"""Replay recorded ATS answers (vcrpy cassettes) with no network: the offline sandbox.

The same cassettes the test suite replays drive `embloy-ats demo` and `fetch --replay`, so
what a user sees offline is exactly what CI checks. The recorded answers, how a request
finds its answer, and the transport that serves them to an `HttpClient` live here, beside
the HTTP core (which knows nothing of recordings).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import yaml

from embloy_ats.errors import ConfigurationError

# Headers that described the recorded transfer, not the body we replay.
_TRANSPORT_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


AnswerKey = tuple[str, str, str, tuple[tuple[str, str], ...], str]


def answer_key(method: str, url: str, body: bytes | str | None = None) -> AnswerKey:
    """What identifies a request for replay: method, host, path, the query as a set, and
    for requests with a body (Ashby's `POST jobPosting.info`) the body, JSON-normalised."""
    parts = urlsplit(url)
    query = tuple(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    raw = body.encode() if isinstance(body, str) else (body or b"")
    try:
        canonical = json.dumps(json.loads(raw), sort_keys=True) if raw.strip() else ""
    except (UnicodeDecodeError, json.JSONDecodeError):
        canonical = raw.decode("utf-8", "replace")
    return (method.upper(), parts.netloc.lower(), parts.path, query, canonical)


@dataclass(frozen=True)
class RecordedAnswer:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @classmethod
    def of_json(
        cls, status: int, value: object, headers: tuple[tuple[str, str], ...] = ()
    ) -> RecordedAnswer:
        """An answer whose body is `value` as JSON."""
        body = json.dumps(value).encode()
        return cls(status, (("content-type", "application/json"), *headers), body)


@dataclass(frozen=True)
class SentRequest:
    """A request as a scripted transport sees it."""

    method: str
    url: str
    body: bytes


class ScriptedTransport(httpx.AsyncBaseTransport):
    """Answers each request with `answer(request)`; None fails like a dead network.

    Recordings answer through it (`ReplayTransport`), and so do the answers no sandbox
    gives on demand (5xx, 429 storms, error bodies) in the conformance kit and tests.
    Every request is kept, `method url`, in `requests`; the unanswered in `unanswered`.
    """

    def __init__(self, answer: Callable[[SentRequest], RecordedAnswer | None]) -> None:
        self._answer = answer
        self.requests: list[str] = []
        self.unanswered: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        sent = f"{request.method} {request.url}"
        self.requests.append(sent)
        answer = self._answer(SentRequest(request.method, str(request.url), await request.aread()))
        if answer is None:
            self.unanswered.append(sent)
            raise httpx.ConnectError(f"no recorded answer for {request.method} {request.url.path}")
        return httpx.Response(
            answer.status, headers=list(answer.headers), content=answer.body, request=request
        )


class ReplayTransport(ScriptedTransport):
    """Answers from recordings; a request nobody recorded fails like a dead network."""

    def __init__(self, answers: Mapping[AnswerKey, RecordedAnswer]) -> None:
        recorded = dict(answers)
        super().__init__(lambda sent: recorded.get(answer_key(sent.method, sent.url, sent.body)))


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
