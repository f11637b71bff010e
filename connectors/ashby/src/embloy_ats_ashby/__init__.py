"""Ashby connector for embloy-ats."""
