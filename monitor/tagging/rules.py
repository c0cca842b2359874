"""Context rules: the near word or sentence that cancels or confirms a mention.

Every alias belongs to a *form* of its concept, and a form carries two lists of
conditions, both written in the taxonomy file:

- `require`: each condition must hold, or the mention does not count
  ("35A" only within three words after "Article" or "370"; "the Valley" only in a
  document that names a place in Kashmir);
- `exclude`: any condition that holds cancels the mention ("Kashmir" followed by
  "Singh", "wool" or "Gate"; "LoC" in a document that says "letter of credit";
  a quoted "Kashmir" as a song title).

A condition looks for any of its `words` (whole words or phrases, folded like the
text, so case-insensitive; `word*` matches a word prefix; a space in a phrase also
matches a hyphen or several spaces) or any of its `concepts` (accepted mentions of
those concepts, `"*"` for any concept) in a scope: the mention's `sentence`, the
whole `document` (title and text), or the `within` N words `before`, `after` or
`near` (either side, inside the sentence) the mention. `quoted = true` holds when
the mention sits inside quotation marks. `and = [...]` adds conditions that must hold as well.

Conditions on concepts are decided in a second pass, against mentions that do not
themselves depend on other concepts. So two weak mentions ("Omar" and "NC") can never
confirm each other; a strong one (a full name, a place) has to be there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from monitor.tagging.folding import fold_alias

__all__ = ["Condition", "Context", "Form", "holds", "words_pattern"]

_WORD_CHARS = r"\w\u0300-\u036f\u0900-\u0963\u0966-\u097f\u0610-\u061a\u064b-\u065f\u0670"
_TOKEN = re.compile(f"[{_WORD_CHARS}&]+")
_QUOTES = frozenset("\"'\u201c\u201d\u2018\u2019\u00ab\u00bb\u201e")
_WORDS_PER_TOKEN = 40  # generous characters per word when cutting proximity windows


@dataclass(frozen=True)
class Condition:
    """One compiled condition (see the module docstring)."""

    scope: str  # sentence | document | before | after | near
    within: int = 0
    words: re.Pattern[str] | None = None  # see words_pattern
    literals: tuple[str, ...] = ()  # one folded word per phrase: a cheap first test
    concepts: frozenset[str] = frozenset()
    any_concept: bool = False
    quoted: bool = False
    also: tuple[Condition, ...] = ()

    @property
    def uses_concepts(self) -> bool:
        """Whether deciding it needs the other mentions (second pass)."""
        return bool(self.concepts or self.any_concept) or any(c.uses_concepts for c in self.also)


@dataclass(frozen=True)
class Form:
    """A group of aliases of one concept that share case handling and rules."""

    concept: str
    require: tuple[Condition, ...] = ()
    exclude: tuple[Condition, ...] = ()
    second_pass: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        late = any(c.uses_concepts for c in self.require + self.exclude)
        object.__setattr__(self, "second_pass", late)


class Context(Protocol):
    """What a condition can look at; the tagger provides it for one mention."""

    original: str  # the field's original text
    folded: str  # the field's folded text
    hays: tuple[str, ...]  # the folded text of every field, for document scope
    anchors: frozenset[str]  # concepts accepted in the first pass

    def sentence(self, start: int) -> tuple[int, int]:
        """Folded span of the sentence around folded offset `start`."""
        ...

    def concepts_between(self, lo: int, hi: int) -> frozenset[str]:
        """Concepts of first-pass mentions starting in folded [lo, hi) of this field."""
        ...

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets of a folded span."""
        ...


def words_pattern(words: list[str]) -> tuple[re.Pattern[str], tuple[str, ...]]:
    """One regex for a condition's words (whole words, `*` prefixes), and literals.

    Raises ValueError naming a word that has no letters or digits.
    """
    alternatives, literals = [], []
    for word in words:
        prefix = word.rstrip().endswith("*")
        parts = fold_alias(word.rstrip().rstrip("*")).split()
        if not parts or not any(_TOKEN.search(p) for p in parts):
            raise ValueError(f"{word!r} has no letters or digits")
        body = r"[\s\-]+".join(re.escape(p) for p in parts)
        alternatives.append(body + (f"[{_WORD_CHARS}]*" if prefix else f"(?![{_WORD_CHARS}])"))
        literals.append(max(parts, key=len))
    pattern = f"(?<![{_WORD_CHARS}&])(?:{'|'.join(alternatives)})"
    return re.compile(pattern), tuple(literals)


def _windows(cond: Condition, ctx: Context, start: int, end: int) -> list[tuple[int, int]]:
    """Folded (lo, hi) ranges the condition looks into, for a mention at [start, end)."""
    lo, hi = ctx.sentence(start)
    if cond.scope == "sentence":
        return [(lo, hi)]
    out = []
    n = cond.within
    if cond.scope in ("before", "near"):
        base = max(lo, start - n * _WORDS_PER_TOKEN)
        starts = [m.start() for m in _TOKEN.finditer(ctx.folded, base, start)]
        out.append((starts[-n] if len(starts) >= n else base, start))
    if cond.scope in ("after", "near"):
        top = min(hi, end + n * _WORDS_PER_TOKEN)
        ends = [m.end() for m in _TOKEN.finditer(ctx.folded, end, top)]
        out.append((end, ends[n - 1] if len(ends) >= n else top))
    return out


def _has_words(cond: Condition, hay: str, lo: int = 0, hi: int | None = None) -> bool:
    """Does `hay[lo:hi]` contain one of the condition's words?"""
    if cond.words is None:
        return False
    part = hay[lo:hi]
    if not any(lit in part for lit in cond.literals):
        return False
    return cond.words.search(part) is not None


def _has_concepts(cond: Condition, found: frozenset[str]) -> bool:
    return bool(found) if cond.any_concept else not cond.concepts.isdisjoint(found)


def _holds_alone(cond: Condition, ctx: Context, start: int, end: int) -> bool:
    if cond.quoted:
        a, b = ctx.original_span(start, end)
        text = ctx.original
        return a > 0 and b < len(text) and text[a - 1] in _QUOTES and text[b] in _QUOTES
    if cond.scope == "document":
        if any(_has_words(cond, hay) for hay in ctx.hays):
            return True
        return (cond.any_concept or bool(cond.concepts)) and _has_concepts(cond, ctx.anchors)
    for lo, hi in _windows(cond, ctx, start, end):
        if _has_words(cond, ctx.folded, lo, hi):
            return True
        if (cond.any_concept or cond.concepts) and _has_concepts(
            cond, ctx.concepts_between(lo, hi)
        ):
            return True
    return False


def holds(cond: Condition, ctx: Context, start: int, end: int) -> bool:
    """Does `cond` (and everything in its `and`) hold for the mention at [start, end)?"""
    if not _holds_alone(cond, ctx, start, end):
        return False
    return all(holds(c, ctx, start, end) for c in cond.also)
