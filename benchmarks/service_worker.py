"""One service process for the benchmarks: what `embloy-ats serve` runs, on loopback.

`create_app` over a resolver configured from the environment (EMBLOY_ATS_DATABASE_URL,
EMBLOY_ATS_SECRET_KEY, EMBLOY_ATS_ENCRYPTION_KEYS), served by uvicorn on 127.0.0.1 on a
free port. It prints its URL, then serves until its stdin closes or `--lifetime` passes.
The HTTP client may reach private addresses: the fake ATS lives on loopback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from embloy_ats.http import HttpClient
from embloy_ats.resolver import Resolver
from embloy_ats.service.app import create_app
from embloy_ats.service.runner import serving
from embloy_ats.service.tokens import TokenService, secret_from_env
from starlette.types import ASGIApp

from benchmarks.fake_ats import stdin_closed


async def serve_until_closed(app: ASGIApp, lifetime: float) -> None:
    """Serve `app` through `serving()`, print its URL, and stop when stdin closes or
    `lifetime` passes."""
    async with serving(app) as url:
        print(url, flush=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stdin_closed().wait(), lifetime)


async def serve(lifetime: float) -> None:
    resolver = Resolver.from_env(http=HttpClient(allow_private_network=True))
    await serve_until_closed(
        create_app(resolver, TokenService(secret_from_env(), resolver.store)), lifetime
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lifetime", type=float, default=600.0)
    asyncio.run(serve(parser.parse_args(argv).lifetime))


if __name__ == "__main__":
    main()
