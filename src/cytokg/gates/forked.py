"""Run a gate in a forked child process, so two Python gates use both cores (the GIL serialises threads).

The child inherits the parent's graphs (no copy, no pickling) and sends back only its picklable result.
It dies with the parent (a killed build leaves nothing running); fork only while no other thread runs.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Generic, TypeVar

from cytokg.children import die_with_parent_now
from cytokg.errors import InputError

__all__ = ["Forked"]

T = TypeVar("T")


def _child(function: Callable[[], object], send: Connection) -> None:
    die_with_parent_now()
    try:
        send.send(("value", function()))
    except InputError as error:  # its constructor takes four arguments, so it does not pickle itself
        send.send(("input", (str(error.path), error.line, error.problem, error.fix)))
    except Exception:  # noqa: BLE001 - the child's boundary: the parent raises it with this traceback
        send.send(("error", traceback.format_exc()))
    finally:
        send.close()


class Forked(Generic[T]):
    """``function()`` running in a forked child; :meth:`result` waits for its value (or raises its error)."""

    def __init__(self, function: Callable[[], T], name: str) -> None:
        context = multiprocessing.get_context("fork")
        self.name = name
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=_child, args=(function, send), name=name, daemon=True)
        self._process.start()
        send.close()

    def result(self) -> T:
        """The child's value; its input error or failure is raised here, in the parent."""
        try:
            kind, value = self._receive.recv()
        except EOFError:
            kind, value = "error", f"the {self.name} process ended without an answer"
        finally:
            self._receive.close()
            self._process.join()
        if kind == "input":
            path, line, problem, fix = value
            raise InputError(path, line, problem, fix)
        if kind == "error":
            raise RuntimeError(f"{self.name} failed in its child process:\n{value}")
        return value  # type: ignore[no-any-return]

    def stop(self) -> None:
        """End the child if it is still running (the build failed elsewhere)."""
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._receive.close()
