"""Recruitee connector for embloy-ats."""

from embloy_ats_recruitee.connector import (
    RecruiteeConnector,
    RecruiteeCredentials,
    RecruiteeSettings,
)

__all__ = ["RecruiteeConnector", "RecruiteeCredentials", "RecruiteeSettings"]
