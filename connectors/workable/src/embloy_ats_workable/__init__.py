"""Workable connector for embloy-ats."""
