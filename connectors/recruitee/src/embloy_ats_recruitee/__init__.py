"""Recruitee connector for embloy-ats."""
