"""Give a query process's freed heap back to the system after a query that needed much memory.

glibc keeps memory a query freed (a sort of 100,000 labels, a GROUP BY's groups) for reuse, so without this a
process that once ran a heavy query stays that large for good and every such process adds its high-water mark
to the server's memory. ``malloc_trim`` returns the free pages; it walks the free chunks, so it runs only when
the process is well above the size it had when it was ready. What a trim cannot give back is live: mostly the
store's caches (its block cache, each table file's index), which go only with the store; so a process still
``GROWTH`` larger than when it was ready after a trim opens its store afresh (``grown``, ``after_reopen``).
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable

__all__ = ["HeapTrimmer"]

#: Growth of the resident set (bytes) past which a query's freed memory is given back.
GROWTH = 16 * 1024 * 1024
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    trim = getattr(ctypes.CDLL(None), "malloc_trim", None)  # glibc only (not musl)
    return trim if callable(trim) else None


class HeapTrimmer:
    """Remembers the process's size when it was ready (``ready``; ``baseline`` is the size after its last trim,
    which may not give everything back); ``after_query`` trims the heap once the process has grown past it by
    ``GROWTH``."""

    def __init__(self) -> None:
        self._trim = _malloc_trim()
        try:  # kept open: a look at the size is then one system call
            self._statm: int | None = os.open("/proc/self/statm", os.O_RDONLY)
        except OSError:
            self._statm = None
        self.baseline = self.ready = self.resident()

    def resident(self) -> int:
        """This process's resident set in bytes (0 where /proc is missing)."""
        if self._statm is None:
            return 0
        try:
            return int(os.pread(self._statm, 128, 0).split()[1]) * _PAGE
        except (OSError, IndexError, ValueError):
            return 0

    def after_query(self) -> bool:
        """Give freed memory back if the process has grown by more than ``GROWTH``; whether it trimmed."""
        if self._trim is None or self.resident() - self.baseline <= GROWTH:
            return False
        self._trim(0)
        self.baseline = max(self.baseline, self.resident())  # what stays is not trimmed again after every query
        return True

    def grown(self) -> bool:
        """Whether the process is more than ``GROWTH`` larger than when it was ready."""
        return self._statm is not None and self.resident() - self.ready > GROWTH

    def after_reopen(self) -> None:
        """Give back what the old store freed, and count what stays as the process's size from now on (so a
        process where a fresh store does not help does not open one after every query)."""
        if self._trim is not None:
            self._trim(0)
        self.baseline = self.ready = max(self.ready, self.resident())
