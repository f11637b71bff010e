"""Lever connector for embloy-ats."""
