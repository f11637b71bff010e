"""SmartRecruiters connector for embloy-ats."""

from embloy_ats_smartrecruiters.connector import (
    SmartrecruitersConnector,
    SmartrecruitersCredentials,
    SmartrecruitersSettings,
)

__all__ = [
    "SmartrecruitersConnector",
    "SmartrecruitersCredentials",
    "SmartrecruitersSettings",
]
