"""Imported by the query pool's fork server, and nowhere else: from then on Linux kills the fork server when the
web server that started it dies, and with it every query process it forked (each dies with its parent too).

The fork server's own liveness check is not enough: every query process holds the pipe it watches, so a
long query would keep both alive after the web server was killed.
"""

from __future__ import annotations

from cytokg.children import die_with_parent_now

__all__: list[str] = []

die_with_parent_now()
