"""One service process in the cross-process herd test: N concurrent resolves of one job.

Usage: python -m tests.resolver.herd_worker DATABASE_URL START_AT N
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

from embloy_ats.resolver import Resolver
from embloy_ats.store import store_for

from tests.resolver.conftest import make_registry


async def main(database_url: str, start_at: float, count: int) -> None:
    async with Resolver(store_for(database_url), registry=make_registry()) as resolver:
        await resolver.tenant("acme")  # warm: the herd starts at the same moment in both
        await asyncio.sleep(max(0.0, start_at - time.time()))
        results = await asyncio.gather(
            *(resolver.resolve_detailed("acme", "fake", "7") for _ in range(count)),
            return_exceptions=True,
        )
    print(json.dumps([r.source if not isinstance(r, BaseException) else repr(r) for r in results]))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], float(sys.argv[2]), int(sys.argv[3])))
