"""Test tooling for connectors: the conformance suite and the cassette secret scanner."""
