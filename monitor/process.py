"""Process helpers: liveness (the daemon lock, the outbox's crash recovery), the heap
of a long run, and the priority of worker processes."""

from __future__ import annotations

import contextlib
import gc
import os

__all__ = ["WORKER_NICENESS", "lower_priority", "pid_alive", "settle_heap"]

WORKER_NICENESS = 10  # added to a worker process's nice value (`lower_priority`)


def settle_heap() -> None:
    """Take what a long run starts with (modules, configuration) out of the cyclic
    garbage collector's walks: collect once, then freeze the survivors.

    Later collections then visit only what the run allocates: 3.4% of the ordered
    writer's instructions in a backfill (callgrind, 1,000 articles; issue 8). Worker
    processes forked afterwards also leave those pages shared instead of touching
    them in their own collections.
    """
    gc.collect()
    gc.freeze()


def lower_priority() -> None:
    """Run this (worker) process behind its parent when the cores are all busy.

    Backfill and the fetch cycle both funnel every item through one ordered writer in
    the parent, which is what bounds them: at equal priority the kernel shared two
    cores among the parent and two workers, the writer got about 60% of a core, and
    the workers sat idle behind it for lack of new tasks (issues 3 and 8). Niced, the
    workers fill the time the parent leaves. A platform without `nice` runs as is.
    """
    with contextlib.suppress(OSError, AttributeError):
        os.nice(WORKER_NICENESS)


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists on this machine (signal 0 probes, sends nothing)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, owned by someone else
    return True
