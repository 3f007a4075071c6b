"""Per-client budgets in memory: counted as before, with no thread per request (forgetting idle clients:
test_hostile.py)."""

from __future__ import annotations

import threading
import time

from cytokg.web.fairness import ClientLimits


def test_the_budget_is_counted_and_spent() -> None:
    limits = ClientLimits(parallel=2, budget_seconds=0.05, window_seconds=60, storage_uri="memory://")
    assert limits.admit("10.0.0.1") is None
    limits.release("10.0.0.1", 0.06)
    wait = limits.admit("10.0.0.1")
    assert wait is not None and "0.05 s of query time per 60 s" in wait.message
    assert limits.admit("10.0.0.2") is None  # another client keeps its own budget


def test_requests_start_no_threads() -> None:
    """The library's memory storage started a timer thread at a hit 10 ms after its last sweep."""
    limits = ClientLimits(parallel=4, budget_seconds=60, window_seconds=60, storage_uri="memory://")
    time.sleep(0.05)
    started = threading.active_count()
    for _ in range(20):
        assert limits.admit("10.0.0.1") is None
        time.sleep(0.012)
        limits.release("10.0.0.1", 0.001)
    assert threading.active_count() == started
