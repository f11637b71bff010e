"""JOIN connector for embloy-ats."""

from embloy_ats_join.connector import (
    JoinConnector,
    JoinCredentials,
    JoinSettings,
)

__all__ = [
    "JoinConnector",
    "JoinCredentials",
    "JoinSettings",
]
