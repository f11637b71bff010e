"""Greenhouse connector for embloy-ats."""

from embloy_ats_greenhouse.connector import GreenhouseConnector, GreenhouseSettings

__all__ = ["GreenhouseConnector", "GreenhouseSettings"]
