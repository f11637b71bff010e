"""Connector discovery through the `embloy_ats.connectors` entry-point group.

Lazy: nothing is imported until a connector is asked for. A connector that fails to import
is reported and skipped: one broken plugin never breaks the others. Two distributions
claiming one mode is a configuration error naming both.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points

from embloy_ats.connector import Connector
from embloy_ats.errors import ConfigurationError

ENTRY_POINT_GROUP = "embloy_ats.connectors"
log = logging.getLogger("embloy_ats.registry")


@dataclass(frozen=True)
class ConnectorInfo:
    mode: str
    distribution: str
    version: str
    connector: type[Connector]


@dataclass
class Registry:
    entry_points: dict[str, list[EntryPoint]]
    _loaded: dict[str, ConnectorInfo] = field(default_factory=dict)
    #: mode -> why it could not be loaded; filled as connectors are asked for.
    failures: dict[str, str] = field(default_factory=dict)

    @classmethod
    def discover(cls) -> Registry:
        found: dict[str, list[EntryPoint]] = {}
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            found.setdefault(ep.name, []).append(ep)
        return cls(found)

    def modes(self) -> list[str]:
        return sorted(self.entry_points)

    def get(self, mode: str) -> ConnectorInfo:
        """The connector for `mode`, imported on first use."""
        if mode in self._loaded:
            return self._loaded[mode]
        candidates = self.entry_points.get(mode)
        if not candidates:
            installed = ", ".join(self.modes()) or "none"
            raise ConfigurationError(
                f"no connector is installed for mode {mode[:64]!r} (installed: {installed})",
                hint="Install the connector's package, e.g. `pip install embloy-ats-<mode>`.",
            )
        if len(candidates) > 1:
            owners = ", ".join(sorted(_distribution(ep)[0] for ep in candidates))
            raise ConfigurationError(
                f"mode {mode!r} is registered by more than one package: {owners}",
                hint="Uninstall all but one of them.",
            )
        ep = candidates[0]
        try:
            loaded = ep.load()
        except Exception as exc:
            self.failures[mode] = f"{type(exc).__name__}: {exc}"
            log.warning("connector %r failed to import: %s", mode, self.failures[mode])
            raise ConfigurationError(
                f"the connector for mode {mode!r} failed to import ({type(exc).__name__})",
                hint="Reinstall its package; `embloy-ats connectors` shows the error.",
            ) from exc
        if not (isinstance(loaded, type) and issubclass(loaded, Connector)):
            self.failures[mode] = f"{ep.value} is not a Connector subclass"
            raise ConfigurationError(f"entry point {mode!r} does not name a Connector class")
        if loaded.mode != mode:
            self.failures[mode] = f"entry point name {mode!r} != class mode {loaded.mode!r}"
            raise ConfigurationError(
                f"entry point {mode!r} names a connector whose mode is {loaded.mode!r}",
                hint="The entry-point name must equal the connector's `mode`.",
            )
        name, version = _distribution(ep)
        info = ConnectorInfo(mode, name, version, loaded)
        self._loaded[mode] = info
        return info

    def available(self) -> list[ConnectorInfo]:
        """Every connector that loads; the others land in `failures`."""
        infos = []
        for mode in self.modes():
            try:
                infos.append(self.get(mode))
            except ConfigurationError as exc:
                self.failures.setdefault(mode, exc.message)
        return infos


def _distribution(ep: EntryPoint) -> tuple[str, str]:
    dist = ep.dist
    if dist is None:
        return ("unknown", "unknown")
    return (dist.metadata["Name"] or "unknown", dist.version)
