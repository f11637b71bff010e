"""Greenhouse connector for embloy-ats: Harvest API v3, or the public Job Board API."""

from embloy_ats_greenhouse.connector import (
    GreenhouseConnector,
    GreenhouseCredentials,
    GreenhouseSettings,
)

__all__ = [
    "GreenhouseConnector",
    "GreenhouseCredentials",
    "GreenhouseSettings",
]
