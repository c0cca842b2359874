"""Politeness: concurrency limits, spacing per host, and robots.txt (cached per host).

`HostGate.slot(host)` admits a request when fewer than `per_host` requests to that
host and fewer than `concurrency` overall are in flight, and at least `spacing` has
passed since the last request to that host started. Requests wait their turn, so a
cycle over many sources of one outlet spreads itself out rather than failing.

`RobotsCache` keeps one parsed robots.txt (robots.py: RFC 9309's most specific
match, not urllib's first match) per origin for an hour (RFC 9309 2.4
allows caching up to 24 hours). Per RFC 9309 2.3.1: a 4xx robots.txt means no
restrictions; a 5xx or a network error means "assume complete disallow", cached
for a few minutes only so a brief outage does not block a host for long.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from .robots import RobotsRules

__all__ = ["HostGate", "RobotsCache"]


class HostGate:
    """Admission control for outgoing requests (thread-safe)."""

    def __init__(self, concurrency: int, per_host: int, spacing: float) -> None:
        self.concurrency = concurrency
        self.per_host = per_host
        self.spacing = spacing
        self._cond = threading.Condition()
        self._host_inflight: Counter[str] = Counter()
        self._inflight = 0
        self._next_start: dict[str, float] = {}

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        with self._cond:
            while True:
                now = time.monotonic()
                wait = self._wait_for(host, now)
                if wait == 0.0:
                    break
                self._cond.wait(timeout=wait)
            self._host_inflight[host] += 1
            self._inflight += 1
            self._next_start[host] = now + self.spacing
        try:
            yield
        finally:
            with self._cond:
                self._host_inflight[host] -= 1
                if not self._host_inflight[host]:
                    del self._host_inflight[host]
                self._inflight -= 1
                self._cond.notify_all()

    def _wait_for(self, host: str, now: float) -> float | None:
        """0 when the request may start; else seconds to wait (None: until notified)."""
        if self._inflight >= self.concurrency or self._host_inflight[host] >= self.per_host:
            return None
        due = self._next_start.get(host, 0.0)
        return 0.0 if due <= now else due - now


class RobotsCache:
    """robots.txt rules per origin; `fetch(origin)` returns (status, text) or raises."""

    TTL = 3600.0
    FAILURE_TTL = 300.0

    def __init__(self, fetch: Callable[[str], tuple[int, str]], agent: str) -> None:
        self._fetch = fetch
        self._agent = agent
        self._lock = threading.Lock()
        self._rules: dict[str, tuple[float, RobotsRules | bool]] = {}
        self._host_locks: dict[str, threading.Lock] = {}

    def allowed(self, origin: str, url: str) -> bool:
        rules = self._rules_for(origin)
        if isinstance(rules, bool):
            return rules
        return rules.allowed(url)

    def _rules_for(self, origin: str) -> RobotsRules | bool:
        with self._lock:
            lock = self._host_locks.setdefault(origin, threading.Lock())
        with lock:  # one robots.txt fetch per origin at a time
            cached = self._rules.get(origin)
            if cached and cached[0] > time.monotonic():
                return cached[1]
            rules, ttl = self._load(origin)
            self._rules[origin] = (time.monotonic() + ttl, rules)
            return rules

    def _load(self, origin: str) -> tuple[RobotsRules | bool, float]:
        try:
            status, text = self._fetch(origin + "/robots.txt")
        except Exception:
            return False, self.FAILURE_TTL
        if 400 <= status < 500:
            return True, self.TTL
        if status >= 500:
            return False, self.FAILURE_TTL
        return RobotsRules(text, self._agent), self.TTL
