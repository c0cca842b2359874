"""Ctrl-C during a backfill stops it between items, never in the middle of a save.

Saves inside a store batch have no savepoint of their own (the batch is the unit), and
an interrupted backfill commits the items it finished so that a rerun continues after
them. A KeyboardInterrupt raised halfway through a save would have the half-applied
save committed with them (an article row without its index entries). So while an item
is being saved, SIGINT only takes note; the interrupt is raised as soon as the save is
complete. Elsewhere (waiting for input, fetching) it interrupts at once, as usual.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["DeferredInterrupt"]


class DeferredInterrupt:
    def __init__(self) -> None:
        self.saving = False
        self.pending = False

    def _on_sigint(self, signum: int, frame: FrameType | None) -> None:
        if self.saving:
            self.pending = True
        else:
            raise KeyboardInterrupt

    @contextmanager
    def installed(self) -> Iterator[DeferredInterrupt]:
        """Handle SIGINT for the duration (signal handlers live in the main thread only:
        elsewhere the process's own handling stays)."""
        if threading.current_thread() is not threading.main_thread():
            yield self
            return
        previous = signal.signal(signal.SIGINT, self._on_sigint)
        try:
            yield self
        finally:
            signal.signal(signal.SIGINT, previous)

    @contextmanager
    def saving_item(self) -> Iterator[None]:
        """A stretch that a Ctrl-C must not cut: the interrupt waits for its end."""
        self.saving = True
        try:
            yield
        finally:
            self.saving = False
        if self.pending:
            self.pending = False
            raise KeyboardInterrupt
