"""Workday connector for embloy-ats."""

from embloy_ats.contract import NoCredentials as WorkdayCredentials

from embloy_ats_workday.connector import WorkdayConnector, WorkdaySettings

__all__ = [
    "WorkdayConnector",
    "WorkdayCredentials",
    "WorkdaySettings",
]
