"""Personio connector for embloy-ats: the career-site XML feed, and applications through
the Recruiting API."""

from embloy_ats_personio.connector import (
    PersonioConnector,
    PersonioCredentials,
    PersonioSettings,
)

__all__ = ["PersonioConnector", "PersonioCredentials", "PersonioSettings"]
