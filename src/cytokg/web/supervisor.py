"""The supervisor of ``cytokg serve`` (``python -m cytokg.web.supervisor``): keeps one web process on the socket.

``cytokg serve`` (serve.py) opens the listening socket and replaces itself with this module, so the process that
lives as long as the server holds only the interpreter and the few standard modules imported here: it never
imports click, the app or the store, and never unpickles the web processes' settings, only passes their bytes on
(it reads them from a pipe ``cytokg serve`` filled). It starts a web process (front.py) on the socket, replaces
one that asks to be retired or dies, and tells a retired one to drain once its replacement serves (serve.py's
docstring tells the whole story).
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from typing import Any

__all__ = ["RETIRE", "UP", "Supervisor", "main"]

#: What a web process writes on its status pipe: it serves, or it should be replaced.
UP = b"U"
RETIRE = b"R"
#: Seconds between restarts of a web process that dies before it serves.
_BACKOFF = 1.0


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)  # noqa: T201 - the server's log, as logging's "%(message)s"


class _Front:
    """A web process and the read end of its status pipe."""

    __slots__ = ("draining", "process", "retiring", "status", "up")

    def __init__(self, process: subprocess.Popen[bytes], status: int) -> None:
        self.process = process
        self.status = status
        self.up = False
        self.retiring = False
        self.draining = False


class Supervisor:
    """Starts web processes on the socket ``listen_fd``, each handed ``spec`` (the pickled ``FrontSpec``), and
    replaces them. At most two live at once: the one serving, and one draining (a second retirement meanwhile
    kills the older)."""

    def __init__(self, listen_fd: int, spec: bytes) -> None:
        self.listen_fd = listen_fd
        self.spec = spec
        self.fronts: list[_Front] = []
        self.stopping = False
        self.served = False  # some web process has served: from then on, never give up
        self.next_start = 0.0
        self.failed: int | None = None  # the exit status of a first web process that could not start

    def serving(self) -> list[_Front]:
        return [front for front in self.fronts if not front.retiring]

    def start(self) -> None:
        """Start a web process, or (if the system refuses) try again after ``_BACKOFF`` seconds."""
        read, write = os.pipe()
        # the web process reads whether it replaces another, its socket and its status pipe from its arguments
        command = [sys.executable, "-m", "cytokg.web.front", str(int(self.served)), str(self.listen_fd), str(write)]
        try:
            process = subprocess.Popen(command, stdin=subprocess.PIPE, pass_fds=(self.listen_fd, write))
        except OSError as error:
            os.close(read)
            os.close(write)
            _say(f"could not start a web process ({error}); trying again")
            self.next_start = time.monotonic() + _BACKOFF
            return
        os.close(write)
        assert process.stdin is not None
        try:
            process.stdin.write(self.spec)
            process.stdin.close()
        except OSError:
            pass  # it died at once: reap() sees it
        self.fronts.append(_Front(process, read))

    def read_status(self, front: _Front) -> None:
        try:
            data = os.read(front.status, 64)
        except OSError:
            data = b""
        if UP in data:
            front.up = self.served = True
            for old in self.fronts:  # the new process serves: the ones it replaces drain now
                if old is not front and old.retiring and not old.draining:
                    old.draining = True
                    old.process.send_signal(signal.SIGUSR1)
        if RETIRE in data and not front.retiring:
            _say(f"web process {front.process.pid} asks to be replaced")
            for old in self.fronts:
                if old.draining:  # at most two at once
                    old.process.kill()
            front.retiring = True

    def reap(self) -> None:
        """Forget ended web processes; one that ended before it served delays the next start."""
        for front in list(self.fronts):
            code = front.process.poll()
            if code is None:
                continue
            os.close(front.status)
            self.fronts.remove(front)
            if front.draining or self.stopping:
                continue
            _say(f"web process {front.process.pid} ended (exit status {code})")
            if not front.up:
                self.next_start = time.monotonic() + _BACKOFF
                if not self.served:
                    self.failed = code or 1

    def run(self) -> int:
        """Supervise until stopped; the exit status of the first web process if it could not start."""
        while not self.stopping:
            if not self.serving() and time.monotonic() >= self.next_start:
                self.start()
            statuses = [front.status for front in self.fronts]
            ready, _, _ = select.select(statuses, [], [], 0.2)
            for front in list(self.fronts):
                if front.status in ready:
                    self.read_status(front)
            self.reap()
            if self.failed is not None:
                return self.failed  # no store, bad settings: say so rather than try forever
        return 0

    def stop(self) -> None:
        """Stop every web process (SIGTERM, then SIGKILL after 10 s)."""
        self.stopping = True
        for front in self.fronts:
            front.process.terminate()
        for front in self.fronts:
            try:
                front.process.wait(10)
            except subprocess.TimeoutExpired:
                front.process.kill()


def _read_all(descriptor: int) -> bytes:
    chunks = []
    while chunk := os.read(descriptor, 65_536):
        chunks.append(chunk)
    os.close(descriptor)
    return b"".join(chunks)


def _remove(folder: str) -> None:
    """Remove the server's private folder (files only: the budgets a web process handed over)."""
    try:
        for name in os.listdir(folder):
            os.remove(os.path.join(folder, name))
        os.rmdir(folder)
    except OSError:
        pass


def main(arguments: list[str] | None = None) -> None:
    """Supervise the web processes on the inherited socket until stopped: ``LISTEN_FD SPEC_FD FOLDER`` (a pipe
    holding the pickled ``FrontSpec``; the server's private folder, removed at the end)."""
    listen_fd, spec_fd, folder = (arguments if arguments is not None else sys.argv[1:])[:3]
    supervisor: Supervisor | None = None
    stopped = [False]

    def stop(_signal: int, _frame: Any) -> None:
        stopped[0] = True
        if supervisor is not None:
            supervisor.stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    code = 0
    try:
        supervisor = Supervisor(int(listen_fd), _read_all(int(spec_fd)))
        supervisor.stopping = stopped[0]
        code = supervisor.run()
    finally:
        if supervisor is not None:
            supervisor.stop()
        _remove(folder)
    if code:
        sys.exit(code)


if __name__ == "__main__":
    main()
