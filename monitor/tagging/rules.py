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

from dataclasses import dataclass, field, replace
from typing import Protocol

from monitor.tagging.schema import ConditionSpec
from monitor.tagging.words import TOKEN, Words, tokens, word_finder

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
    "word_finder",
]

_QUOTES = frozenset("\"'\u201c\u201d\u2018\u2019\u00ab\u00bb\u201e")
CHARS_PER_WORD = 40  # generous, for cutting proximity windows before tokenising


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

    @property
    def document_wide(self) -> bool:
        """Whether it looks only at the whole document, so it is the same for every
        mention in an article (and `decide` asks it once per article)."""
        nested = self.also + self.instead + self.unless
        return self.scope == "document" and not self.quoted and all(c.document_wide for c in nested)


# How `decide` reads a local condition: plain word conditions (words in a scope,
# nothing nested) are looked up directly; others go through `holds`.
_AFTER, _BEFORE, _NEAR, _SENTENCE, _GENERAL = range(5)
_STEP_OF_SCOPE = {"after": _AFTER, "before": _BEFORE, "near": _NEAR, "sentence": _SENTENCE}
Step = tuple[int, int, "Words | None", Condition]  # (how, within, words, condition)


def _step(cond: Condition) -> Step:
    plain = cond.words is not None and not (
        cond.concepts or cond.any_concept or cond.quoted or cond.also or cond.instead or cond.unless
    )
    how = _STEP_OF_SCOPE.get(cond.scope, _GENERAL) if plain else _GENERAL
    return (how, cond.within, cond.words, cond)


@dataclass(frozen=True)
class Form:
    """A group of aliases of one concept that share case handling and rules."""

    concept: str
    require: tuple[Condition, ...] = ()
    exclude: tuple[Condition, ...] = ()
    second_pass: bool = field(init=False, default=False)
    unconditional: bool = field(init=False, default=False)  # no rules: every hit counts
    # For `decide` (issue 6): the conditions that look around the mention, as
    # steps, and those on the whole document (the same for every mention).
    local_require: tuple[Step, ...] = field(init=False, default=())
    local_exclude: tuple[Step, ...] = field(init=False, default=())
    document_require: tuple[Condition, ...] = field(init=False, default=())
    document_exclude: tuple[Condition, ...] = field(init=False, default=())

    def __post_init__(self) -> None:
        late = any(c.uses_concepts for c in self.require + self.exclude)
        object.__setattr__(self, "second_pass", late)
        object.__setattr__(self, "unconditional", not (self.require or self.exclude))
        for name, conds in (("require", self.require), ("exclude", self.exclude)):
            wide = tuple(c for c in conds if c.document_wide)
            local = tuple(_step(c) for c in conds if not c.document_wide)
            object.__setattr__(self, f"document_{name}", wide)
            object.__setattr__(self, f"local_{name}", local)


class Context(Protocol):
    """What a condition can look at; the tagger provides it for one mention."""

    original: str  # the field's original text
    folded: str  # the field's folded text
    anchors: frozenset[str]  # concepts accepted in the first pass
    verdicts: dict[int, bool]  # per article: id(condition) -> it holds (document-wide ones)

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
    starts = [m.start() for m in TOKEN.finditer(text, base, start)]
    return starts[-n] if len(starts) >= n else base


def _after(text: str, end: int, hi: int, n: int) -> int:
    """Offset where the n words after `end` finish (not after `hi`)."""
    top = min(hi, end + n * CHARS_PER_WORD)
    ends = [m.end() for m in TOKEN.finditer(text, end, top)]
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
    """Does a mention of `form` at [start, end) count: every require, no exclude?

    The conditions around the mention go first, as they are cheap and often settle
    it; those on the whole document are then decided once per article
    (`ctx.verdicts`, issue 6). The order does not change the answer.
    """
    for step in form.local_require:
        if not _step_holds(step, ctx, start, end):
            return False
    for step in form.local_exclude:  # the hot path: the two usual steps inlined
        how, n, words, _ = step
        if how == _AFTER:
            found = words.found_in(ctx.words_after(start, end, n))  # type: ignore[union-attr]
        elif how == _BEFORE:
            found = words.found_in(ctx.words_before(start, n))  # type: ignore[union-attr]
        else:
            found = _step_holds(step, ctx, start, end)
        if found:
            return False
    for cond in form.document_require:
        if not _holds_in_document(cond, ctx):
            return False
    for cond in form.document_exclude:  # noqa: SIM110
        if _holds_in_document(cond, ctx):
            return False
    return True


def _step_holds(step: Step, ctx: Context, start: int, end: int) -> bool:
    """`holds`, with plain word conditions looked up without its generality."""
    how, n, words, cond = step
    if how == _AFTER:
        return words.found_in(ctx.words_after(start, end, n))  # type: ignore[union-attr]
    if how == _BEFORE:
        return words.found_in(ctx.words_before(start, n))  # type: ignore[union-attr]
    if how == _SENTENCE:
        return words.found_in(ctx.words_around(start, end))  # type: ignore[union-attr]
    if how == _NEAR:
        assert words is not None
        return words.found_in(ctx.words_before(start, n)) or words.found_in(
            ctx.words_after(start, end, n)
        )
    return holds(cond, ctx, start, end)


def _holds_in_document(cond: Condition, ctx: Context) -> bool:
    """`holds` for a condition on the whole document, asked once per article."""
    found = ctx.verdicts.get(id(cond))
    if found is None:
        found = ctx.verdicts[id(cond)] = holds(cond, ctx, 0, 0)
    return found


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
