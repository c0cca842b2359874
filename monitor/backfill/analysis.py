"""The pure half of a backfill (cleaning, fingerprints, tagging), in input order.

Inline for one job; otherwise in forked worker processes (`pool.py`), a bounded window
ahead of the ordered writer. Items read in the main process go to the workers in chunks;
JSONL files go as byte ranges that the workers read themselves (`jsonl.py`). Contains no
store access: `__init__.py` decides and stores.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Generator, Iterable, Iterator
from dataclasses import replace

from ..pipeline import Analysis, analyse
from ..tagging import Taxonomy
from .items import InputContext, InputItem
from .jsonl import JsonlChunk, read_chunk
from .pool import NoWorkerLeft, Pool, WorkerLost, can_fork

__all__ = ["AHEAD_PER_JOB", "CHUNK_ITEMS", "CHUNK_WAIT", "Analysed", "Unit", "analysed"]

log = logging.getLogger(__name__)

CHUNK_ITEMS = 16  # items read in the main process that go to a worker at once
CHUNK_WAIT = 0.1  # seconds an incomplete chunk waits for more items
# Chunks in flight a worker: the writer takes results in order and in bursts, and 4 left
# the workers idle, then the writer waiting on the window's head (text bench: 512/s at 4,
# 612/s at 16; issue 8). Two jobs: 512 items ahead, ~3 MB of results or ~40 MB of pages.
AHEAD_PER_JOB = 16


_WORKER_TAXONOMY: Taxonomy | None = None
_WORKER_CTX: InputContext | None = None

# What goes to the analysis: an item read in the main process, or a JSONL byte range
# that the worker reads (`_not_done` turns planned chunks with their keys into these).
Unit = InputItem | JsonlChunk
Task = list[InputItem] | JsonlChunk  # what a worker gets at once
Analysed = tuple[InputItem, "Analysis | str | None"]


def _init_worker(taxonomy: Taxonomy, ctx: InputContext | None = None) -> None:
    global _WORKER_TAXONOMY, _WORKER_CTX
    _WORKER_TAXONOMY, _WORKER_CTX = taxonomy, ctx


def _analyse_item(item: InputItem, taxonomy: Taxonomy | None = None) -> Analysis | str | None:
    if item.raw is None:
        return None
    try:
        return analyse(item.raw, taxonomy or _WORKER_TAXONOMY)  # type: ignore[arg-type]
    except Exception as e:  # a bug on one input must not sink the run; it is reported
        log.exception("analysing %s failed", item.where)
        return f"internal error while cleaning: {type(e).__name__}: {e}"


def _analyse_jsonl(
    chunk: JsonlChunk, ctx: InputContext | None = None, taxonomy: Taxonomy | None = None
) -> list[Analysed]:
    """Read, parse and analyse a JSONL byte range; the items go back without their
    raw text (the writer needs the key, the place and the analysis)."""
    items = read_chunk(chunk, ctx or _WORKER_CTX)  # type: ignore[arg-type]
    return [(replace(i, raw=None), _analyse_item(i, taxonomy)) for i in items]


def _paired(items: list[InputItem]) -> list[Analysed]:
    """Items read in the main process, analysed; they go back without their raw text."""
    return [(replace(i, raw=None), _analyse_item(i)) for i in items]


def _inline(task: Task, taxonomy: Taxonomy, ctx: InputContext) -> list[Analysed]:
    if isinstance(task, JsonlChunk):
        return _analyse_jsonl(task, ctx, taxonomy)
    return [(i, _analyse_item(i, taxonomy)) for i in task]


def _lost(task: Task, reason: str, ctx: InputContext) -> list[Analysed]:
    """The items of a task whose worker died, failed with why: not checkpointed, so the
    next run reads them again (a JSONL range is read here to name each line)."""
    if not isinstance(task, JsonlChunk):
        items = task
    else:
        try:
            items = read_chunk(task, ctx)
        except OSError:
            items = [InputItem(f"{task.base}#{task.first}", f"{task.path}:{task.first}")]
    why = f"{reason}; run the backfill again to retry it"
    return [(i if i.error else replace(i, raw=None, error=why, failure="worker"), None)
            for i in items]


def analysed(
    units: Iterable[Unit], taxonomy: Taxonomy, jobs: int, ctx: InputContext
) -> Generator[Analysed, None, None]:
    """Items with their analysis, in input order; a bounded window runs ahead."""
    if jobs <= 1 or not can_fork():
        for unit in units:
            yield from _inline(unit if isinstance(unit, JsonlChunk) else [unit], taxonomy, ctx)
        return
    # Forked, so that the workers start with what this process has loaded (modules, the
    # taxonomy, the cleaner's models; `settle_heap` froze them, so their pages stay
    # shared): two workers answer in ~0.07 s, where spawned ones, importing and
    # unpickling it all again, took ~2.5 s. Forked now, before URL inputs start their
    # fetch threads: a process forked while another thread holds a lock inherits it held.
    with Pool(jobs, _init_worker, (taxonomy, ctx)) as pool:
        tasks: deque[Task] = deque()  # what each task of the pool's window holds

        def send(task: Task) -> None:
            tasks.append(task)
            pool.submit(_analyse_jsonl if isinstance(task, JsonlChunk) else _paired, task)

        def taken(ahead: int) -> Iterator[Analysed]:
            """The window's head while it is done, or the window is `ahead` long."""
            while tasks and (len(tasks) >= ahead or pool.ready()):
                task = tasks.popleft()
                try:
                    results = pool.take()
                except NoWorkerLeft:
                    results = _inline(task, taxonomy, ctx)
                except WorkerLost as e:
                    results = _lost(task, str(e), ctx)
                for result in results:
                    yield result
                    pool.pump()  # the workers get their next task while the writer works

        chunk: list[InputItem] = []
        chunk_started = 0.0
        for unit in units:
            if isinstance(unit, JsonlChunk):
                if chunk:  # keep input order: items read before the range go first
                    send(chunk)
                    chunk = []
                send(unit)
            else:
                if not chunk:
                    chunk_started = time.monotonic()
                chunk.append(unit)
            # Items that trickle in (fetched pages) go out in small chunks, and finished
            # chunks are handed on at once, so a slow site's pages are stored as they come.
            if chunk and (len(chunk) == CHUNK_ITEMS
                          or time.monotonic() - chunk_started > CHUNK_WAIT):
                send(chunk)
                chunk = []
            yield from taken(jobs * AHEAD_PER_JOB)
        if chunk:
            send(chunk)
        yield from taken(1)
