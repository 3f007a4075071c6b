"""Helpers for tests and benchmarks (never imported by the app)."""

__all__: list[str] = []
