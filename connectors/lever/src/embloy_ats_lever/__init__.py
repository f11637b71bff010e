"""Lever connector for embloy-ats."""

from embloy_ats_lever.connector import LeverConnector, LeverCredentials, LeverSettings

__all__ = ["LeverConnector", "LeverCredentials", "LeverSettings"]
