"""A throw-away Virtuoso Open Source server on loopback, for tests and benchmarks.

Usage::

    with LocalVirtuoso(Path("/tmp/vdb")) as server:   # writes /tmp/vdb/virtuoso.ini, starts, waits until ready
        server.sparql_url     # http://127.0.0.1:PORT/sparql                   anonymous, read-only queries
        server.update_url     # http://127.0.0.1:PORT/sparql-auth              queries and SPARQL Update (digest auth)
        server.gsp_url        # http://127.0.0.1:PORT/sparql-graph-crud-auth   Graph Store Protocol (digest auth)
        server.user, server.password   # "dba" and a random password set at start
        server.pid            # the virtuoso-t process
        server.isql("checkpoint;")     # run SQL (e.g. ld_dir/rdf_loader_run bulk loading from ``directory``)
    # leaving the block stops the server by its PID; the database files stay in ``directory``

It needs ``virtuoso-t`` and ``isql-vt`` (Debian: ``apt-get install virtuoso-opensource``). The server listens only
on 127.0.0.1, on two free ports it picks itself (never Debian's service ports 1111/8890), keeps its database in
``directory`` and may read files only there (``DirsAllowed``, for ``ld_dir``).
"""

from __future__ import annotations

import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Self

__all__ = ["LocalVirtuoso", "virtuoso_available"]

_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
DirsAllowed = {dir}
CheckpointInterval = 60
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerThreads = 10
MaxClientConnections = 10
[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = {max_seconds}
MaxQueryCostEstimationTime = {max_seconds}
"""


def virtuoso_available() -> bool:
    """Whether Virtuoso's server and SQL client are on PATH."""
    return shutil.which("virtuoso-t") is not None and shutil.which("isql-vt") is not None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalVirtuoso:
    """Start ``virtuoso-t +foreground`` with its own ini and database in ``directory``; stop it by PID.

    ``buffers`` is Virtuoso's NumberOfBuffers (8 KiB pages; 20,000 ≈ 160 MiB of cache). ``max_rows`` and
    ``max_seconds`` become the [SPARQL] ResultSetMaxRows and MaxQueryExecutionTime limits.
    """

    user = "dba"

    def __init__(
        self,
        directory: Path,
        *,
        buffers: int = 20_000,
        max_rows: int = 1_000_000,
        max_seconds: int = 120,
        startup_timeout: float = 90.0,
    ) -> None:
        self.directory = directory.resolve()
        self.buffers = buffers
        self.max_rows = max_rows
        self.max_seconds = max_seconds
        self.startup_timeout = startup_timeout
        self.http_port = 0
        self.sql_port = 0
        self.password = ""
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def sparql_url(self) -> str:
        return f"{self.base_url}/sparql"

    @property
    def update_url(self) -> str:
        return f"{self.base_url}/sparql-auth"

    @property
    def gsp_url(self) -> str:
        return f"{self.base_url}/sparql-graph-crud-auth"

    @property
    def pid(self) -> int:
        if self._process is None:
            raise RuntimeError("Virtuoso is not running")
        return self._process.pid

    def start(self) -> Self:
        """Write the ini, start the server and wait until HTTP and SQL answer; set a random dba password."""
        if not virtuoso_available():
            raise FileNotFoundError("virtuoso-t / isql-vt not found: apt-get install virtuoso-opensource")
        self.directory.mkdir(parents=True, exist_ok=True)
        self.http_port, self.sql_port = _free_port(), _free_port()
        ini = self.directory / "virtuoso.ini"
        ini.write_text(
            _INI.format(
                dir=self.directory,
                sql_port=self.sql_port,
                http_port=self.http_port,
                buffers=self.buffers,
                dirty=self.buffers * 3 // 4,
                max_rows=self.max_rows,
                max_seconds=self.max_seconds,
            ),
            encoding="utf-8",
        )
        log = (self.directory / "virtuoso.out").open("wb")
        self._process = subprocess.Popen(
            ["virtuoso-t", "+foreground", "+configfile", str(ini)],
            cwd=self.directory,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        log.close()
        try:
            self._wait_ready()
            fresh = secrets.token_urlsafe(16)
            self.password = "dba"  # noqa: S105 (a new database's default; replaced at once)
            self.isql(f"USER_SET_PASSWORD('dba', '{fresh}');")
            self.password = fresh
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        probe = f"{self.sparql_url}?" + urllib.parse.urlencode({"query": "ASK {}"})
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                tail = (self.directory / "virtuoso.out").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"virtuoso-t exited with {self._process.returncode}:\n{tail}")
            try:
                with urllib.request.urlopen(probe, timeout=2):  # noqa: S310 (our loopback server)
                    pass
                with socket.create_connection(("127.0.0.1", self.sql_port), timeout=2):
                    return
            except (OSError, urllib.error.URLError):
                time.sleep(0.3)
        raise TimeoutError(f"Virtuoso did not answer within {self.startup_timeout:g} s (log: {self.directory})")

    def isql(self, statements: str) -> str:
        """Run SQL statements with ``isql-vt`` as dba; returns its output, raises on an error."""
        result = subprocess.run(
            ["isql-vt", f"127.0.0.1:{self.sql_port}", self.user, self.password, f"exec={statements}"],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if result.returncode != 0 or "*** Error" in result.stdout + result.stderr:
            raise RuntimeError(f"isql failed: {(result.stdout + result.stderr).strip()[-1000:]}")
        return result.stdout

    def stop(self) -> None:
        """Stop the server by its PID: SIGTERM (Virtuoso checkpoints and exits), SIGKILL after 30 s."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
