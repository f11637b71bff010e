"""Row 14's baseline: a minimal FastAPI app answering stored JSON, served as the service is.

Two routes at the service's paths answer the bytes of a file each, read once at start (the
service's own answers, so the sizes match): no token, no store, no model. It is served by
`serving()` in a process of its own, as `benchmarks.service_worker` serves the service: the
same uvicorn settings (one worker, keep-alive, the same HTTP and loop implementations). It
prints its URL, then serves until its stdin closes or `--lifetime` passes.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from fastapi import FastAPI, Response

from benchmarks.service_worker import serve_until_closed

TOKEN_PATH = "/api/v0/sdk/request/auth/token"  # noqa: S105 - a path
HANDLE_PATH = "/api/v0/sdk/request/handle"


def minimal_app(token_body: bytes, handle_body: bytes) -> FastAPI:
    app = FastAPI()

    @app.post(TOKEN_PATH)
    async def token() -> Response:
        return Response(token_body, media_type="application/json")

    @app.post(HANDLE_PATH)
    async def handle() -> Response:
        return Response(handle_body, media_type="application/json")

    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lifetime", type=float, default=600.0)
    parser.add_argument("token_body", type=Path, help="the token exchange's answer")
    parser.add_argument("handle_body", type=Path, help="the handle's answer")
    args = parser.parse_args(argv)
    app = minimal_app(args.token_body.read_bytes(), args.handle_body.read_bytes())
    asyncio.run(serve_until_closed(app, args.lifetime))


if __name__ == "__main__":
    main()
