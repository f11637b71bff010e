"""What an attacker or a broken ATS can make us hold: `uv run python -m benchmarks.caps` (~1 min).

Not timings but bounds, each measured in a process of its own so that its peak memory
(VmHWM, from /proc) belongs to that scenario alone:

- `bomb`: an ATS answers a gzip bomb (400 KiB that inflate to 400 MiB) against the default
  5 MiB body cap; the peak of the fetching process, and of what Python allocated (tracemalloc);
- `post`: a 64 MiB POST (chunked, and once with its Content-Length) to the token exchange
  of a running service (`benchmarks.service_worker`, 16 KiB cap); the service's peak;
- `trickle`: an ATS sends its answer one byte a second; how long it holds a candidate
  against the default 30 s retry deadline;
- `resets`: an ATS resets every connection after reading the request; the connections it
  sees against the 3 attempts the retry policy allows.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx
from embloy_ats.crypto import KeyRing
from embloy_ats.errors import EmbloyAtsError
from embloy_ats.http import HttpClient, RequestContext
from embloy_ats.resolver import Resolver
from embloy_ats.service.tokens import TokenService, new_secret
from embloy_ats.store import store_for

from benchmarks.suite import Child, database, service_env

CTX = RequestContext(connector="caps", job_id="1")
MiB = 1024 * 1024
Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def high_water_kib() -> int:
    """This process's peak resident memory so far (VmHWM), in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


@contextlib.asynccontextmanager
async def serving(handle: Handler) -> AsyncIterator[str]:
    listening = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{listening.sockets[0].getsockname()[1]}"
    finally:
        listening.close()


async def outcome(call: Awaitable[Any]) -> str:
    try:
        await call
    except EmbloyAtsError as exc:
        return type(exc).__name__
    return "answered"


# -- scenarios, each in its own process --------------------------------------------------------


async def bomb() -> dict[str, Any]:
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = bytes(MiB)
    packed = b"".join(packer.compress(zeros) for _ in range(400)) + packer.flush()
    del zeros
    small = zlib.compress(b"{}")

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                body, encoding = (packed, "gzip") if b"/bomb" in head else (small, "deflate")
                writer.write(
                    f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n"
                    f"Content-Encoding: {encoding}\r\n\r\n".encode()
                    + body
                )
                await writer.drain()
        writer.close()

    http = HttpClient(allow_private_network=True)  # the default 5 MiB cap
    try:
        async with serving(handle) as origin:
            await http.request("GET", f"{origin}/warm", CTX)  # connection and imports
            before = high_water_kib()
            first = await outcome(http.request("GET", f"{origin}/bomb", CTX))
            rise = high_water_kib() - before
            tracemalloc.start()
            await outcome(http.request("GET", f"{origin}/bomb", CTX))
            traced = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    finally:
        await http.aclose()
    return {
        "measured": f"VmHWM rose {rise / 1024:.1f} MiB; Python's peak (tracemalloc) "
        f"{traced / MiB:.1f} MiB",
        "outcome": first,
        "bound": f"5 MiB cap; {len(packed) // 1024} KiB -> 400 MiB",
    }


class Body:
    """A request body of `total` bytes in 64 KiB chunks; counts what was taken."""

    def __init__(self, total: int) -> None:
        self.total, self.taken = total, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        chunk = b"a=" + b"x" * (64 * 1024 - 2)
        while self.taken < self.total:
            self.taken += len(chunk)
            yield chunk


async def post() -> dict[str, Any]:
    secret, keys = new_secret(), KeyRing.generate()
    with database("sqlite") as url:
        resolver = Resolver(store_for(url))
        await resolver.open()
        try:
            tenant = await resolver.create_tenant("caps")
            client_token, _ = await TokenService(secret, resolver.store).issue_client_token(
                tenant.id
            )
        finally:
            await resolver.close()
        service = Child("benchmarks.service_worker", service_env(url, secret, keys))
        results: list[str] = []
        try:
            target = f"{service.url}/api/v0/sdk/request/auth/token"
            async with httpx.AsyncClient(timeout=120) as web:
                warm = await web.post(target, headers={"client_token": client_token}, data={})
                before = service.memory().get("VmHWM", 0)
                for declared in (False, True):
                    body = Body(64 * MiB)
                    headers = {"client_token": client_token}
                    if declared:
                        headers["content-length"] = str(body.total)
                    try:
                        answer = await web.post(target, headers=headers, content=body)
                        status = str(answer.status_code)
                    except httpx.TransportError as exc:  # refused while still sending
                        status = type(exc).__name__
                    how = "with Content-Length" if declared else "chunked"
                    results.append(f"{how}: {status}, {body.taken / MiB:.1f} MiB sent")
            rise = service.memory().get("VmHWM", 0) - before
        finally:
            service.stop()
    return {
        "measured": f"service VmHWM rose {rise / 1024:.1f} MiB",
        "outcome": f"warm-up {warm.status_code}; " + "; ".join(results),
        "bound": "16 KiB body cap",
    }


async def trickle() -> dict[str, Any]:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
            for _ in range(100_000):
                writer.write(b" ")
                await writer.drain()
                await asyncio.sleep(1.0)
        writer.close()

    http = HttpClient(allow_private_network=True)  # the default timeouts and retry policy
    try:
        async with serving(handle) as origin:
            started = time.monotonic()
            result = await outcome(http.request("GET", f"{origin}/jobs/1", CTX))
            held = time.monotonic() - started
    finally:
        await http.aclose()
    return {
        "measured": f"held the candidate {held:.1f} s",
        "outcome": result,
        "bound": f"{http.retry.deadline:g} s retry deadline",
    }


async def resets() -> dict[str, Any]:
    seen = {"connections": 0}

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen["connections"] += 1
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            await reader.readuntil(b"\r\n\r\n")
        writer.transport.abort()  # unanswered

    http = HttpClient(allow_private_network=True)
    try:
        async with serving(handle) as origin:
            result = await outcome(http.request("GET", f"{origin}/jobs/1", CTX))
    finally:
        await http.aclose()
    return {
        "measured": f"{seen['connections']} connections reached the ATS",
        "outcome": result,
        "bound": f"{http.retry.attempts} attempts allowed",
    }


SCENARIOS: dict[str, Callable[[], Coroutine[Any, Any, dict[str, Any]]]] = {
    "bomb": bomb,
    "post": post,
    "trickle": trickle,
    "resets": resets,
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="embloy-ats caps under attack (markdown).")
    parser.add_argument("--only", nargs="*", choices=SCENARIOS, default=list(SCENARIOS))
    parser.add_argument("--one", choices=SCENARIOS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(asyncio.run(SCENARIOS[args.one]())))
        return
    print("| scenario | measured | outcome | bound |\n| --- | --- | --- | --- |")
    for name in args.only:
        done = subprocess.run(  # noqa: S603 - this module, fixed arguments
            [sys.executable, "-m", "benchmarks.caps", "--one", name],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
        )
        if done.returncode != 0:
            print(f"| {name} | failed: {done.stderr.strip().splitlines()[-1:]} | | |")
            continue
        row = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"| {name} | {row['measured']} | {row['outcome']} | {row['bound']} |", flush=True)


if __name__ == "__main__":
    main()
