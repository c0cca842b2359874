"""Storing fetched items: the items of every source that is ready, in one transaction.

Each source's turn ends with its analysed items and the feed entries it saw. They
are committed together (a killed process keeps all of a source's items and entry
marks or none, so nothing is lost or stored twice), in the order turns arrived, by
one thread at a time (the store's lock), so that "the first copy" stays well defined.

Group commit (issue 3): while one thread holds the lock and commits, the turns that
become ready queue up, and the next thread to get the lock commits all of them in
one transaction. A transaction's COMMIT writes every page it dirtied to the WAL
(and, every ~100 MB of WAL, copies it into the database and syncs it: `Store`):
the LSH band index takes ~1,260 inserts at random keys a 30-item feed, so one
feed's COMMIT rewrote ~1,300 pages (5 MB) of a 1,000-feed corpus, and most of that
cost is the same pages written again by the next feed. A group shares it.

A turn that is ready waits for company only when company is on its way: while other
turns' items are being analysed (`Committer.coming`), it waits up to `LINGER` for
them (or for `GROUP_ITEMS`). Without that wait, a 1,000-feed cycle on two cores
committed ~2.7 feeds a transaction (the workers, not the writer, set the pace), at
~7 ms of the main process's CPU a COMMIT; with it 5-7 feeds share one (bench/fetch.py).
Waiting costs no CPU, and a source alone (a daemon job) is committed at once.

If a group's transaction fails, it is rolled back and each turn is tried again in a
transaction of its own, so one source's trouble stays that source's error.

A whole cycle (`Fetcher.run_cycle`) does not wait for its turns: it `submit`s them and a
committing thread of its own (`background`) stores them, group by group, and calls
each turn's `then` once it is stored. A fetch thread that waited for its group sat
there while the workers ran out of feeds to parse: half of the 16 fetch threads were
waiting for commits on average, and the 2 cores were 1.2-1.45 busy (issue 3).
Turns queued without waiting are bounded (`backlog` items): past it, `submit` waits,
so a writer slower than the workers holds the fetch threads back instead of memory
filling with analysed items.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from ..errors import StoreError
from ..pipeline import Analysis, Outcome, Pipeline
from ..store import Store

__all__ = ["BACKLOG_GROUPS", "GROUP_ITEMS", "LINGER", "Coming", "Committer", "Stored"]

log = logging.getLogger("monitor.fetch")

# Items in one transaction at most: a group of ~20 feeds of 30 items holds the store
# for about a second (the daemon waits `STOP_GRACE` seconds for jobs in hand).
GROUP_ITEMS = 600
# Seconds a ready turn waits at most for turns still being analysed.
LINGER = 0.5
# Items queued by `submit` at most, in groups: one group being stored, the next ones
# ready behind it (analysed items, ~10 KB each).
BACKLOG_GROUPS = 3

# What a submitted turn is told once stored: its outcomes, or what storing it raised.
Stored = Callable[[list[Outcome] | None, BaseException | None], None]


class Coming:
    """A turn announced to the committer while its items are analysed."""

    arrived = False


@dataclass
class _Turn:
    source: str
    items: Sequence[tuple[str, Analysis]]  # (feed entry key, analysed item)
    seen: Sequence[tuple[str, int | None]]  # entries marked seen without an item
    fetched_at: datetime
    outcomes: list[Outcome] | None = None
    error: BaseException | None = None
    done: bool = field(default=False)
    then: Stored | None = None  # submitted: called by the committing thread, once done
    queued_at: float = 0.0


class Committer:
    """Commits sources' items, grouped when several are ready at once (thread-safe)."""

    def __init__(self, store: Store, pipeline: Pipeline, *, group_items: int = GROUP_ITEMS,
                 linger: float = LINGER) -> None:
        self.store, self.pipeline = store, pipeline
        self.group_items, self.linger = group_items, linger
        self._queue: deque[_Turn] = deque()
        self._queued_items = 0
        self._coming = 0  # turns whose items are being analysed
        self._background = 0  # committing threads of `background()` running
        self._closing = False  # `background()` is ending: store what is queued, now
        self._cond = threading.Condition()  # guards the five above
        self.transactions = 0  # committed groups (bench/fetch.py: items a transaction)
        self.backlog = BACKLOG_GROUPS * group_items

    @property
    def waiting(self) -> int:
        """Turns queued and not yet taken into a transaction."""
        with self._cond:
            return len(self._queue)

    @contextmanager
    def coming(self) -> Iterator[Coming]:
        """Around the analysis of a turn's items: ready turns may wait for this one.

        Pass what it gives to `commit` (the turn is then no longer on its way, at the
        moment it joins the queue); leaving without a commit also ends the wait.
        """
        coming = Coming()
        with self._cond:
            self._coming += 1
        try:
            yield coming
        finally:
            with self._cond:
                self._arrived(coming)

    def _arrived(self, coming: Coming | None) -> None:
        """`coming` is queued or given up (caller holds `_cond`)."""
        if coming is not None and not coming.arrived:
            coming.arrived = True
            self._coming -= 1
            self._cond.notify_all()

    def commit(self, source: str, items: Sequence[tuple[str, Analysis]],
               seen: Sequence[tuple[str, int | None]], fetched_at: datetime, *,
               coming: Coming | None = None) -> list[Outcome]:
        """Store `items` and mark their entries and `seen` as the source's; their outcomes.

        Returns once they are committed (by this thread or another); raises what
        committing them alone raised.
        """
        if not items and not seen:
            if coming is not None:
                with self._cond:
                    self._arrived(coming)
            return []
        turn = _Turn(source, items, seen, fetched_at, queued_at=time.monotonic())
        deadline = turn.queued_at + self.linger
        with self._cond:
            self._queue.append(turn)
            self._queued_items += len(items)
            self._arrived(coming)
            self._cond.notify_all()
            while self._coming and self._queued_items < self.group_items and not turn.done:
                left = deadline - time.monotonic()
                if left <= 0 or not self._cond.wait(left):
                    break
        while not turn.done:  # already committed by another thread's group, or ours
            self._commit_group()
        if turn.error is not None:
            raise turn.error
        assert turn.outcomes is not None
        return turn.outcomes

    def submit(self, source: str, items: Sequence[tuple[str, Analysis]],
               seen: Sequence[tuple[str, int | None]], fetched_at: datetime, *,
               then: Stored, coming: Coming | None = None) -> None:
        """`commit` without waiting: `then(outcomes, error)` once the turn is stored.

        Only inside `background()`, whose thread stores the turn (and calls `then`,
        which must not raise); called at once, here, when there is nothing to store.
        Waits while `backlog` items are queued.
        """
        if not items and not seen:
            if coming is not None:
                with self._cond:
                    self._arrived(coming)
            then([], None)
            return
        turn = _Turn(source, items, seen, fetched_at, then=then)
        with self._cond:
            if not self._background:
                raise RuntimeError("Committer.submit outside Committer.background()")
            while self._queued_items >= self.backlog and not self._closing:
                self._cond.wait()
            turn.queued_at = time.monotonic()
            self._queue.append(turn)
            self._queued_items += len(items)
            self._arrived(coming)
            self._cond.notify_all()

    @contextmanager
    def background(self) -> Iterator[None]:
        """A thread that stores submitted turns as they come; on leaving, the rest."""
        thread = threading.Thread(target=self._serve, name="fetch-commit", daemon=True)
        with self._cond:
            self._background += 1
        thread.start()
        try:
            yield
        finally:
            with self._cond:
                self._closing = True
                self._cond.notify_all()
            thread.join()
            with self._cond:
                self._background -= 1
                self._closing = bool(self._background)

    def _serve(self) -> None:
        """The committing thread: a group once it is worth a transaction, until closed."""
        while True:
            with self._cond:
                while not self._ready():
                    if not self._queue and self._closing:
                        return
                    left = (self._queue[0].queued_at + self.linger - time.monotonic()
                            if self._queue else None)
                    self._cond.wait(left)
            self._commit_group()

    def _ready(self) -> bool:
        """A group should be stored now: the oldest turn has waited `linger` for company,
        none is on its way, the queue holds a transaction's worth, or we are closing
        (caller holds `_cond`)."""
        if not self._queue:
            return False
        return (self._closing or not self._coming or self._queued_items >= self.group_items
                or time.monotonic() >= self._queue[0].queued_at + self.linger)

    def _commit_group(self) -> None:
        """Store the oldest waiting turns (if another thread has not), then tell the
        submitted ones, in their order."""
        with self.store.lock:
            group = self._take()
            if group:
                self._run(group)
        for turn in group:
            if turn.then is not None:
                try:
                    turn.then(turn.outcomes, turn.error)
                except Exception:  # `then` must not raise: the committer carries on
                    log.exception("after storing %s's items", turn.source)

    def _take(self) -> list[_Turn]:
        """The oldest waiting turns, up to `group_items` items (at least one turn)."""
        group: list[_Turn] = []
        items = 0
        with self._cond:
            while self._queue and (not group or items + len(self._queue[0].items)
                                   <= self.group_items):
                turn = self._queue.popleft()
                items += len(turn.items)
                group.append(turn)
            self._queued_items -= items
            if group:
                self._cond.notify_all()  # room under `backlog` for waiting submitters
        return group

    def _run(self, group: list[_Turn]) -> None:
        """Commit a group in one transaction (caller holds the store's lock)."""
        try:
            with self.store.batch():
                outcomes = [self._apply(turn) for turn in group]
        except Exception as e:
            if len(group) == 1:
                group[0].error = e
            else:  # rolled back: each turn again alone, so the trouble stays its own
                for turn in group:
                    self._run([turn])
        else:
            self.transactions += 1
            for turn, found in zip(group, outcomes, strict=True):
                turn.outcomes = found
        finally:
            for turn in group:
                if turn.outcomes is None and turn.error is None:  # a BaseException went by
                    turn.error = StoreError(f"storing {turn.source}'s items was interrupted")
                turn.done = True
            with self._cond:  # a turn of this group may be waiting for company
                self._cond.notify_all()

    def _apply(self, turn: _Turn) -> list[Outcome]:
        outcomes = [self.pipeline.commit(analysis, turn.fetched_at) for _, analysis in turn.items]
        marks = [*turn.seen, *((key, o.article_id)
                               for (key, _), o in zip(turn.items, outcomes, strict=True))]
        self.store.mark_entries(turn.source, marks)
        return outcomes
