"""Where the delivery worker gets a tenant's connector: built from the stored connection
the way the resolver builds it (`embloy_ats.resolver.connector_for`)."""

from __future__ import annotations

from typing import Protocol

from embloy_ats.clock import SYSTEM_CLOCK, Clock
from embloy_ats.connector import Connector
from embloy_ats.crypto import KeyRing
from embloy_ats.http import HttpClient, RetryPolicy, Timeouts
from embloy_ats.registry import Registry
from embloy_ats.resolver import connector_for
from embloy_ats.store import Store
from embloy_ats.validation import private_network_allowed


class ConnectorSource(Protocol):
    async def connector(self, tenant_id: str, mode: str) -> object:
        """The connector that delivers `tenant_id`'s applications for `mode`; typed errors
        (`NoConnection`, `ConfigurationError`...) when there is none."""
        ...


#: submissions carry files: more time to write than a job fetch gets.
DELIVERY_TIMEOUTS = Timeouts(connect=10.0, read=60.0, write=60.0, pool=10.0, attempt=120.0)


def delivery_http_client(
    *,
    timeouts: Timeouts = DELIVERY_TIMEOUTS,
    allow_private_network: bool | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> HttpClient:
    """An HTTP client for submissions: one attempt per call, since a POST retried after a
    timeout is how duplicates happen (the worker retries, after looking first). Its pool
    is ready: a send waits for its booked turn, then goes at once."""
    client = HttpClient(
        timeouts=timeouts,
        retry=RetryPolicy(attempts=1),
        allow_private_network=(
            private_network_allowed() if allow_private_network is None else allow_private_network
        ),
        clock=clock,
    )
    client.prepare()
    return client


class StoredConnectors:
    """Each tenant's connectors, as its stored connection configures them. A connector is
    reused while its connection is unchanged (its OAuth token stays warm)."""

    def __init__(
        self,
        store: Store,
        *,
        keys: KeyRing | None,
        registry: Registry | None = None,
        http: HttpClient | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.store = store
        self.keys = keys
        self.registry = registry or Registry.discover()
        self._owns_http = http is None
        self.http = http if http is not None else delivery_http_client(clock=clock)
        self.clock = clock
        self._cache: dict[tuple[str, str], tuple[float, Connector]] = {}

    async def connector(self, tenant_id: str, mode: str) -> Connector:
        connection = await self.store.get_connection(tenant_id, mode)
        cached = self._cache.get((tenant_id, mode))
        if connection is not None and cached is not None and cached[0] == connection.updated_at:
            return cached[1]
        built = await connector_for(
            self.store, self.registry, self.keys, tenant_id, mode,
            http=self.http, clock=self.clock, tenant_label=repr(tenant_id),
        )  # fmt: skip
        self._cache[(tenant_id, mode)] = built
        return built[1]

    async def aclose(self) -> None:
        if self._owns_http:
            await self.http.aclose()
