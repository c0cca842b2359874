"""The result of one source's turn: what `monitor fetch` prints, what the log says."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..errors import SourceError

__all__ = ["SourceResult"]


@dataclass
class SourceResult:
    """What one source's turn came to (one line of `monitor fetch`)."""

    source: str
    url: str
    outcome: str  # ok | not_modified | unchanged | error | paused | not_due
    http_status: int | None = None
    counts: Counter[str] = field(default_factory=Counter)  # new, duplicate, updated, ...
    bytes: int = 0
    ms: int = 0
    error: SourceError | None = None
    warning: str | None = None
    alerts: int = 0
    note: str | None = None  # an adopted redirect
    left_behind: bool = False  # new entries left for the next turn (`ItemBuilder`)

    @property
    def ok(self) -> bool:
        return self.outcome not in ("error",)

    def line(self) -> str:
        """The one-line summary `monitor fetch` prints."""
        c = self.counts
        if self.error is not None:
            text = f"{self.source}: error {self.error.kind}: {self.error.message}"
        elif self.outcome in ("paused", "not_due"):
            text = f"{self.source}: {self.outcome.replace('_', ' ')}"
        else:
            text = (f"{self.source}: {self.outcome} new={c['new']} duplicates={c['duplicate']}"
                    f" updated={c['updated']} bytes={self.bytes} ms={self.ms}")
        if self.warning:
            text += f" (warning: {self.warning})"
        if self.note:
            text += f" ({self.note})"
        return text
