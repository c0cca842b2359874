"""The digest's forms: text, HTML, Markdown and Slack's compact mrkdwn.

HTML is written for mail clients: tables and inline styles, a bar chart made of
table cells (no SVG, no script: clients drop them), `dir` on every headline.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from .digest import Digest
from .message import Message
from .render import mrkdwn, render

__all__ = ["FORMATS", "digest_data", "digest_message", "render_digest"]

FORMATS = {
    "text": "digest.txt.j2",
    "html": "digest.html.j2",
    "markdown": "digest.md.j2",
    "slack": "digest.slack.j2",
}
SLACK_SECTION = 2900  # Slack allows 3000 characters in a section's text
SLACK_BLOCKS = 50  # Slack refuses a message of more blocks (HTTP 400, permanent)
# Where a section may not be cut: a `<url|label>` link (cut, Slack shows its raw
# text) and an `&amp;`-style escape (cut, the reader sees `&am`).
_LINK = re.compile(r"<[^<>|]*\|([^<>]*)>")
_WORD = re.compile(r"(?:<[^<>]*>|[^\s<]|<)+")  # a space inside a link does not end a word
_ATOM = re.compile(r"<[^<>]*>|&#?\w+;|.", re.S)
_HEADING = re.compile(r"^\*([^*\n]+?):?\*")


def render_digest(digest: Digest, fmt: str = "text") -> str:
    """One form of the digest: text | html | markdown | slack."""
    return render(FORMATS[fmt], d=digest)


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def digest_data(digest: Digest) -> dict[str, Any]:
    """The digest as JSON-able data (the webhook's body)."""
    data = _plain(dataclasses.asdict(digest))
    data.update(title=digest.title, quiet=digest.quiet)
    return data


def _pack(items: Iterable[str], limit: int, sep: str) -> list[str]:
    """Items (each at most `limit` long) joined by `sep` into as few pieces as fit."""
    pieces: list[str] = []
    current = ""
    for item in items:
        joined = f"{current}{sep}{item}" if current else item
        if len(joined) <= limit:
            current = joined
        else:
            if current:
                pieces.append(current)
            current = item
    if current:
        pieces.append(current)
    return pieces


def _cut_line(line: str, limit: int) -> list[str]:
    """One line in pieces of at most `limit`, cut at spaces outside links."""
    if len(line) <= limit:
        return [line]
    # A link longer than a whole section cannot stay a link: its label shows instead
    # (as for an alert's monstrous URL). A word still too long is cut between atoms.
    line = _LINK.sub(lambda m: m[0] if len(m[0]) <= limit else m[1], line)
    words: list[str] = []
    for word in _WORD.findall(line):
        words.extend(_pack(_ATOM.findall(word), limit, "") if len(word) > limit else [word])
    return _pack(words, limit, " ")


def _sections(part: str, limit: int = SLACK_SECTION) -> list[str]:
    """A part of the digest in sections of at most `limit`, split at line ends."""
    lines = [piece for line in part.splitlines() if line.strip()
             for piece in _cut_line(line.rstrip(), limit)]
    return _pack(lines, limit, "\n")


def _slack_blocks(digest: Digest, text: str) -> tuple[dict[str, Any], ...]:
    sections: list[tuple[str, str]] = []  # (heading of its part, text)
    for part in (p.strip() for p in text.split("\n\n")):
        heading = m[1] if (m := _HEADING.match(part)) else ""
        sections.extend((heading, s) for s in _sections(part))
    room = SLACK_BLOCKS - 1  # the header takes one
    if len(sections) > room:
        # Over Slack's block limit the whole post would be refused: send what fits
        # and say what is missing and where the whole digest is.
        kept, dropped = sections[:room - 1], sections[room - 1:]
        shown = {h for h, _ in kept}
        names = [f"the rest of {h}" if h in shown else h
                 for h in dict.fromkeys(h for h, _ in dropped if h)] or ["the rest"]
        note = (f"_Too long for one Slack message; left out: {mrkdwn(', '.join(names))} "
                f"({len(dropped)} section{'s' if len(dropped) != 1 else ''}). "
                f"The full digest:_ `monitor digest --date {digest.day}`")
        sections = [*kept, ("", note)]
    return (
        {"type": "header", "text": {"type": "plain_text", "text": digest.title[:150]}},
        *({"type": "section", "text": {"type": "mrkdwn", "text": s}} for _, s in sections),
    )


def digest_message(digest: Digest) -> Message:
    """Every form at once; the outbox keeps it so that retries send the same digest."""
    slack = render_digest(digest, "slack")
    return Message(
        kind="digest",
        key=f"digest-{digest.day}",  # replaced by the outbox row's key when sent
        subject=digest.title,
        text=render_digest(digest, "text"),
        html=render_digest(digest, "html"),
        slack_text=mrkdwn(digest.title),
        blocks=_slack_blocks(digest, slack),
        data={"digest": digest_data(digest)},
    )
