"""Why each name in an article did or did not count: for `monitor show` and for
people editing the taxonomy.

`explain_article` runs the same steps as `tag_article` (it shares `tagger.run`, so
the two cannot disagree) and reports every alias the automaton found: the ones that
counted, the ones a context rule cancelled or did not confirm (with the rule as the
taxonomy wrote it), and look-alike phrases that hid an alias. Slower than tagging
(every rule is described), so it is for one article at a time, not for the stream.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.tagging.matcher import BLOCK, Hit
from monitor.tagging.rules import Form, why_not
from monitor.tagging.tagger import ArticleField, run
from monitor.tagging.taxonomy import Taxonomy

__all__ = ["Explanation", "explain_article"]


@dataclass(frozen=True)
class Explanation:
    """One name found in a field, whether it counted, and why."""

    concept: str
    alias: str  # as written in the taxonomy
    surface: str  # as written in the article
    field: str
    start: int
    end: int
    counted: bool
    reason: str


def explain_article(title: str | None, text: str, taxonomy: Taxonomy) -> list[Explanation]:
    """Every alias and look-alike found in the article, in field and text order."""
    reasons: dict[tuple[str, int], str | None] = {}

    def verdict(form: Form, f: ArticleField, hit: Hit) -> bool:
        why = why_not(form, f, hit.start, hit.end)
        reasons[(f.name, hit.start)] = why
        return why is None

    fields = run(title, text, taxonomy, verdict)
    out = []
    for f in fields:
        for hit in taxonomy.matcher.find(f.text):
            entry = hit.entry
            a, b = f.original_span(hit.start, hit.end)
            if entry.form == BLOCK:
                counted, reason = False, f"look-alike phrase {entry.alias!r}, not {entry.concept}"
            else:
                why = reasons.get((f.name, hit.start))
                counted = why is None
                reason = f"alias {entry.alias!r}" if counted else str(why)
            out.append(
                Explanation(
                    entry.concept, entry.alias, f.original[a:b], f.name, a, b, counted, reason
                )
            )
    return out
