"""Teamtailor connector for embloy-ats."""

from embloy_ats_teamtailor.connector import (
    TeamtailorConnector,
    TeamtailorCredentials,
    TeamtailorSettings,
)

__all__ = ["TeamtailorConnector", "TeamtailorCredentials", "TeamtailorSettings"]
