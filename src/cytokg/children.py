"""Child processes that die with their parent: a killed build leaves no Java running, a killed server no query."""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Callable

__all__ = ["die_with_parent", "die_with_parent_now"]

#: Linux prctl(2) option: the signal the kernel sends a process when the thread that started it dies.
_PR_SET_PDEATHSIG = 1


def _prctl() -> Callable[..., int] | None:
    return ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None


def die_with_parent_now() -> None:
    """In a process already running (a ``multiprocessing`` child): Linux SIGKILLs it when its parent dies.

    It exits at once if the parent died before the request took effect (it was re-parented to init).
    """
    prctl = _prctl()
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() == 1:
        os._exit(0)


def die_with_parent() -> Callable[[], None]:
    """A ``preexec_fn`` for :mod:`subprocess`: Linux SIGKILLs the child when this process dies, even by SIGKILL.

    Elsewhere it does nothing. The C function is looked up here, in the parent, not in the forked child.
    """
    parent = os.getpid()
    prctl = _prctl()

    def preexec() -> None:
        if prctl is not None:
            prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before the request took effect
            os._exit(1)

    return preexec
