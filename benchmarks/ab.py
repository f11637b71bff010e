"""Rows 1, 2 and 3 of the suite, this checkout against another, interleaved in one run.

`uv run python -m benchmarks.ab BASELINE_CHECKOUT [--rounds N] [--rows 1 2 3]`, where
BASELINE_CHECKOUT is
another checkout of this repository with its own environment (`uv sync` there), e.g. a
`git worktree add --detach /tmp/base main`.

On a shared machine the suite's absolute figures drift by 2x within minutes, so two runs
of it, one per checkout, do not say which code is faster. Here one worker process per
checkout (each on its own code, through its own `benchmarks.suite` helpers) keeps its
stores and pools warm, and the driver alternates short batches between them, the first
side changing each round, against one fake ATS: both see the same load. Each ratio is the
median of the per-round ratios (this / baseline): below 1.00x this checkout is faster.
Row 2 also gives each side's own figure of the suite, its resolve over the raw `SELECT`
of the same rows, measured in the same round.
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
#: resolves of stored jobs (and raw SELECTs of their rows) per round for row 2
STORED_CALLS = 2000


# -- the worker: runs in the checkout under test, on its own code -------------------------------


async def work(ats_url: str) -> None:
    from embloy_ats.resolver import Resolver

    from benchmarks.suite import (
        MODE,
        PER_TENANT,
        QUERY,
        Boards,
        bare_get,
        bounded,
        database,
        load_client,
        opened,
        postgres_reachable,
        raw_select,
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
            stored: dict[str, list[tuple[str, str, str]]] = {}  # kind: (tenant, its id, job id)
            serial = 0
            while line := (await loop.run_in_executor(None, sys.stdin.readline)).strip():
                command, kind = line.split()
                resolver, boards = opened_by_kind[kind]
                serial += 1
                first_id = 1_000_000 * serial
                if command == "stored":
                    if kind not in stored:  # fetched, stored and read back once
                        jobs = await boards.work(PER_TENANT, first_id=first_id)
                        for tenant, job_id in jobs:
                            await resolver.resolve(tenant, MODE, job_id)
                            await resolver.resolve(tenant, MODE, job_id)
                        ids = {t: (await resolver.tenant(t)).id for t, _ in jobs}
                        stored[kind] = [(t, ids[t], j) for t, j in jobs]
                    rows = stored[kind]
                    picks = [rows[n % len(rows)] for n in range(STORED_CALLS)]
                    select = raw_select(resolver.store)
                    started, cpu = time.perf_counter(), time.process_time()
                    for tenant, _, job_id in picks:
                        await resolver.resolve(tenant, MODE, job_id)
                    resolved = time.perf_counter() - started, time.process_time() - cpu
                    started, cpu = time.perf_counter(), time.process_time()
                    for _, tenant_id, job_id in picks:
                        await select(tenant_id, MODE, job_id)
                    selected = time.perf_counter() - started, time.process_time() - cpu
                    figures = [value / STORED_CALLS for value in (*resolved, *selected)]
                    over = [resolved[n] / selected[n] for n in (0, 1)]  # the suite's figure
                    print(" ".join(map(str, figures + over)), flush=True)
                elif command == "resolve":
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


async def drive(baseline: Path, rounds: int, numbers: set[int]) -> list[Cells]:
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
            scale, places, suffix = {
                "us": (1e6, 0, " µs"),
                "s": (1.0, 2, " s"),
                "x": (1.0, 2, "x"),
            }[unit]
            return (
                f"{median(base) * scale:,.{places}f}{suffix} / {median(this) * scale:,.{places}f}"
                f"{suffix}",
                f"{ratio:.2f}x",
            )

        def row(name: str, seen: dict[str, list[list[float]]], wall: int, unit: str) -> None:
            rows.append((name, *compare(seen, wall, unit), *compare(seen, wall + 1, unit)))
            print(f"  {' | '.join(rows[-1])}", file=sys.stderr, flush=True)

        for kind in kinds if 1 in numbers else ():
            seen = alternate(f"resolve {kind}")
            row(f"1. unknown job, ATS latency 0 ms, {label[kind]}: resolve", seen, 0, "us")
            row(f"1. same jobs, bare httpx GET over the engine, {label[kind]}", seen, 2, "us")
        for kind in kinds if 2 in numbers else ():
            seen = alternate(f"stored {kind}")
            row(f"2. stored job, {label[kind]}: resolve", seen, 0, "us")
            row(f"2. same rows, raw SELECT, {label[kind]}", seen, 2, "us")
            row(f"2. resolve / raw SELECT (the suite's figure), {label[kind]}", seen, 4, "x")
        await fake.set_faults(Faults(latency=0.05))
        for kind in kinds if 3 in numbers else ():
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
    parser.add_argument("--rows", type=int, nargs="+", choices=(1, 2, 3), default=[1, 2, 3])
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
    rows = asyncio.run(drive(args.baseline.resolve(), args.rounds, set(args.rows)))
    numbers = ", ".join(map(str, sorted(set(args.rows))))
    which = f"rows {numbers}" if len(set(args.rows)) > 1 else f"row {numbers}"
    print(f"## {which}: this checkout vs {commit or args.baseline} ({args.rounds} rounds)\n")
    print(
        "| benchmark | wall: baseline / this | ratio | worker CPU: baseline / this | ratio |\n"
        "| --- | --- | --- | --- | --- |"
    )
    for cells in rows:
        print("| " + " | ".join(cells) + " |")
    print(f"\n(ran in {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
