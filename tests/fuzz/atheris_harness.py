"""Atheris harness for the payload parsers: any bytes an ATS sends become a storable Job or
a typed error, for every way into every built-in connector.

The first byte picks the way in (`tests.fuzz.ways.WAYS`), the rest is the body of its first
answer; the other answers come from its cassette. Coverage-guided: the core, the connectors
and pydantic's Python side are instrumented.

    PYTHONPATH=. python -m tests.fuzz.atheris_harness -max_total_time=60 CORPUS_DIR

`tests/fuzz/test_atheris.py` runs it for a few seconds in CI, seeded with the recordings.
"""

from __future__ import annotations

import asyncio
import sys

import atheris  # type: ignore[import-untyped, import-not-found, unused-ignore]

_PACKAGES = ["embloy_ats"] + [
    f"embloy_ats_{mode}"
    for mode in ("ashby", "greenhouse", "lever", "recruitee", "teamtailor", "workable")
]

with atheris.instrument_imports(include=_PACKAGES):
    from embloy_ats import EmbloyAtsError

    from tests.fuzz.ways import WAYS, Scripted, check_storable, client

    for _way in WAYS:  # connectors load lazily (entry points): load them while instrumenting
        _way.connector_class()

_LOOP = asyncio.new_event_loop()


def one_input(data: bytes) -> None:
    if not data:
        return
    way = WAYS[data[0] % len(WAYS)]
    connector = way.connector(client(Scripted(way, data[1:])))
    try:
        job = _LOOP.run_until_complete(connector.fetch_job(way.job_id))
    except EmbloyAtsError:
        return
    check_storable(job)


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
