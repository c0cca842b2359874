"""A message ready for any channel: every form of it, rendered once.

Each channel picks the form it speaks (STYLE.md 4): the console prints `text`, email
sends `text` and `html` as two parts, Slack posts `blocks` with `slack_text` as its
notification fallback, the JSON webhook posts `data`. `key` is the delivery's
idempotency key: stable across retries of one outbox row, so a receiver that keeps
it (email Message-ID, the webhook's `Idempotency-Key`) can drop a repeat.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Message"]


@dataclass(frozen=True)
class Message:
    kind: str  # alert | summary | health | digest
    key: str
    subject: str
    text: str
    html: str | None = None
    slack_text: str = ""
    blocks: tuple[dict[str, Any], ...] = ()
    data: dict[str, Any] = field(default_factory=dict)

    def to_payload(self) -> dict[str, Any]:
        """A JSON-able dict (a digest's rendered forms are kept in its outbox row)."""
        payload = asdict(self)
        payload["blocks"] = list(self.blocks)
        return payload

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Message:
        return cls(**{**payload, "blocks": tuple(payload.get("blocks") or ())})
