"""The CPU-bound half of a fetch (parsing, cleaning, tagging) in worker processes.

Threads wait on the network; processes parse. A cycle over a thousand feeds is
bound by feedparser and the cleaner, so on a machine with cores to spare the work
goes to a `ProcessPoolExecutor` (spawned, not forked: the daemon has threads, and
forking a threaded process can copy a held lock). With `processes=0` everything
runs inline, which is what a handful of sources wants.
"""

from __future__ import annotations

import cProfile
import os
import signal
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context, util

from ..models import RawItem
from ..pipeline import Analysis, analyse
from ..tagging import Taxonomy
from .discover import Discovered, discover

__all__ = ["Workers"]

_TAXONOMY: Taxonomy | None = None


def _init(taxonomy: Taxonomy, profile: str | None = None) -> None:
    global _TAXONOMY
    _TAXONOMY = taxonomy
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if profile:  # bench/fetch.py --profile: each worker's cProfile, written when it exits
        prof = cProfile.Profile(time.thread_time)
        prof.enable()
        util.Finalize(None, prof.dump_stats, (f"{profile}.{os.getpid()}",), exitpriority=10)


def _analyse_all(items: Sequence[RawItem]) -> list[Analysis]:
    assert _TAXONOMY is not None
    return [analyse(raw, _TAXONOMY) for raw in items]


class Workers:
    """`discover` and `analyse`, inline or in a process pool (thread-safe)."""

    def __init__(self, taxonomy: Taxonomy, processes: int = 0, *,
                 profile: str | None = None) -> None:
        self.taxonomy = taxonomy
        self.processes = processes
        self._pool: ProcessPoolExecutor | None = None
        if processes > 0:
            self._pool = ProcessPoolExecutor(processes, mp_context=get_context("spawn"),
                                             initializer=_init, initargs=(taxonomy, profile))

    @property
    def pids(self) -> list[int]:
        """The worker processes' ids (started on first use); for CPU accounting."""
        procs = getattr(self._pool, "_processes", None) or {}
        return sorted(procs)

    def discover(self, kind: str, body: bytes, content_type: str, url: str,
                 source: str) -> Discovered:
        if self._pool is None:
            return discover(kind, body, content_type, url, source)
        return self._pool.submit(discover, kind, body, content_type, url, source).result()

    def analyse(self, items: Sequence[RawItem]) -> list[Analysis]:
        if not items:
            return []
        if self._pool is None:
            return [analyse(raw, self.taxonomy) for raw in items]
        return self._pool.submit(_analyse_all, list(items)).result()

    def close(self, *, wait: bool = False) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=True)
            self._pool = None
