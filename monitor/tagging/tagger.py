"""`tag_article`: find, check and score the taxonomy's mentions in one article.

The steps, per field (title, then text): fold the text (`folding`), find alias hits
with the automaton (`matcher`, longest match wins), then decide each hit with its
form's rules (`rules`) in two passes: hits whose rules look only at words first,
then hits whose rules need other concepts, against the first pass's results. The
accepted hits become `Mention`s with original offsets and their sentence.

A pure function of its arguments: no I/O, no global state beyond the taxonomy.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from collections.abc import Set as AbstractSet

from monitor.models import Mention, Tagging
from monitor.tagging.folding import Folded, fold
from monitor.tagging.matcher import BLOCK, Hit, probes_complete
from monitor.tagging.relevance import relevance
from monitor.tagging.rules import CHARS_PER_WORD, Form, Words, decide, word_finder
from monitor.tagging.sentences import sentence_spans
from monitor.tagging.taxonomy import Taxonomy

__all__ = ["ArticleField", "Probed", "Verdict", "mention", "run", "tag_article"]

_words = word_finder()  # rules.tokens without its defaults: called for every window
_NOTHING = Tagging((), (), False, 0.0)  # frozen: one instance serves every article


class Probed:
    """One field's folded text and the probes `Matcher.scan` reported in it: what
    `ArticleField.document_has` asks of every field of the article.

    Kept apart from `ArticleField` so that no field refers to another, nor to
    itself: an article's fields in a reference cycle stayed alive, with all their
    caches, until the garbage collector's next pass, which then had them to
    traverse (about 30 objects an article, issue 8).
    """

    __slots__ = ("_complete", "folded", "probes")

    def __init__(self, folded: str, probes: AbstractSet[str]) -> None:
        self.folded = folded
        self.probes = probes
        self._complete: bool | None = None

    def has(self, words: Words) -> bool:
        """Does the field contain one of `words`? (Through the matcher's probes
        when its pass saw every word start, `matcher.probes_complete`.)"""
        if self._complete is None:
            self._complete = probes_complete(self.folded)
        return words.in_text(self.folded, self.probes if self._complete else None)


class ArticleField:
    """One field being tagged; also the `rules.Context` for its mentions.

    A plain class with slots, and the answers cached per article or per offset:
    an on-topic article asks about the same sentences and words many times (issue 6).
    It holds no reference to itself or to the other fields (`Probed`), so it is
    freed as soon as the article is tagged.
    """

    __slots__ = (
        "_around",
        "_near",
        "_spans",
        "_starts",
        "_texts",
        "accepted",
        "anchors",
        "document",
        "folded",
        "name",
        "original",
        "shared",
        "text",
        "verdicts",
    )

    def __init__(self, name: str, text: Folded) -> None:
        self.name = name
        self.text = text
        self.original = text.original
        self.folded = text.folded
        self.document: tuple[Probed, ...] = ()  # every field of the article (`run`)
        self.shared: dict[int, bool] = {}  # document answers, for all fields
        self.verdicts: dict[int, bool] = {}  # the same, per condition (`rules.decide`)
        self.anchors: frozenset[str] = frozenset()
        self.accepted: list[tuple[Hit, str]] = []
        self._spans: list[tuple[int, int]] | None = None
        self._starts: list[int] = []
        self._around: dict[int, list[str]] = {}
        self._near: dict[int, list[str]] = {}
        self._texts: dict[int, str] = {}

    def original_sentence(self, original_offset: int) -> tuple[int, int]:
        # One split of the whole text: measured cheaper than searching around each
        # mention, even for articles with only a mention or two.
        spans = self._spans
        if spans is None:
            if self.name == "title":
                spans = self._spans = [(0, len(self.original))]
            else:
                spans = self._spans = sentence_spans(self.original)
            self._starts = [s for s, _ in spans]
        i = bisect_right(self._starts, original_offset) - 1
        return spans[i if i > 0 else 0]  # as sentences.span_at

    def sentence(self, start: int) -> tuple[int, int]:
        """Folded span of the sentence around folded offset `start` (`rules.Context`)."""
        text = self.text
        if text.index is None:
            return self.original_sentence(start)
        a, b = self.original_sentence(text.to_original(start))
        return text.to_folded(a), text.to_folded(b)

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
            found = _words(self.folded, lo, start) + _words(self.folded, end, hi)
            self._around[start] = found
        return found

    def words_before(self, start: int, n: int) -> list[str]:
        key = start * 16 + n  # n <= 8 (schema), so this is unique per (start, n)
        found = self._near.get(key)
        if found is None:
            lo = start - n * CHARS_PER_WORD
            first = self.sentence(start)[0]
            found = self._near[key] = _words(self.folded, lo if lo > first else first, start)[-n:]
        return found

    def words_after(self, start: int, end: int, n: int) -> list[str]:
        key = -(start * 16 + n) - 1
        found = self._near.get(key)
        if found is None:
            hi = end + n * CHARS_PER_WORD
            last = self.sentence(start)[1]
            found = self._near[key] = _words(self.folded, end, hi if hi < last else last)[:n]
        return found

    def document_has(self, words: Words) -> bool:
        found = self.shared.get(id(words))
        if found is None:
            found = self.shared[id(words)] = any(f.has(words) for f in self.document)
        return found

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        return self.text.to_original(start), self.text.to_original(end)

    def concepts_between(self, lo: int, hi: int) -> frozenset[str]:
        return frozenset(c for h, c in self.accepted if lo <= h.start < hi)

    def mentions(self) -> list[Mention]:
        """The accepted hits as `Mention`s, with original offsets and their sentence."""
        out = []
        original, name, index = self.original, self.name, self.text.index
        to_original = self.text.to_original
        for hit, concept in self.accepted:
            if index is None:
                start, end = hit.start, hit.end
            else:
                start, end = to_original(hit.start), to_original(hit.end)
            sentence = self.sentence_text(start)
            out.append(Mention(concept, original[start:end], name, start, end, sentence))
        return out


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


def run(
    title: str | None, text: str, taxonomy: Taxonomy, verdict: Verdict | None = None
) -> list[ArticleField]:
    """Fold, match and judge every hit; each field's `accepted` holds what counted.

    Shared by `tag_article` (no `verdict`: `rules.decide`, skipped for forms without
    rules) and `explain.explain_article`, which passes a verdict that also records
    why.
    """
    fields = [ArticleField("title", fold(title))] if title and title.strip() else []
    fields.append(ArticleField("text", fold(text or "")))
    forms = taxonomy.forms
    matcher = taxonomy.matcher
    hits: list[tuple[ArticleField, Hit]] = []
    document = []
    for f in fields:
        found, probes = matcher.scan(f.text)
        document.append(Probed(f.folded, probes))
        hits.extend((f, h) for h in found if h.entry.form != BLOCK)
    probed, first = tuple(document), fields[0]
    for f in fields:
        f.document, f.shared, f.verdicts = probed, first.shared, first.verdicts
    late = []
    for f, hit in hits:
        form = forms[hit.entry.form]
        if form.second_pass:
            late.append((f, hit))
        elif verdict is None:
            if form.unconditional or decide(form, f, hit.start, hit.end):
                f.accepted.append((hit, form.concept))
        elif verdict(form, f, hit):
            f.accepted.append((hit, form.concept))
    if late:
        anchors = frozenset(c for f in fields for _, c in f.accepted)
        for f in fields:
            f.anchors = anchors
        judge = verdict or _counts
        second = [(f, hit) for f, hit in late if judge(forms[hit.entry.form], f, hit)]
        for f, hit in second:  # only now: second-pass mentions never confirm each other
            f.accepted.append((hit, forms[hit.entry.form].concept))
        for f in fields:  # the first pass's were in text order already
            f.accepted.sort(key=lambda hc: hc[0].start)
    return fields


def tag_article(title: str | None, text: str, taxonomy: Taxonomy) -> Tagging:
    """Tag one article's title and text with `taxonomy` (see the module docstring)."""
    fields = run(title, text, taxonomy)
    if not any(f.accepted for f in fields):
        return _NOTHING  # most articles: what _tagging makes of no mentions
    mentions = [m for f in fields for m in f.mentions()]
    return _tagging(mentions, text or "", taxonomy)


def _tagging(mentions: list[Mention], text: str, taxonomy: Taxonomy) -> Tagging:
    related = taxonomy.related_concepts
    topical = [m for m in mentions if m.concept in related]
    return Tagging(
        mentions=tuple(mentions),
        concepts=tuple(sorted({m.concept for m in mentions})),
        related=bool(topical),
        relevance=relevance(topical, text),
    )
