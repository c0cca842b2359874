"""`tag_article`: find, check and score the taxonomy's mentions in one article.

The steps, per field (title, then text): fold the text (`folding`), find alias hits
with the automaton (`matcher`, longest match wins), then decide each hit with its
form's rules (`rules`) in two passes: hits whose rules look only at words first,
then hits whose rules need other concepts, against the first pass's results. The
accepted hits become `Mention`s with original offsets and their sentence.

A pure function of its arguments: no I/O, no global state beyond the taxonomy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from monitor.models import Mention, Tagging
from monitor.tagging.folding import Folded, fold
from monitor.tagging.matcher import BLOCK, Hit
from monitor.tagging.relevance import relevance
from monitor.tagging.rules import CHARS_PER_WORD, Form, Words, decide, tokens
from monitor.tagging.sentences import sentence_spans, span_at
from monitor.tagging.taxonomy import Taxonomy

__all__ = ["ArticleField", "Verdict", "mention", "run", "tag_article"]


@dataclass
class ArticleField:
    """One field being tagged; also the `rules.Context` for its mentions."""

    name: str
    text: Folded
    document: tuple[str, ...] = ()  # folded text of every field
    shared: dict[int, bool] = field(default_factory=dict)  # document answers, all fields
    anchors: frozenset[str] = frozenset()
    accepted: list[tuple[Hit, str]] = field(default_factory=list)
    _spans: list[tuple[int, int]] | None = None
    _starts: list[int] | None = None
    _sentences: dict[int, tuple[int, int]] = field(default_factory=dict)
    _around: dict[int, list[str]] = field(default_factory=dict)
    _near: dict[int, list[str]] = field(default_factory=dict)
    _texts: dict[int, str] = field(default_factory=dict)

    @property
    def original(self) -> str:
        return self.text.original

    @property
    def folded(self) -> str:
        return self.text.folded

    def original_sentence(self, original_offset: int) -> tuple[int, int]:
        # One split of the whole text: measured cheaper than searching around each
        # mention, even for articles with only a mention or two.
        if self._spans is None:
            if self.name == "title":
                self._spans = [(0, len(self.original))]
            else:
                self._spans = sentence_spans(self.original)
            self._starts = [s for s, _ in self._spans]
        assert self._starts is not None
        return span_at(self._spans, self._starts, original_offset)

    def sentence(self, start: int) -> tuple[int, int]:
        span = self._sentences.get(start)
        if span is None:
            if self.text.index is None:  # folded and original offsets agree
                span = self.original_sentence(start)
            else:
                a, b = self.original_sentence(self.text.to_original(start))
                span = self.text.to_folded(a), self.text.to_folded(b)
            self._sentences[start] = span
        return span

    def sentence_text(self, original_offset: int) -> str:
        a, b = self.original_sentence(original_offset)
        text = self._texts.get(a)
        if text is None:
            text = self._texts[a] = self.original[a:b].strip()
        return text

    def words_around(self, start: int, end: int) -> list[str]:
        found = self._around.get(start)
        if found is None:
            lo, hi = self.sentence(start)
            found = tokens(self.folded, lo, start) + tokens(self.folded, end, hi)
            self._around[start] = found
        return found

    def words_before(self, start: int, n: int) -> list[str]:
        key = start * 16 + n  # n <= 8 (schema), so this is unique per (start, n)
        found = self._near.get(key)
        if found is None:
            lo = max(self.sentence(start)[0], start - n * CHARS_PER_WORD)
            found = self._near[key] = tokens(self.folded, lo, start)[-n:]
        return found

    def words_after(self, start: int, end: int, n: int) -> list[str]:
        key = -(start * 16 + n) - 1
        found = self._near.get(key)
        if found is None:
            hi = min(self.sentence(start)[1], end + n * CHARS_PER_WORD)
            found = self._near[key] = tokens(self.folded, end, hi)[:n]
        return found

    def document_has(self, words: Words) -> bool:
        found = self.shared.get(id(words))
        if found is None:
            found = self.shared[id(words)] = any(words.in_text(t) for t in self.document)
        return found

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        return self.text.to_original(start), self.text.to_original(end)

    def concepts_between(self, lo: int, hi: int) -> frozenset[str]:
        return frozenset(c for h, c in self.accepted if lo <= h.start < hi)


def mention(f: ArticleField, hit: Hit, concept: str) -> Mention:
    start, end = f.original_span(hit.start, hit.end)
    return Mention(
        concept=concept,
        surface=f.original[start:end],
        field=f.name,
        start=start,
        end=end,
        sentence=f.sentence_text(start),
    )


Verdict = Callable[[Form, ArticleField, Hit], bool]


def _counts(form: Form, f: ArticleField, hit: Hit) -> bool:
    return decide(form, f, hit.start, hit.end)


def run(title: str | None, text: str, taxonomy: Taxonomy, verdict: Verdict) -> list[ArticleField]:
    """Fold, match and judge every hit; each field's `accepted` holds what counted.

    Shared by `tag_article` and `explain.explain_article`, which passes a verdict
    that also records why.
    """
    fields = [ArticleField("title", fold(title))] if title and title.strip() else []
    fields.append(ArticleField("text", fold(text or "")))
    document = tuple(f.folded for f in fields)
    shared: dict[int, bool] = {}
    forms = taxonomy.forms
    hits = []
    for f in fields:
        f.document, f.shared = document, shared
        for h in taxonomy.matcher.find(f.text):
            if h.entry.form != BLOCK:
                hits.append((f, h))
    late = []
    for f, hit in hits:
        form = forms[hit.entry.form]
        if form.second_pass:
            late.append((f, hit))
        elif verdict(form, f, hit):
            f.accepted.append((hit, form.concept))
    if late:
        anchors = frozenset(c for f in fields for _, c in f.accepted)
        for f in fields:
            f.anchors = anchors
        second = [(f, hit) for f, hit in late if verdict(forms[hit.entry.form], f, hit)]
        for f, hit in second:  # only now: second-pass mentions never confirm each other
            f.accepted.append((hit, forms[hit.entry.form].concept))
    for f in fields:
        f.accepted.sort(key=lambda hc: hc[0].start)
    return fields


def tag_article(title: str | None, text: str, taxonomy: Taxonomy) -> Tagging:
    """Tag one article's title and text with `taxonomy` (see the module docstring)."""
    fields = run(title, text, taxonomy, _counts)
    mentions = [mention(f, hit, concept) for f in fields for hit, concept in f.accepted]
    return _tagging(mentions, text or "", taxonomy)


def _tagging(mentions: list[Mention], text: str, taxonomy: Taxonomy) -> Tagging:
    topical = [m for m in mentions if taxonomy.is_related(m.concept)]
    return Tagging(
        mentions=tuple(mentions),
        concepts=tuple(sorted({m.concept for m in mentions})),
        related=bool(topical),
        relevance=relevance(topical, text),
    )
