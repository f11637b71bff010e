"""Ashby connector for embloy-ats."""

from embloy_ats_ashby.connector import AshbyConnector, AshbyCredentials, AshbySettings

__all__ = ["AshbyConnector", "AshbyCredentials", "AshbySettings"]
