"""BambooHR connector for embloy-ats."""

from embloy_ats_bamboohr.connector import (
    BamboohrConnector,
    BamboohrCredentials,
    BamboohrSettings,
)

__all__ = [
    "BamboohrConnector",
    "BamboohrCredentials",
    "BamboohrSettings",
]
