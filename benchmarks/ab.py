"""Rows 1 and 3 of the suite, this checkout against another, interleaved in one run.

`uv run python -m benchmarks.ab BASELINE_CHECKOUT [--rounds N]`, where BASELINE_CHECKOUT is
another checkout of this repository with its own environment (`uv sync` there), e.g. a
`git worktree add --detach /tmp/base main`.

On a shared machine the suite's absolute figures drift by 2x within minutes, so two runs
of it, one per checkout, do not say which code is faster. Here one worker process per
checkout (each on its own code, through its own `benchmarks.suite` helpers) keeps its
stores and pools warm, and the driver alternates short batches between them, the first
side changing each round, against one fake ATS: both see the same load. Each ratio is the
median of the per-round ratios (this / baseline): below 1.00x this checkout is faster.
Beside the wall time, each row gives the CPU time the worker itself spent (the resolver
and its HTTP client, without the fake ATS or PostgreSQL): the steadier measure of what
the code costs when other work competes for the cores.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: batch sizes: resolves (and bare GETs) per round for row 1; jobs and concurrency for row 3
RESOLVES, JOBS, LEVEL = 100, 1000, 100


# -- the worker: runs in the checkout under test, on its own code -------------------------------


async def work(ats_url: str) -> None:
    from embloy_ats.resolver import Resolver

    from benchmarks.suite import (
        MODE,
        QUERY,
        Boards,
        bare_get,
        bounded,
        database,
        load_client,
        opened,
        postgres_reachable,
    )

    kinds = ["sqlite", "postgres"] if postgres_reachable() else ["sqlite"]
    loop = asyncio.get_running_loop()
    with contextlib.ExitStack() as databases:
        async with contextlib.AsyncExitStack() as stack:
            engine = await stack.enter_async_context(load_client(10))
            opened_by_kind: dict[str, tuple[Resolver, Boards]] = {}
            for kind in kinds:
                url = databases.enter_context(database(kind))
                opened_by_kind[kind] = await stack.enter_async_context(opened(url, ats_url))
            for resolver, boards in opened_by_kind.values():  # pools, connectors, code paths
                for tenant, job_id in await boards.work(40):
                    await resolver.resolve(tenant, MODE, job_id)
                    await bare_get(engine, f"{ats_url}/v1/boards/{tenant}/jobs/{job_id}?{QUERY}")
            print("ready " + " ".join(kinds), flush=True)
            serial = 0
            while line := (await loop.run_in_executor(None, sys.stdin.readline)).strip():
                command, kind = line.split()
                resolver, boards = opened_by_kind[kind]
                serial += 1
                first_id = 1_000_000 * serial
                if command == "resolve":
                    jobs = await boards.work(RESOLVES, first_id=first_id)
                    started, cpu = time.perf_counter(), time.process_time()
                    for tenant, job_id in jobs:
                        await resolver.resolve(tenant, MODE, job_id)
                    resolved = time.perf_counter() - started, time.process_time() - cpu
                    started, cpu = time.perf_counter(), time.process_time()
                    for tenant, job_id in jobs:  # the very same payloads
                        url = f"{ats_url}/v1/boards/{tenant}/jobs/{job_id}?{QUERY}"
                        await bare_get(engine, url)
                    fetched = time.perf_counter() - started, time.process_time() - cpu
                    figures = [value / RESOLVES for value in (*resolved, *fetched)]
                    print(" ".join(map(str, figures)), flush=True)
                else:
                    jobs = await boards.work(JOBS, first_id=first_id)
                    calls = [partial(resolver.resolve, t, MODE, j) for t, j in jobs]
                    started, cpu = time.perf_counter(), time.process_time()
                    results = await bounded(LEVEL, calls)
                    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
                    failed = sum(isinstance(r, Exception) for r in results)
                    print(f"{wall} {cpu} {failed}", flush=True)


# -- the driver ---------------------------------------------------------------------------------


class Worker:
    def __init__(self, checkout: Path, ats_url: str) -> None:
        python = checkout / ".venv" / "bin" / "python"
        self.proc = subprocess.Popen(  # noqa: S603 - a checkout's own interpreter, fixed args
            [str(python), str(Path(__file__).resolve()), "--worker", ats_url],
            cwd=checkout,
            env={**os.environ, "PYTHONPATH": str(checkout)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        ready = self.read()
        if not ready.startswith("ready"):
            raise RuntimeError(f"the worker in {checkout} did not start ({ready!r})")
        self.kinds = ready.split()[1:]

    def read(self) -> str:
        assert self.proc.stdout is not None
        return self.proc.stdout.readline().strip()

    def ask(self, command: str) -> list[float]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return [float(value) for value in self.read().split()]

    def stop(self) -> None:
        if self.proc.stdin is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def median(values: list[float]) -> float:
    return statistics.median(values)


Cells = tuple[str, str, str, str, str]


async def drive(baseline: Path, rounds: int) -> list[Cells]:
    from benchmarks.fake_ats import Faults, RemoteFake
    from benchmarks.suite import Child

    fake_process = Child("benchmarks.fake_ats")
    fake = RemoteFake(fake_process.url)
    rows: list[Cells] = []
    sides: dict[str, Worker] = {}
    try:
        await fake.set_faults(Faults(latency=0.0))
        sides = {"baseline": Worker(baseline, fake.url), "this": Worker(ROOT, fake.url)}
        kinds = sides["this"].kinds
        label = {"sqlite": "SQLite", "postgres": "PostgreSQL"}

        def alternate(command: str) -> dict[str, list[list[float]]]:
            seen: dict[str, list[list[float]]] = {name: [] for name in sides}
            for turn in range(rounds):
                order = list(sides) if turn % 2 == 0 else list(reversed(sides))
                for name in order:
                    seen[name].append(sides[name].ask(command))
            return seen

        def compare(seen: dict[str, list[list[float]]], index: int, unit: str) -> tuple[str, str]:
            """Baseline, this checkout, and the median of the per-round ratios."""
            base = [figures[index] for figures in seen["baseline"]]
            this = [figures[index] for figures in seen["this"]]
            ratio = median([t / b for t, b in zip(this, base, strict=True)])
            scale, places, suffix = (1e6, 0, " µs") if unit == "us" else (1.0, 2, " s")
            return (
                f"{median(base) * scale:,.{places}f}{suffix} / {median(this) * scale:,.{places}f}"
                f"{suffix}",
                f"{ratio:.2f}x",
            )

        def row(name: str, seen: dict[str, list[list[float]]], wall: int, unit: str) -> None:
            rows.append((name, *compare(seen, wall, unit), *compare(seen, wall + 1, unit)))
            print(f"  {' | '.join(rows[-1])}", file=sys.stderr, flush=True)

        for kind in kinds:
            seen = alternate(f"resolve {kind}")
            row(f"1. unknown job, ATS latency 0 ms, {label[kind]}: resolve", seen, 0, "us")
            row(f"1. same jobs, bare httpx GET over the engine, {label[kind]}", seen, 2, "us")
        await fake.set_faults(Faults(latency=0.05))
        for kind in kinds:
            seen = alternate(f"concurrency {kind}")
            name = f"3. {JOBS} unknown jobs, 50 ms ATS, C={LEVEL}, {label[kind]}"
            failed = sum(figures[2] for side in seen.values() for figures in side)
            row(name + (f" ({failed:.0f} failed)" if failed else ""), seen, 0, "s")
    finally:
        for worker in sides.values():
            worker.stop()
        fake_process.stop()
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("baseline", type=Path, nargs="?", help="another checkout, synced")
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--worker", metavar="ATS_URL", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        asyncio.run(work(args.worker))
        return
    if args.baseline is None:
        parser.error("name the baseline checkout")
    commit = subprocess.run(  # noqa: S603 - fixed command
        ["git", "-C", str(args.baseline), "rev-parse", "--short", "HEAD"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    started = time.perf_counter()
    rows = asyncio.run(drive(args.baseline.resolve(), args.rounds))
    print(f"## rows 1 and 3: this checkout vs {commit or args.baseline} ({args.rounds} rounds)\n")
    print(
        "| benchmark | wall: baseline / this | ratio | worker CPU: baseline / this | ratio |\n"
        "| --- | --- | --- | --- | --- |"
    )
    for cells in rows:
        print("| " + " | ".join(cells) + " |")
    print(f"\n(ran in {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
