"""Benchmarks and the local fake ATS they (and the soak test) run against. Not tests."""
