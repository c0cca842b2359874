"""How much an article is about the topic, from 0 to 1.

Three signals, each in [0, 1], mixed with fixed weights:

- prominence (0.5): the best-placed mention. A mention in the title weighs 1.0, one
  in the lead (the first 20% of the text, at least its first 400 characters) 0.8,
  and one further down falls linearly from 0.6 to 0.2 at the very end: a passing
  mention at the bottom of a cricket report should not page the desk.
- density (0.3): mentions per 100 words, saturating at 2. A long feature that keeps
  returning to the region beats one with a single aside, whatever its length.
- breadth (0.2): distinct concepts, saturating at 5: an article naming the party, the
  leader and the district is more squarely on the topic than one repeating a name.

Only concepts that count for the topic (`related = true`) take part. The weights
are a judgement, not a fit: with an alert threshold of 0.5, a title mention alone
clears it, a lone mention in the lead of a long article needs company (a second
mention or concept), and a lone passing mention at the bottom scores under 0.3.
A short text (under ~250 words: a feed summary, a brief) is dense with any mention,
so there a lone mention anywhere in its first 400 characters clears 0.5 too (0.74 for
a one-sentence brief): for a summary, the lead is the whole text, and the desk would
rather see a brief that names the region than miss it. Changing them is a code
change that bumps the engine version in the taxonomy fingerprint.
"""

from __future__ import annotations

from collections.abc import Sequence

from monitor.models import Mention

__all__ = ["relevance"]

_LEAD_SHARE, _LEAD_MIN = 0.2, 400


def _placement(mention: Mention, text_length: int) -> float:
    if mention.field == "title":
        return 1.0
    lead = max(_LEAD_MIN, _LEAD_SHARE * text_length)
    if mention.start < lead:
        return 0.8
    share = mention.start / max(text_length, 1)
    return 0.6 - 0.4 * min(share, 1.0)


def relevance(mentions: Sequence[Mention], text: str) -> float:
    """Relevance of an article whose topic mentions are `mentions` (see module doc)."""
    if not mentions:
        return 0.0
    # The best placement is the title's, else that of the first mention in the
    # text: placement only falls with the offset (one call, not one per mention).
    titled = [m for m in mentions if m.field == "title"]
    best = titled[0] if titled else min(mentions, key=_start)
    prominence = _placement(best, len(text))
    words = max(text.count(" ") + 1, 50)
    density = min(1.0, len(mentions) * 100 / words / 2)
    breadth = min(1.0, len({m.concept for m in mentions}) / 5)
    return round(0.5 * prominence + 0.3 * density + 0.2 * breadth, 3)


def _start(mention: Mention) -> int:
    return mention.start
