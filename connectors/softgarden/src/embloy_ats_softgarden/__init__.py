"""Softgarden connector for embloy-ats."""

from embloy_ats_softgarden.connector import (
    SoftgardenConnector,
    SoftgardenCredentials,
    SoftgardenSettings,
)

__all__ = [
    "SoftgardenConnector",
    "SoftgardenCredentials",
    "SoftgardenSettings",
]
