"""Workable connector for embloy-ats."""

from embloy_ats_workable.connector import (
    WorkableConnector,
    WorkableCredentials,
    WorkableSettings,
)

__all__ = ["WorkableConnector", "WorkableCredentials", "WorkableSettings"]
