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
text, so case-insensitive; `word*` matches a word prefix; words are compared as
tokens, so punctuation and hyphens between them do not matter) or any of its
`concepts` (accepted mentions of those concepts, `"*"` for any concept) in a scope:
the mention's `sentence`, the whole `document` (title and text), or the `within` N
words `before`, `after` or `near` (either side, inside the sentence) the mention.
`quoted = true` holds when the mention sits inside quotation marks. `and = [...]`
adds conditions that must hold as well, `unless = [...]` conditions that must not,
and `or = [...]` alternatives, any of which is enough (a condition holds when its
own test and its `and`s hold and none of its `unless`, or one of its `or`s does).

Conditions on concepts are decided in a second pass, against mentions that do not
themselves depend on other concepts. So two weak mentions ("Omar" and "NC") can never
confirm each other; a strong one (a full name, a place) has to be there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Protocol

from monitor.tagging.folding import fold_alias, is_word
from monitor.tagging.schema import ConditionSpec

__all__ = [
    "CHARS_PER_WORD",
    "Condition",
    "Context",
    "Form",
    "Words",
    "decide",
    "describe",
    "holds",
    "merge_exclusions",
    "tokens",
    "why_not",
]

_TOKEN = re.compile(
    "[\\w&\u0300-\u036f\u0900-\u0963\u0966-\u097f\u0610-\u061a\u064b-\u065f\u0670]+"
)
_QUOTES = frozenset("\"'\u201c\u201d\u2018\u2019\u00ab\u00bb\u201e")
CHARS_PER_WORD = 40  # generous, for cutting proximity windows before tokenising


def tokens(text: str, lo: int = 0, hi: int | None = None) -> list[str]:
    """The words of folded `text[lo:hi]` (letters, digits, marks and "&")."""
    return _TOKEN.findall(text, lo, len(text) if hi is None else hi)


def _starts_word(text: str, i: int) -> bool:
    return i == 0 or not (is_word(text[i - 1]) or text[i - 1] == "&")


def _occurrences(text: str, word: str) -> list[int]:
    """Offsets where `word` starts a word in `text`."""
    found, i = [], text.find(word)
    while i >= 0:
        if _starts_word(text, i):
            found.append(i)
        i = text.find(word, i + 1)
    return found


def _occurs(text: str, word: str, whole: bool) -> bool:
    """Does `word` occur as a whole word (or, not `whole`, as a word's start)?"""
    end = len(word)
    for i in _occurrences(text, word):
        if not whole or i + end >= len(text) or not is_word(text[i + end]):
            return True
    return False


@dataclass(frozen=True)
class Words:
    """A condition's words, compiled for token lists: set lookups, not regexes."""

    single: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()  # " several words " padded
    literals: tuple[str, ...] = ()  # a substring each match must contain (cheap test)
    phrase_tokens: tuple[tuple[str, ...], ...] = ()

    @classmethod
    def compile(cls, words: list[str]) -> Words:
        """Raises ValueError naming a word that has no letters or digits."""
        single, prefixes, phrases = set(), [], []
        for word in words:
            prefix = word.rstrip().endswith("*")
            parts = tokens(fold_alias(word.rstrip().rstrip("*")))
            if not parts:
                raise ValueError(f"{word!r} has no letters or digits")
            if prefix and len(parts) > 1:
                raise ValueError(f"{word!r}: a * prefix must be a single word")
            if prefix:
                prefixes.append(parts[0])
            elif len(parts) == 1:
                single.add(parts[0])
            else:
                phrases.append(" " + " ".join(parts) + " ")
        literals = (*single, *prefixes, *(p.split()[0] for p in phrases))
        split = tuple(tuple(p.split()) for p in phrases)
        return cls(frozenset(single), tuple(prefixes), tuple(phrases), literals, split)

    def union(self, other: Words) -> Words:
        """Both word lists as one."""
        return Words(
            self.single | other.single,
            self.prefixes + other.prefixes,
            self.phrases + other.phrases,
            self.literals + other.literals,
            self.phrase_tokens + other.phrase_tokens,
        )

    def in_text(self, text: str) -> bool:
        """Is one of them in a whole folded text? (No tokenising: find and check edges.)"""
        if not any(lit in text for lit in self.literals):
            return False
        if any(_occurs(text, w, True) for w in self.single):
            return True
        if any(_occurs(text, w, False) for w in self.prefixes):
            return True
        for parts in self.phrase_tokens:
            for i in _occurrences(text, parts[0]):
                window = _TOKEN.findall(text, i, i + sum(map(len, parts)) + 8 * len(parts))
                if tuple(window[: len(parts)]) == parts:
                    return True
        return False

    def found_in(self, words: list[str]) -> bool:
        """Is one of them among `words` (a list of tokens)?"""
        if not words:
            return False
        if self.single and not self.single.isdisjoint(words):
            return True
        if self.prefixes:
            prefixes = self.prefixes
            for w in words:
                if w.startswith(prefixes):
                    return True
        if self.phrases:
            text = " " + " ".join(words) + " "
            return any(p in text for p in self.phrases)
        return False


@dataclass(frozen=True)
class Condition:
    """One compiled condition (see the module docstring)."""

    scope: str  # sentence | document | before | after | near
    within: int = 0
    words: Words | None = None
    concepts: frozenset[str] = frozenset()
    any_concept: bool = False
    quoted: bool = False
    also: tuple[Condition, ...] = ()  # `and`: must hold as well
    instead: tuple[Condition, ...] = ()  # `or`: any of these holding is enough
    unless: tuple[Condition, ...] = ()  # `unless`: none of these may hold
    text: str = ""  # how the taxonomy wrote it, for explanations

    @property
    def uses_concepts(self) -> bool:
        """Whether deciding it needs the other mentions (second pass)."""
        nested = self.also + self.instead + self.unless
        return bool(self.concepts or self.any_concept) or any(c.uses_concepts for c in nested)


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
    anchors: frozenset[str]  # concepts accepted in the first pass

    def sentence(self, start: int) -> tuple[int, int]:
        """Folded span of the sentence around folded offset `start`."""
        ...

    def words_around(self, start: int, end: int) -> list[str]:
        """The tokens of the sentence of [start, end), without the mention's own."""
        ...

    def words_before(self, start: int, n: int) -> list[str]:
        """Up to n tokens before folded offset `start`, within its sentence."""
        ...

    def words_after(self, start: int, end: int, n: int) -> list[str]:
        """Up to n tokens after folded offset `end`, within the sentence of `start`."""
        ...

    def document_has(self, words: Words) -> bool:
        """Does any field contain one of `words`? (The same for every mention.)"""
        ...

    def concepts_between(self, lo: int, hi: int) -> frozenset[str]:
        """Concepts of first-pass mentions starting in folded [lo, hi) of this field."""
        ...

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets of a folded span."""
        ...


def merge_exclusions(conditions: list[Condition]) -> tuple[Condition, ...]:
    """Fold exclusions that differ only in their words into one (any of them cancels).

    Only plain word conditions merge (no concepts, no `and`, not `quoted`); the order
    of the others is kept. This is an optimisation: fewer, larger set lookups.
    """
    where: dict[tuple[str, int], int] = {}  # (scope, within) -> index in out
    out: list[Condition] = []
    for cond in conditions:
        plain = cond.words is not None and not (
            cond.concepts
            or cond.any_concept
            or cond.quoted
            or cond.also
            or cond.instead
            or cond.unless
        )
        key = (cond.scope, cond.within)
        if not plain or key not in where:
            if plain:
                where[key] = len(out)
            out.append(cond)
            continue
        first = out[where[key]]
        assert first.words is not None and cond.words is not None
        words = first.words.union(cond.words)
        out[where[key]] = replace(first, words=words, text=f"{first.text}; {cond.text}")
    return tuple(out)


def _before(text: str, lo: int, start: int, n: int) -> int:
    """Offset where the n words before `start` begin (not before `lo`)."""
    base = max(lo, start - n * CHARS_PER_WORD)
    starts = [m.start() for m in _TOKEN.finditer(text, base, start)]
    return starts[-n] if len(starts) >= n else base


def _after(text: str, end: int, hi: int, n: int) -> int:
    """Offset where the n words after `end` finish (not after `hi`)."""
    top = min(hi, end + n * CHARS_PER_WORD)
    ends = [m.end() for m in _TOKEN.finditer(text, end, top)]
    return ends[n - 1] if len(ends) >= n else top


def _windows(cond: Condition, ctx: Context, start: int, end: int) -> list[tuple[int, int]]:
    """Folded (lo, hi) ranges the condition looks into (the mention itself excluded)."""
    lo, hi = ctx.sentence(start)
    if cond.scope == "sentence":
        return [(lo, start), (end, hi)]
    out = []
    if cond.scope in ("before", "near"):
        out.append((_before(ctx.folded, lo, start, cond.within), start))
    if cond.scope in ("after", "near"):
        out.append((end, _after(ctx.folded, end, hi, cond.within)))
    return out


def _has_concepts(cond: Condition, found: frozenset[str]) -> bool:
    return bool(found) if cond.any_concept else not cond.concepts.isdisjoint(found)


def _holds_alone(cond: Condition, ctx: Context, start: int, end: int) -> bool:
    if cond.quoted:
        a, b = ctx.original_span(start, end)
        text = ctx.original
        return a > 0 and b < len(text) and text[a - 1] in _QUOTES and text[b] in _QUOTES
    wants_concepts = cond.any_concept or bool(cond.concepts)
    words = cond.words
    if cond.scope == "document":
        if wants_concepts and _has_concepts(cond, ctx.anchors):
            return True
        return words is not None and ctx.document_has(words)
    if words is not None:
        scope = cond.scope
        if scope == "sentence":  # one token list, so a phrase may span the mention
            if words.found_in(ctx.words_around(start, end)):
                return True
        else:
            if scope != "after" and words.found_in(ctx.words_before(start, cond.within)):
                return True
            if scope != "before" and words.found_in(ctx.words_after(start, end, cond.within)):
                return True
    if wants_concepts:
        windows = _windows(cond, ctx, start, end)
        return any(_has_concepts(cond, ctx.concepts_between(lo, hi)) for lo, hi in windows)
    return False


def holds(cond: Condition, ctx: Context, start: int, end: int) -> bool:
    """Does `cond` hold for the mention at [start, end)?

    (its own test and every `and` and no `unless`) or any `or`.
    """
    if not (cond.also or cond.instead or cond.unless):  # the common case: no generators
        return _holds_alone(cond, ctx, start, end)
    if (
        _holds_alone(cond, ctx, start, end)
        and all(holds(also, ctx, start, end) for also in cond.also)
        and not any(holds(veto, ctx, start, end) for veto in cond.unless)
    ):
        return True
    return any(holds(other, ctx, start, end) for other in cond.instead)


def decide(form: Form, ctx: Context, start: int, end: int) -> bool:
    """Does a mention of `form` at [start, end) count: every require, no exclude?"""
    for cond in form.require:
        if not holds(cond, ctx, start, end):
            return False
    for cond in form.exclude:  # noqa: SIM110 (a plain loop: this is the hot path)
        if holds(cond, ctx, start, end):
            return False
    return True


def describe(spec: ConditionSpec) -> str:
    """A short human-readable form of a condition, for explanations."""
    if spec.quoted:
        head = "inside quotation marks"
    else:
        what = [*spec.words[:4], *(f"[{c}]" for c in spec.concepts[:4])]
        more = len(spec.words) + len(spec.concepts) - len(what)
        listed = ", ".join(what) + (f" (+{more})" if more > 0 else "")
        n = spec.within
        where = spec.scope if n is None else f"{n} word{'s' if n > 1 else ''} {spec.scope}"
        head = f"{listed} in {where}" if spec.scope != "document" else f"{listed} in the text"
    parts = [head, *(f"and {describe(a)}" for a in spec.also)]
    parts += [f"unless {describe(u)}" for u in spec.unless]
    parts += [f"or {describe(o)}" for o in spec.instead]
    return " ".join(parts)


def why_not(form: Form, ctx: Context, start: int, end: int) -> str | None:
    """None when a mention counts, else which rule stopped it (for explanations)."""
    for cond in form.require:
        if not holds(cond, ctx, start, end):
            return f"needs {cond.text}"
    for cond in form.exclude:
        if holds(cond, ctx, start, end):
            return f"cancelled by {cond.text}"
    return None
