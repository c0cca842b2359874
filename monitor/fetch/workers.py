"""The CPU-bound half of a fetch (parsing, cleaning, tagging) in worker processes.

Threads wait on the network; processes parse. A cycle over a thousand feeds is
bound by feedparser and the cleaner, so on a machine with cores to spare the work
goes to worker processes (spawned, not forked: the daemon has threads, and forking
a threaded process can copy a held lock). With `processes=0` everything runs
inline, which is what a handful of sources wants.

Each worker serves `CHANNELS` pipes: a fetch thread takes an idle pipe, sends its
task and reads the answer itself, and the worker always has the next task waiting
while it works on one. `ProcessPoolExecutor` put a manager and a feeder thread
between them, woken (and taking the GIL from the ordered writer) for every task:
~2 ms of the parent's CPU a feed, about half of it polling (issue 3). A worker
that dies takes only the tasks in its hands with it (`WorkerLost`) and is
replaced; an exception raised by a task comes back as itself, with the worker's
traceback as its cause (our errors do not survive plain pickling, and one
ParseError used to break the executor for good).
"""

from __future__ import annotations

import cProfile
import os
import queue
import signal
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from multiprocessing import get_context, util
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from multiprocessing.reduction import ForkingPickler
from typing import Any

from ..models import DateContext, RawItem
from ..pipeline import Analysis, analyse
from ..process import lower_priority
from ..tagging import Taxonomy
from .discover import Discovered, discover
from .summaries import summaries_analysed

__all__ = ["CHANNELS", "RemoteTraceback", "WorkerLost", "Workers"]

CHANNELS = 2  # pipes per worker: one task in hand, one waiting

_TAXONOMY: Taxonomy | None = None


class WorkerLost(RuntimeError):
    """A worker process died (killed, out of memory) while it had this task."""


class RemoteTraceback(Exception):
    """The traceback of an exception raised in a worker (its `__cause__`)."""

    def __str__(self) -> str:
        return "\n" + str(self.args[0]) if self.args else ""


def _init(taxonomy: Taxonomy, profile: str | None = None) -> None:
    global _TAXONOMY
    _TAXONOMY = taxonomy
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    lower_priority()  # the ordered writer in the parent is the bound
    if profile:  # bench/fetch.py --profile: each worker's cProfile, written when it exits
        prof = cProfile.Profile(time.thread_time)
        prof.enable()
        util.Finalize(None, prof.dump_stats, (f"{profile}.{os.getpid()}",), exitpriority=10)


def _analyse_all(items: Sequence[RawItem]) -> list[Analysis]:
    assert _TAXONOMY is not None
    return [analyse(raw, _TAXONOMY) for raw in items]


def _discover_analysed(kind: str, body: bytes, content_type: str, url: str, source: str,
                       dates: DateContext) -> tuple[Discovered, list[Analysis | None] | None]:
    assert _TAXONOMY is not None
    return summaries_analysed(kind, body, content_type, url, source, dates, _TAXONOMY)


TASKS: dict[str, Callable[..., Any]] = {
    "discover": discover, "analyse": _analyse_all, "discover_analysed": _discover_analysed}


# -- in the worker ----------------------------------------------------------------------

def _serve(conns: list[Connection], taxonomy: Taxonomy, profile: str | None) -> None:
    """A worker's life: answer tasks on its pipes until the parent closes them all."""
    _init(taxonomy, profile)
    live = list(conns)
    while live:
        for conn in wait(live):
            assert isinstance(conn, Connection)
            try:
                name, args = conn.recv()
            except (EOFError, OSError):  # the parent closed this pipe, or is gone
                live.remove(conn)
                continue
            data = _packed(name, _answer(name, args))
            try:
                conn.send_bytes(data)
            except OSError:  # the parent closed this pipe, or is gone
                live.remove(conn)


def _answer(name: str, args: tuple[Any, ...]) -> tuple[bool, Any]:
    try:
        return True, TASKS[name](*args)
    except Exception as e:
        # Sent as (type, args, attributes): SourceError and kin take other arguments
        # than they hand to Exception, so a pickled one does not load again.
        return False, (type(e), e.args, dict(vars(e)), traceback.format_exc())


def _packed(name: str, answer: tuple[bool, Any]) -> bytes:
    try:
        return bytes(ForkingPickler.dumps(answer))
    except Exception as e:  # the answer does not pickle: say so instead
        failure = (RuntimeError, (f"{name}: the answer cannot be sent back: {e}",), {},
                   traceback.format_exc())
        return bytes(ForkingPickler.dumps((False, failure)))


def _rebuilt(kind: type[BaseException], args: tuple[Any, ...], attrs: dict[str, Any],
             trace: str) -> BaseException:
    try:
        exc = kind.__new__(kind, *args)
        exc.args = args
        exc.__dict__.update(attrs)
    except Exception:  # an exception class with a __new__ of its own
        exc = RuntimeError(f"{kind.__name__}: {', '.join(map(str, args))}")
    exc.__cause__ = RemoteTraceback(trace)
    return exc


# -- in the parent ----------------------------------------------------------------------

class _Worker:
    def __init__(self, taxonomy: Taxonomy, profile: str | None) -> None:
        ctx = get_context("spawn")
        pairs = [ctx.Pipe() for _ in range(CHANNELS)]
        self.process: BaseProcess = ctx.Process(
            target=_serve, args=([child for _, child in pairs], taxonomy, profile),
            name="fetch-worker", daemon=True)
        self.process.start()
        for _, child in pairs:
            child.close()
        self.conns = [mine for mine, _ in pairs]
        self.lost = False


class _Pool:
    """Worker processes and their idle pipes (thread-safe)."""

    def __init__(self, processes: int, taxonomy: Taxonomy, profile: str | None) -> None:
        self.size, self.taxonomy, self.profile = processes, taxonomy, profile
        self.workers: list[_Worker] = []
        self._idle: queue.SimpleQueue[tuple[_Worker, Connection] | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._closed = False

    def run(self, name: str, *args: Any) -> Any:
        task = ForkingPickler.dumps((name, args))  # a pickling error leaves the pipe as it was
        worker, conn = self._take()
        try:
            conn.send_bytes(task)
            answer = conn.recv_bytes()
        except BaseException as e:
            self._replace(worker)  # dead, or the pipe is out of step: a fresh worker
            if isinstance(e, EOFError | OSError):
                raise WorkerLost(f"worker process {worker.process.pid} died "
                                 f"(exit code {worker.process.exitcode})") from e
            raise
        finally:
            self._give_back(worker, conn)
        ok, value = ForkingPickler.loads(answer)
        if not ok:
            raise _rebuilt(*value)
        return value

    def close(self, wait: bool) -> None:
        with self._lock:
            self._closed = True
            workers = list(self.workers)
        while True:
            try:
                got = self._idle.get_nowait()
            except queue.Empty:
                break
            if got is not None:
                got[1].close()  # pipes in use are closed as they come back
        self._idle.put(None)  # wakes the threads waiting for a pipe, one after another
        if wait:
            for w in workers:
                w.process.join()

    def _take(self) -> tuple[_Worker, Connection]:
        with self._lock:
            if self._closed:
                raise RuntimeError("the worker processes are closed")
            while len(self.workers) < self.size:  # started on first use
                self._add(_Worker(self.taxonomy, self.profile))
        while True:
            got = self._idle.get()
            if got is None or self._closed:
                if got is not None:
                    got[1].close()
                self._idle.put(None)
                raise RuntimeError("the worker processes are closed")
            if not got[0].lost:
                return got
            got[1].close()  # a pipe of a replaced worker

    def _give_back(self, worker: _Worker, conn: Connection) -> None:
        with self._lock:
            keep = not (worker.lost or self._closed)
        if keep:
            self._idle.put((worker, conn))
        else:
            conn.close()

    def _add(self, worker: _Worker) -> None:
        self.workers.append(worker)
        for conn in worker.conns:
            self._idle.put((worker, conn))

    def _replace(self, worker: _Worker) -> None:
        with self._lock:
            if worker.lost:
                return
            worker.lost = True
            if worker.process.is_alive():
                worker.process.terminate()
            self.workers.remove(worker)
            if not self._closed:
                self._add(_Worker(self.taxonomy, self.profile))


class Workers:
    """`discover` and `analyse`, inline or in worker processes (thread-safe)."""

    def __init__(self, taxonomy: Taxonomy, processes: int = 0, *,
                 profile: str | None = None) -> None:
        self.taxonomy = taxonomy
        self.processes = processes
        self._pool = _Pool(processes, taxonomy, profile) if processes > 0 else None

    @property
    def pids(self) -> list[int]:
        """The worker processes' ids (started on first use); for CPU accounting."""
        workers = self._pool.workers if self._pool is not None else []
        return sorted(w.process.pid for w in workers if w.process.pid is not None)

    def discover(self, kind: str, body: bytes, content_type: str, url: str,
                 source: str) -> Discovered:
        if self._pool is None:
            return discover(kind, body, content_type, url, source)
        return self._pool.run("discover", kind, body, content_type, url, source)  # type: ignore[no-any-return]

    def discover_analysed(self, kind: str, body: bytes, content_type: str, url: str,
                          source: str, dates: DateContext
                          ) -> tuple[Discovered, list[Analysis | None] | None]:
        """`discover`, and each candidate's summary item analysed, in one round trip
        (`summaries.summaries_analysed`)."""
        if self._pool is None:
            return summaries_analysed(kind, body, content_type, url, source, dates,
                                      self.taxonomy)
        return self._pool.run(  # type: ignore[no-any-return]
            "discover_analysed", kind, body, content_type, url, source, dates)

    def analyse(self, items: Sequence[RawItem]) -> list[Analysis]:
        if not items:
            return []
        if self._pool is None:
            return [analyse(raw, self.taxonomy) for raw in items]
        return self._pool.run("analyse", list(items))  # type: ignore[no-any-return]

    def close(self, *, wait: bool = False) -> None:
        if self._pool is not None:
            self._pool.close(wait)
            self._pool = None
