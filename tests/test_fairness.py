"""Per-client budgets in memory: counted as before, with no thread per request (forgetting idle clients:
test_hostile.py)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

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


def test_a_replacement_goes_on_with_the_budgets_it_is_handed(tmp_path: Path) -> None:
    """A web process that is replaced hands its clients' budgets over: a client who spent its budget is still
    waiting in the new process, and one who did not is not."""
    before = ClientLimits(4, 1.0, 60, "memory://")
    assert before.admit("spent") is None
    before.release("spent", 2.0)  # more than its 1 s
    assert before.admit("fresh") is None
    before.release("fresh", 0.01)
    handover = tmp_path / "budgets.json"
    before.hand_over(handover)
    after = ClientLimits(4, 1.0, 60, "memory://")
    after.take_over(handover)
    wait = after.admit("spent")
    assert wait is not None and "used its 1 s" in wait.message
    assert after.admit("fresh") is None
    fresh_start = ClientLimits(4, 1.0, 60, "memory://")
    fresh_start.take_over(tmp_path / "absent.json")  # nothing handed over: nothing to take
    assert fresh_start.admit("spent") is None
