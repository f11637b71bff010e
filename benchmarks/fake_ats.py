"""A misbehaving ATS on loopback: recorded answers, synthetic jobs, and faults on demand.

It serves the real recorded payloads of the built-in connectors at their API paths (read
from the cassettes with `embloy_ats.replay.recorded_answers` and matched with
`embloy_ats.replay.answer_key`, whatever host they were recorded for), plus any number of
distinct synthetic Greenhouse Job Board jobs for load: `GET /v1/boards/<prefix>.../jobs/<n>`
answers the documentation example with its id rewritten to `n` and its URL naming the board,
so a stored job shows which board (and so which tenant) it came from.

Faults are drawn per request from a seeded generator: latency and jitter, 5xx, 429 with
Retry-After, connection resets, trickled bodies, truncated bodies. It is a raw asyncio
server so it can do what a framework would not let it: reset a connection, lie about a
length, stall mid-body. Every request it receives is counted.

It listens on 127.0.0.1 only, stops by itself after `max_lifetime` seconds or
`max_requests` requests, and every loop in it is bounded.

Run in its own process (`python -m benchmarks.fake_ats --lifetime 600`: it prints its URL)
so it does not share a core with what is measured; `RemoteFake` then reads its counts and
sets its faults through `/__fake/stats`, `/__fake/faults` and `/__fake/reset`, which are
not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import random
import socket
import struct
import sys
import threading
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from embloy_ats.replay import AnswerKey, RecordedAnswer, answer_key, recorded_answers

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "cassettes"
HOST = "127.0.0.1"
#: the recorded answer the synthetic jobs are made from (Greenhouse's documented example).
SYNTHETIC_SOURCE = ("GET", "/v1/boards/acme/jobs/44444?questions=true&pay_transparency=true")
SYNTHETIC_TITLE = "Product Engineer"
_ANY_HOST = "fake-ats"
_MAX_HEADER_BYTES = 64 * 1024
_MAX_BODY_BYTES = 1024 * 1024
_MAX_REQUESTS_PER_CONNECTION = 100_000
_IDLE_TIMEOUT = 30.0
_REASONS = {200: "OK", 404: "Not Found", 429: "Too Many Requests", 500: "Internal Server Error",
            502: "Bad Gateway", 503: "Service Unavailable"}  # fmt: skip


@dataclass
class Faults:
    """What goes wrong, per request. Rates are probabilities in [0, 1], drawn in this order:
    reset, 429, 5xx, truncation, trickle; latency applies to every answer."""

    latency: float = 0.0
    #: extra latency drawn uniformly from [0, jitter].
    jitter: float = 0.0
    reset_rate: float = 0.0
    rate_limit_rate: float = 0.0
    #: the Retry-After of a 429, in seconds (None: no header).
    retry_after: float | None = 1.0
    error_rate: float = 0.0
    truncate_rate: float = 0.0
    trickle_rate: float = 0.0
    trickle_chunk: int = 256
    #: pause between trickled chunks; a trickle sends at most 200 chunks.
    trickle_delay: float = 0.005
    seed: int = 0

    @classmethod
    def everything(cls, seed: int = 0) -> Faults:
        """Every fault on at once, at rates a soak survives: about one request in four fails,
        and a trickled body of more than ~5 KB outlasts a 0.3 s attempt timeout."""
        return cls(
            latency=0.001, jitter=0.004, reset_rate=0.04, rate_limit_rate=0.04, retry_after=0,
            error_rate=0.06, truncate_rate=0.05, trickle_rate=0.05, trickle_chunk=64,
            trickle_delay=0.004, seed=seed,
        )  # fmt: skip


@dataclass
class Stats:
    requests: int = 0
    by_path: Counter[str] = field(default_factory=Counter)
    by_outcome: Counter[str] = field(default_factory=Counter)
    #: the Authorization header of each request, by path (to check whose secret was sent).
    authorizations: list[tuple[str, str | None]] = field(default_factory=list)


def served_cassettes(root: Path) -> list[Path]:
    """Every cassette but the recorded credential rejections: the fake does not check
    credentials, and those recordings share their request with a found job's."""
    rejected = ("bad_credentials", "bad_key", "invalid_api_version")
    return [
        path
        for path in sorted(root.glob("*/*.yaml"))
        if not any(word in path.stem for word in rejected)
    ]


def _template(answer: RecordedAnswer) -> bytes:
    """The synthetic job's body with `@@ID@@` and `@@BOARD@@` where its id and board go."""
    payload: dict[str, Any] = json.loads(answer.body)
    payload["id"] = "@@ID@@"
    payload["absolute_url"] = "https://boards.example/@@BOARD@@/jobs/@@ID@@"
    return json.dumps(payload).replace('"@@ID@@"', "@@ID@@").encode()


class FakeAts:
    """Start with `async with FakeAts(...) as ats:`; `ats.url` is its base URL."""

    def __init__(
        self,
        faults: Faults | None = None,
        *,
        cassettes: Path = CASSETTES,
        synthetic_prefix: str = "bench",
        max_lifetime: float = 600.0,
        max_requests: int = 2_000_000,
        record_authorizations: bool = False,
    ) -> None:
        self.faults = faults or Faults()
        self.answers: dict[AnswerKey, RecordedAnswer] = {
            self._anywhere(key): answer
            for key, answer in recorded_answers(served_cassettes(cassettes)).items()
        }
        source = self.answers[
            self._anywhere(
                answer_key(SYNTHETIC_SOURCE[0], f"http://{_ANY_HOST}{SYNTHETIC_SOURCE[1]}")
            )
        ]
        self._synthetic = _template(source)
        self.synthetic_prefix = synthetic_prefix
        self.max_lifetime = max_lifetime
        self.max_requests = max_requests
        self.record_authorizations = record_authorizations
        self.stats = Stats()
        self.url = ""
        self._random = random.Random(self.faults.seed)  # noqa: S311 - fault draws, not secrets
        self._server: asyncio.Server | None = None
        self._watchdog: asyncio.Task[None] | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    @staticmethod
    def _anywhere(key: AnswerKey) -> AnswerKey:
        method, _, path, query, body = key
        return (method, _ANY_HOST, path, query, body)

    def reseed(self, seed: int) -> None:
        self._random = random.Random(seed)  # noqa: S311 - fault draws, not secrets

    def reset_stats(self) -> None:
        self.stats = Stats()

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> str:
        self._server = await asyncio.start_server(
            self._connection, HOST, 0, limit=_MAX_HEADER_BYTES, backlog=1024
        )
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://{HOST}:{port}"
        self._watchdog = asyncio.create_task(self._stop_later())
        return self.url

    async def _stop_later(self) -> None:
        await asyncio.sleep(self.max_lifetime)
        await self._close_server()

    async def _close_server(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
            for writer in list(self._writers):
                writer.transport.abort()  # ends its loop: the next read fails
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 5)

    async def stop(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watchdog
            self._watchdog = None
        await self._close_server()

    async def __aenter__(self) -> FakeAts:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- one connection ---------------------------------------------------------------------

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            for _ in range(_MAX_REQUESTS_PER_CONNECTION):
                if self.stats.requests >= self.max_requests:
                    break
                keep_open = await self._one_request(reader, writer)
                if not keep_open:
                    break
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            pass
        finally:
            self._writers.discard(writer)
            if not writer.transport.is_closing():
                writer.close()

    async def _one_request(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), _IDLE_TIMEOUT)
        lines = head.decode("latin-1").split("\r\n")
        method, target, _version = lines[0].split(" ", 2)
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0") or 0)
        if not 0 <= length <= _MAX_BODY_BYTES:
            return False
        body = await reader.readexactly(length) if length else b""
        path = target.split("?", 1)[0]
        close = headers.get("connection", "").lower() == "close"
        if path.startswith("/__fake/"):
            return await self._control(method, path, body, writer, close=close)
        stats = self.stats
        stats.requests += 1
        stats.by_path[f"{method} {path}"] += 1
        if self.record_authorizations:
            stats.authorizations.append((path, headers.get("authorization")))
        return await self._answer(method, target, path, body, writer, close=close)

    async def _control(
        self, method: str, path: str, body: bytes, writer: asyncio.StreamWriter, *, close: bool
    ) -> bool:
        """The fake's own API, for a benchmark driving it from another process."""
        if method == "POST" and path == "/__fake/faults":
            self.faults = Faults(**json.loads(body or b"{}"))
            self.reseed(self.faults.seed)
        elif method == "POST" and path == "/__fake/reset":
            self.reset_stats()
        content = json.dumps(
            {
                "requests": self.stats.requests,
                "by_path": dict(self.stats.by_path),
                "by_outcome": dict(self.stats.by_outcome),
                "faults": dataclasses.asdict(self.faults),
            }
        ).encode()
        answer = RecordedAnswer(200, (("content-type", "application/json"),), content)
        writer.write(_head(answer, len(content), close=close) + content)
        await writer.drain()
        return not close

    def _lookup(self, method: str, target: str, path: str, body: bytes) -> RecordedAnswer | None:
        parts = path.split("/")
        # /v1/boards/<board>/jobs/<id>
        if (
            method == "GET"
            and len(parts) == 6
            and parts[1:3] == ["v1", "boards"]
            and parts[3].startswith(self.synthetic_prefix)
            and parts[4] == "jobs"
            and parts[5].isdigit()
        ):
            content = self._synthetic.replace(b"@@ID@@", parts[5].encode()).replace(
                b"@@BOARD@@", parts[3].encode()
            )
            return RecordedAnswer(200, (("content-type", "application/json"),), content)
        key = self._anywhere(answer_key(method, f"http://{_ANY_HOST}{target}", body))
        return self.answers.get(key)

    async def _answer(
        self,
        method: str,
        target: str,
        path: str,
        body: bytes,
        writer: asyncio.StreamWriter,
        *,
        close: bool,
    ) -> bool:
        f, draw = self.faults, self._random.random
        delay = f.latency + (draw() * f.jitter if f.jitter else 0.0)
        if delay > 0:
            await asyncio.sleep(delay)
        outcome = "ok"
        if f.reset_rate and draw() < f.reset_rate:
            self.stats.by_outcome["reset"] += 1
            _reset(writer)
            return False
        if f.rate_limit_rate and draw() < f.rate_limit_rate:
            extra = () if f.retry_after is None else (("retry-after", f"{f.retry_after:g}"),)
            answer = RecordedAnswer(
                429, (("content-type", "application/json"), *extra), b'{"error":"slow down"}'
            )
            outcome = "429"
        elif f.error_rate and draw() < f.error_rate:
            status = self._random.choice((500, 502, 503))
            answer = RecordedAnswer(status, (("content-type", "text/html"),), b"<h1>oops</h1>")
            outcome = str(status)
        else:
            found = self._lookup(method, target, path, body)
            if found is None:
                outcome = "unrecorded"
                found = RecordedAnswer(
                    404, (("content-type", "application/json"),), b'{"error":"not recorded"}'
                )
            answer = found
        payload = answer.body
        if outcome == "ok" and f.truncate_rate and draw() < f.truncate_rate:
            # Half the time the length is declared in full and the connection dies early;
            # half the time a cut body is announced as complete (a broken proxy).
            cut = payload[: max(1, len(payload) // 2)]
            if draw() < 0.5:
                self.stats.by_outcome["truncated-early-close"] += 1
                writer.write(_head(answer, len(payload), close=True) + cut)
                with contextlib.suppress(OSError):
                    await writer.drain()
                _reset(writer)
                return False
            self.stats.by_outcome["truncated-complete"] += 1
            writer.write(_head(answer, len(cut), close=close) + cut)
            await writer.drain()
            return not close
        self.stats.by_outcome[outcome] += 1
        if outcome == "ok" and f.trickle_rate and draw() < f.trickle_rate:
            self.stats.by_outcome["trickled"] += 1
            writer.write(_head(answer, len(payload), close=close))
            step = max(1, f.trickle_chunk, len(payload) // 200 + 1)
            for start in range(0, len(payload), step):
                writer.write(payload[start : start + step])
                await writer.drain()
                await asyncio.sleep(f.trickle_delay)
            return not close
        writer.write(_head(answer, len(payload), close=close) + payload)
        await writer.drain()
        return not close


def _head(answer: RecordedAnswer, length: int, *, close: bool) -> bytes:
    lines = [f"HTTP/1.1 {answer.status} {_REASONS.get(answer.status, 'Status')}"]
    lines += [f"{name}: {value}" for name, value in answer.headers]
    lines.append(f"content-length: {length}")
    lines.append("connection: close" if close else "connection: keep-alive")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP RST (SO_LINGER 0), as a crashed upstream or a middlebox would."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


@contextlib.asynccontextmanager
async def running(faults: Faults | None = None, **kwargs: Any) -> AsyncIterator[FakeAts]:
    """`async with running(Faults(latency=0.05)) as ats:` — a started fake, stopped after."""
    ats = FakeAts(faults, **kwargs)
    await ats.start()
    try:
        yield ats
    finally:
        await ats.stop()


def synthetic_path(board: str, job_id: int | str) -> str:
    """The API path of a synthetic job (what a Greenhouse connector on `board` asks for)."""
    return f"/v1/boards/{board}/jobs/{job_id}"


class RemoteFake:
    """A fake ATS running in another process, driven over its control API."""

    def __init__(self, url: str) -> None:
        self.url = url

    async def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        import httpx

        async with httpx.AsyncClient(base_url=self.url, timeout=10, trust_env=False) as client:
            response = await client.request(method, path, json=body)
            response.raise_for_status()
            return response.json()

    async def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = await self._call("GET", "/__fake/stats")
        return result

    async def set_faults(self, faults: Faults) -> None:
        await self._call("POST", "/__fake/faults", dataclasses.asdict(faults))

    async def reset(self) -> None:
        await self._call("POST", "/__fake/reset")


def stdin_closed() -> asyncio.Event:
    """Set when this process's stdin closes: the parent's way of saying "stop now"."""
    loop, closed = asyncio.get_running_loop(), asyncio.Event()

    def wait() -> None:
        sys.stdin.read()
        loop.call_soon_threadsafe(closed.set)

    threading.Thread(target=wait, daemon=True).start()  # a daemon: never holds up the exit
    return closed


async def _serve_until_stopped(lifetime: float) -> None:
    ats = FakeAts(max_lifetime=lifetime)
    await ats.start()
    print(ats.url, flush=True)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stdin_closed().wait(), lifetime)
    await ats.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="A fake ATS on 127.0.0.1 (stops when stdin closes)."
    )
    parser.add_argument("--lifetime", type=float, default=600.0, help="seconds before it stops")
    args = parser.parse_args(argv)
    asyncio.run(_serve_until_stopped(args.lifetime))


__all__ = [
    "CASSETTES", "SYNTHETIC_TITLE", "FakeAts", "Faults", "RemoteFake", "Stats", "running",
    "synthetic_path",
]  # fmt: skip

if __name__ == "__main__":
    main()
