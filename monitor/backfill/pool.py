"""Worker processes for the backfill's pure half, driven by the main thread alone.

`ProcessPoolExecutor` kept a manager and a feeder thread in the main process: they
pickled the tasks, unpickled every answer and woke for each, taking the interpreter
lock from the ordered writer, which is what bounds a backfill (~90 µs of the main
process's CPU an article; issue 8). Here the main thread does that work itself, at
points of its choosing: each worker has a task pipe and an answer pipe; `pump` writes
tasks without blocking (what a full pipe does not take waits for the next `pump`) and
reads and unpickles the answers that have come, and `take` hands them out in the order
the tasks were submitted. A worker holds `DEPTH` tasks, one in hand and one waiting, so
that it does not wait for the main thread between two; the rest of the window waits in
the main process for whichever worker is free first.

A worker that dies takes the tasks it held with it: `take` raises `WorkerLost` for each
and the pool goes on with the workers left (no replacement is forked: by then fetch
threads may run, and a fork copies any lock one of them holds). With none left, `take`
raises `NoWorkerLeft` for the tasks no worker had, for the caller to run itself. An
exception raised by a task comes back from `take`, with the worker's traceback as cause.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import pickle
import select
import signal
import struct
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing import get_all_start_methods, get_context
from multiprocessing.process import BaseProcess
from types import TracebackType
from typing import Any

from ..fetch.workers import RemoteTraceback, WorkerLost
from ..process import lower_priority

__all__ = ["DEPTH", "NoWorkerLeft", "Pool", "WorkerLost", "can_fork"]

log = logging.getLogger(__name__)

DEPTH = 2  # tasks a worker holds: one in hand, one waiting
PIPE_BYTES = 1 << 20  # pipe buffer asked for (Linux's default cap): a chunk goes in whole
_FRAME = struct.Struct("<Q")  # each message: its length, then its pickle
_PICKLE = pickle.HIGHEST_PROTOCOL


class NoWorkerLeft(WorkerLost):
    """Every worker process has died; none had this task, which can run elsewhere."""


def can_fork() -> bool:
    """Whether the pool can run here; elsewhere the caller runs inline. macOS can fork,
    but a child forked after system frameworks loaded may crash (Python spawns there)."""
    return sys.platform != "darwin" and "fork" in get_all_start_methods()


# -- in the worker ----------------------------------------------------------------------

def _serve(tasks: int, answers: int, inherited: list[int],
           initializer: Callable[..., None], initargs: tuple[Any, ...]) -> None:
    """A worker's life: answer the tasks on its pipe until the parent closes it."""
    for fd in inherited:  # the parent's ends: only they may hold a pipe open
        os.close(fd)
    # What the parent had is never collected here: its garbage may hold what another of
    # its threads had locked at the fork, and the worker's collections then walk only
    # its own objects, leaving the parent's pages shared (the `gc.freeze` docs' recipe).
    gc.freeze()
    gc.enable()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides how to stop
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # blocked for the fork
    lower_priority()  # the ordered writer in the parent is the bound
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    initializer(*initargs)
    while (data := _read_frame(tasks)) is not None:
        fn, args = pickle.loads(data)
        try:
            answer = pickle.dumps((True, fn(*args)), _PICKLE)
        except Exception as e:  # sent back, raised by `take`
            answer = _failure(e)
        try:
            _write_all(answers, _FRAME.pack(len(answer)) + answer)
        except OSError:  # the parent closed its end, or is gone
            return


def _exit_with_parent(parent: int) -> None:
    """A worker whose parent was killed (SIGKILL: no cleanup ran) and that is deep in a
    long task notices that it was re-parented and leaves (an idle one sees its pipe end)."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def _failure(e: Exception) -> bytes:
    trace = traceback.format_exc()
    try:
        raised = pickle.dumps(e, _PICKLE)
    except Exception:
        raised = None
    return pickle.dumps((False, (raised, trace)), _PICKLE)


def _read_exactly(fd: int, size: int) -> bytearray | None:
    data = bytearray(size)
    view, got = memoryview(data), 0
    while got < size:
        count = os.readv(fd, [view[got:]])
        if not count:
            return None
        got += count
    return data


def _read_frame(fd: int) -> bytearray | None:
    """The next message, or None at the end of the pipe."""
    head = _read_exactly(fd, _FRAME.size)
    return None if head is None else _read_exactly(fd, _FRAME.unpack(head)[0])


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


# -- in the parent ----------------------------------------------------------------------

def _widen(fd: int) -> None:
    """Ask for a larger pipe buffer (Linux), so that a whole chunk of pages or of answers
    goes in at once; elsewhere, or past the user's pipe quota, the default serves."""
    with contextlib.suppress(OSError, AttributeError, ImportError):
        import fcntl
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)


@dataclass(eq=False)
class _Task:
    call: tuple[Callable[..., Any], tuple[Any, ...]] | None  # until a worker has it
    sent: bool = False
    answer: tuple[bool, Any] | None = None
    lost: str | None = None  # why its worker's answer will never come


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    tasks: int  # the parent's ends, non-blocking
    answers: int
    alive: bool = True
    held: deque[_Task] = field(default_factory=deque)  # sent, unanswered, in order
    out: deque[memoryview] = field(default_factory=deque)  # what its pipe has not taken
    head: bytes = b""  # the length of the answer coming, as far as it came
    size: int | None = None  # the length of the answer coming, `got` bytes of it there
    got: int = 0
    buffer: bytearray = field(default_factory=bytearray)


class Pool:
    """`jobs` forked workers, fed and read by the calling thread only (not thread-safe)."""

    def __init__(self, jobs: int, initializer: Callable[..., None],
                 initargs: tuple[Any, ...] = ()) -> None:
        self._workers: list[_Worker] = []
        self._by_fd: dict[int, tuple[_Worker, bool]] = {}  # fd -> worker, is its answers
        self._poll = select.poll()
        self._window: deque[_Task] = deque()  # submitted, not taken, in order
        self._unsent: deque[_Task] = deque()  # its tail that no worker holds yet
        self._room = 0  # tasks the live workers can take before they hold DEPTH each
        try:
            self._start(jobs, initializer, initargs)
        except BaseException:
            self.close(abandon=True)
            raise

    def _start(self, jobs: int, initializer: Callable[..., None],
               initargs: tuple[Any, ...]) -> None:
        ctx = get_context("fork")
        mine: list[int] = []
        # A Ctrl-C between the fork and the child's SIG_IGN would stop the child: SIGINT
        # waits (blocked) until the children ignore it; the parent then gets it as usual.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        # No collection in the child before `_serve` freezes what it inherited: one that
        # ran in the fork's own hooks (threading._after_fork) freed another thread's
        # sqlite3 connection there, and sqlite waited forever for a mutex that thread
        # held at the fork (seen in a test whose watcher thread polled the database).
        collecting = gc.isenabled()
        gc.disable()
        try:
            for _ in range(jobs):
                task_r, task_w = os.pipe()
                answer_r, answer_w = os.pipe()
                _widen(task_w)
                _widen(answer_w)
                mine += [task_w, answer_r]
                process = ctx.Process(
                    target=_serve, args=(task_r, answer_w, list(mine), initializer, initargs),
                    name="backfill-worker", daemon=True)
                try:
                    process.start()
                finally:
                    os.close(task_r)
                    os.close(answer_w)
                os.set_blocking(task_w, False)
                os.set_blocking(answer_r, False)
                worker = _Worker(process, task_w, answer_r)
                self._workers.append(worker)
                self._room += DEPTH
                self._by_fd[answer_r] = (worker, True)
                self._by_fd[task_w] = (worker, False)
                self._poll.register(answer_r, select.POLLIN)
        finally:
            if collecting:
                gc.enable()
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)

    @property
    def pids(self) -> list[int]:
        return [w.process.pid for w in self._workers if w.process.pid is not None]

    @property
    def alive(self) -> int:
        return sum(w.alive for w in self._workers)

    def __len__(self) -> int:
        """Tasks submitted and not yet taken."""
        return len(self._window)

    def submit(self, fn: Callable[..., Any], *args: Any) -> None:
        """Queue `fn(*args)` (a module-level function) behind the tasks already queued."""
        task = _Task((fn, args))
        self._window.append(task)
        self._unsent.append(task)
        self.pump()

    def ready(self) -> bool:
        """Whether `take` would return (or raise) at once."""
        self.pump()
        task = self._window[0]
        return not (task.answer is None and task.lost is None and (task.sent or self.alive))

    def take(self) -> Any:
        """The answer of the oldest task, waiting for it if need be."""
        task = self._window[0]
        while task.answer is None and task.lost is None:
            if not task.sent and not self.alive:
                self._window.popleft()
                self._unsent.popleft()  # the unsent tasks are the window's tail
                raise NoWorkerLeft("every worker process has died")
            if not self.pump(timeout=1.0):
                self._check_alive()  # a second without news: is anyone still there?
        self._window.popleft()
        if task.lost is not None:
            raise WorkerLost(task.lost)
        assert task.answer is not None
        ok, value = task.answer
        if ok:
            return value
        raised, trace = value
        try:
            exc = pickle.loads(raised) if raised else None
        except Exception:
            exc = None
        if not isinstance(exc, BaseException):
            exc = RuntimeError(trace.strip().splitlines()[-1])
        raise exc from RemoteTraceback(trace)

    def pump(self, timeout: float = 0.0) -> bool:
        """Hand out tasks, write what the pipes take, read what has come (waiting up to
        `timeout` seconds for something to happen); whether anything happened."""
        if self._room and self._unsent:
            self._assign()
        events = self._poll.poll(timeout * 1000)
        for fd, _ in events:
            worker, is_answers = self._by_fd.get(fd, (None, False))
            if worker is None or not worker.alive:
                continue
            if is_answers:
                self._receive(worker)
            else:
                self._flush(worker)
        if self._room and self._unsent:
            self._assign()
        return bool(events)

    def close(self, abandon: bool = False) -> None:
        """Close the pipes (idle workers see their end and exit) and wait for the workers;
        `abandon`: kill them first, whatever they are doing (their answers are not wanted)."""
        for w in self._workers:
            self._hang_up(w)
            if abandon and w.process.is_alive():
                w.process.kill()
        for w in self._workers:
            w.process.join(10)
            if w.process.is_alive():
                w.process.kill()
                w.process.join()

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close(abandon=kind is not None)

    def _assign(self) -> None:
        while self._unsent and self._room:  # room: some live worker holds < DEPTH
            worker = min((w for w in self._workers if w.alive), key=lambda w: len(w.held))
            self._room -= 1
            task = self._unsent.popleft()
            # Pickled now, not when submitted: the window's pages are held once, by the
            # caller, instead of a second time as pickles (+50 MB for 80 KB pages).
            try:
                call = pickle.dumps(task.call, _PICKLE)
            except Exception as e:  # `take` raises it
                task.answer = pickle.loads(_failure(e))
                self._room += 1
                continue
            finally:
                task.call, task.sent = None, True
            worker.held.append(task)
            worker.out += [memoryview(_FRAME.pack(len(call))), memoryview(call)]
            self._flush(worker)

    def _flush(self, w: _Worker) -> None:
        """Write what the task pipe takes without blocking; watch it for the rest."""
        while w.out:
            try:
                written = os.writev(w.tasks, list(w.out))
            except BlockingIOError:
                break
            except OSError:  # EPIPE: the worker is gone
                self._lose(w)
                return
            while written:
                head = w.out[0]
                if len(head) <= written:
                    written -= len(head)
                    w.out.popleft()
                else:
                    w.out[0] = head[written:]
                    written = 0
        if w.out:
            self._poll.register(w.tasks, select.POLLOUT)  # or modify: the rest when it can
        else:
            with contextlib.suppress(KeyError):
                self._poll.unregister(w.tasks)

    def _receive(self, w: _Worker) -> None:
        """Read what the answer pipe holds; each whole answer, unpickled, goes to the
        oldest task the worker holds. Answers are read into one buffer a worker, reused:
        a fresh one for each (85 KB for 16 texts) cost more in page faults (~100 µs) than
        the read itself."""
        while True:
            try:
                if w.size is None:  # its length first
                    part = os.read(w.answers, _FRAME.size - len(w.head))
                    w.head, count = w.head + part, len(part)
                    if len(w.head) == _FRAME.size:
                        w.size, w.got, w.head = _FRAME.unpack(w.head)[0], 0, b""
                        if len(w.buffer) < w.size:
                            w.buffer = bytearray(w.size)
                else:
                    with memoryview(w.buffer) as view:
                        count = os.readv(w.answers, [view[w.got:w.size]])
                    w.got += count
            except BlockingIOError:
                return
            except OSError:
                count = 0
            if w.size is not None and w.got == w.size:
                with memoryview(w.buffer) as view:
                    answer = pickle.loads(view[:w.size])
                w.held.popleft().answer, w.size = answer, None
                self._room += 1
            elif not count:  # the end of the pipe: the worker is gone
                self._lose(w)
                return

    def _check_alive(self) -> None:
        for w in self._workers:
            if w.alive and not w.process.is_alive():
                self._receive(w)  # what it sent before it died still counts
                self._lose(w)

    def _lose(self, w: _Worker) -> None:
        """A worker died: the tasks it held will never be answered."""
        if not w.alive:
            return
        self._hang_up(w)
        w.process.join(1.0)
        if w.process.is_alive():
            w.process.kill()
            w.process.join()
        code = w.process.exitcode
        how = (f"was killed by {signal.Signals(-code).name}" if code is not None and code < 0
               else f"exited (code {code})")
        reason = f"backfill worker process {w.process.pid} {how} while it had this input"
        log.warning("backfill worker process %s %s, with %d tasks; %d workers left",
                    w.process.pid, how, len(w.held), self.alive)
        for task in w.held:
            task.lost = reason
        w.held.clear()
        w.out.clear()
        w.size = None

    def _hang_up(self, w: _Worker) -> None:
        if not w.alive:
            return
        w.alive = False
        self._room -= DEPTH - len(w.held)
        for fd in (w.tasks, w.answers):
            with contextlib.suppress(KeyError):
                self._poll.unregister(fd)
            self._by_fd.pop(fd, None)
            os.close(fd)
