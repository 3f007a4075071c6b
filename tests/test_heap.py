"""A query process gives the memory a heavy query freed back to the system (backends/heap.py)."""

from __future__ import annotations

import sys

import pytest

from cytokg.backends.heap import GROWTH, HeapTrimmer


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="malloc_trim and /proc/self/statm are Linux's")
def test_freed_memory_is_given_back_once_the_process_has_grown() -> None:
    heap = HeapTrimmer()
    assert heap.after_query() is False  # not grown: nothing to do
    blocks = [bytes(3000) for _ in range(20_000)]  # about 60 MB of malloc'd blocks below the mmap threshold
    kept = blocks[::50]  # a few stay alive, so the freed space is not all at the top of the heap
    del blocks
    grown = heap.resident()
    assert grown - heap.baseline > GROWTH
    assert heap.after_query() is True
    assert heap.resident() < grown - GROWTH
    assert heap.after_query() is False  # what stays is not trimmed again after every query
    assert len(kept) == 400
