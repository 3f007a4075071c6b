"""Fair shares per client, in the Wikidata Query Service model: a budget of server time and a cap on parallel
requests. Quick lookups cost almost nothing, so a script making hundreds of them is never throttled; a client
running long queries spends its budget and waits.

Budgets are kept by the `limits` library (sliding-window counters that expire with their window, so idle
clients are forgotten); its storage URI (``memory://``, ``redis://…``) decides whether several servers share
them. IPv6 clients are counted by their /64 network, the unit a single user controls.
"""

from __future__ import annotations

import ipaddress
import json
import math
import threading
import time
import weakref
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from limits import RateLimitItemPerSecond, storage, strategies

__all__ = ["ClientLimits", "Wait"]

#: Every request costs at least this many milliseconds of the budget (a floor against floods of trivial ones).
_MIN_COST_MS = 5
#: Seconds between two sweeps of expired in-memory counters (idle clients' windows).
_SWEEP_SECONDS = 1.0


class _Counters(storage.MemoryStorage):
    """`limits`' in-memory storage, swept by one thread for its whole life.

    The library's own starts a new timer thread at a hit 10 ms after its last sweep, and that hit waits until
    the thread runs: every few cheap requests paid a thread start. Expired counters are still forgotten
    when read (``get``) and by the sweep, so memory stays bounded by the clients of the last two windows.
    """

    def __init__(self) -> None:
        super().__init__()
        sweeper = threading.Thread(target=_sweep, args=(weakref.ref(self),), daemon=True, name="cytokg-limits-sweep")
        sweeper.start()

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        """Add ``amount`` to ``key``'s counter (a new one expires after ``expiry`` seconds)."""
        self.get(key)  # forgets the counter if it has expired
        with self.locks[key]:
            self.storage[key] += amount
            if self.storage[key] == amount:
                self.expirations[key] = time.time() + expiry
        return self.storage.get(key, 0)

    def decr(self, key: str, amount: int = 1) -> int:
        """Take ``amount`` from ``key``'s counter, not below 0."""
        self.get(key)
        with self.locks[key]:
            self.storage[key] = max(self.storage[key] - amount, 0)
        return self.storage.get(key, 0)

    def dump(self) -> dict[str, dict[str, float]]:
        """The live counters and their expiry times (wall clock), for a process that takes over."""
        return {"counts": dict(self.storage), "expires": dict(self.expirations)}  # copies made under the GIL

    def load(self, dumped: dict[str, dict[str, float]]) -> None:
        """Take over counters ``dump`` gave (those already expired are left out)."""
        now = time.time()
        for key, expires in dumped["expires"].items():
            if expires > now and key in dumped["counts"]:
                self.storage[key] = int(dumped["counts"][key])
                self.expirations[key] = float(expires)


def _sweep(counters: weakref.ref[_Counters]) -> None:
    """Forget expired counters every ``_SWEEP_SECONDS`` while the storage exists."""
    while (live := counters()) is not None:
        now = time.time()
        for key, expires in list(live.expirations.items()):
            if expires <= now:
                live.clear(key)
        del live
        time.sleep(_SWEEP_SECONDS)


@dataclass(frozen=True)
class Wait:
    """Why a client must wait, and for how long (seconds, for Retry-After)."""

    message: str
    retry_after: int


class ClientLimits:
    """Parallel requests and server time per client."""

    def __init__(self, parallel: int, budget_seconds: float, window_seconds: int, storage_uri: str) -> None:
        self.parallel = parallel
        self.budget_seconds = budget_seconds
        self.window_seconds = window_seconds
        self._item = RateLimitItemPerSecond(max(1, int(budget_seconds * 1000)), window_seconds)
        self._counters = _Counters() if storage_uri == "memory://" else None
        counters = self._counters or storage.storage_from_string(storage_uri)
        self._limiter = strategies.SlidingWindowCounterRateLimiter(counters)
        self._running: Counter[str] = Counter()
        self._lock = threading.Lock()

    @staticmethod
    @lru_cache(maxsize=4096)  # every request asks (three times); parsing the address is the costly part
    def client_key(address: str) -> str:
        """The unit a budget belongs to: an IPv4 address, or an IPv6 /64 network.

        >>> ClientLimits.client_key("2001:db8::1"), ClientLimits.client_key("10.0.0.1")
        ('2001:db8::/64', '10.0.0.1')
        """
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return address
        if isinstance(ip, ipaddress.IPv6Address):
            if ip.ipv4_mapped is not None:
                return str(ip.ipv4_mapped)
            return str(ipaddress.ip_network(f"{ip}/64", strict=False))
        return str(ip)

    def hand_over(self, path: Path) -> None:
        """Write the budgets kept in memory to ``path`` (atomically) for the process that replaces this one."""
        if self._counters is not None:
            part = path.with_name(path.name + ".part")
            part.write_text(json.dumps(self._counters.dump()), encoding="utf-8")
            part.replace(path)

    def take_over(self, path: Path) -> None:
        """Go on with the budgets ``hand_over`` wrote to ``path``, if any (a shared store needs none)."""
        if self._counters is not None and path.exists():
            self._counters.load(json.loads(path.read_text(encoding="utf-8")))

    def admit(self, client: str) -> Wait | None:
        """Take a parallel slot for ``client``, or say why it must wait."""
        if not self._limiter.test(self._item, client):
            reset = self._limiter.get_window_stats(self._item, client).reset_time
            return Wait(
                f"this client used its {self.budget_seconds:g} s of query time per {self.window_seconds} s; "
                "wait, or send lighter queries",
                max(1, math.ceil(reset - time.time())),
            )
        with self._lock:
            if self._running[client] >= self.parallel:
                return Wait(f"at most {self.parallel} requests per client at once; wait for one to finish", 1)
            self._running[client] += 1
        return None

    def release(self, client: str, seconds: float) -> None:
        """Give back ``client``'s slot and charge it the server time its request took."""
        with self._lock:
            self._running[client] -= 1
            if self._running[client] <= 0:
                del self._running[client]
        cost = max(_MIN_COST_MS, round(seconds * 1000))
        if not self._limiter.hit(self._item, client, cost=cost):  # more than is left: the budget is spent
            left = self._limiter.get_window_stats(self._item, client).remaining
            if left > 0:
                self._limiter.hit(self._item, client, cost=left)
