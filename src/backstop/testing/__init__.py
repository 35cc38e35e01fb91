"""Helpers for tests, benchmarks and the devnet: local nodes and fixtures."""
