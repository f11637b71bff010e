"""Teamtailor connector for embloy-ats."""
