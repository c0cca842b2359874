"""Word lists of the context rules, compiled for the two ways rules look for them.

A rule's words (`rules`) are looked for in a few tokens around a mention
(`Words.found_in`: set lookups on a token list) or anywhere in the document
(`Words.in_text`: `str.find` and a check of the word's edges, or the matcher's
probes when its pass over the text saw every word start, issue 6). Words are
folded like the text; `word*` matches a word prefix; a phrase matches its tokens
whatever punctuation sits between them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from monitor.tagging.folding import fold_alias, is_word

__all__ = ["TOKEN", "Words", "tokens", "word_finder"]

TOKEN = re.compile(  # a word: letters, digits, marks and "&"
    "[\\w&\u0300-\u036f\u0900-\u0963\u0966-\u097f\u0610-\u061a\u064b-\u065f\u0670]+"
)


def tokens(text: str, lo: int = 0, hi: int | None = None) -> list[str]:
    """The words of folded `text[lo:hi]` (letters, digits, marks and "&")."""
    return TOKEN.findall(text, lo, len(text) if hi is None else hi)


def word_finder() -> Callable[[str, int, int], list[str]]:
    """`tokens(text, lo, hi)` as the compiled pattern's own `findall` (no defaults)."""
    return TOKEN.findall


def _longest(parts: tuple[str, ...]) -> str:
    """The word of a phrase to look for first: the longest is the rarest, roughly."""
    return max(parts, key=len)


def _starts_word(text: str, i: int) -> bool:
    return i == 0 or not (is_word(text[i - 1]) or text[i - 1] == "&")


def _occurrences(text: str, word: str) -> Iterator[int]:
    """Offsets where `word` starts a word in `text`, in order."""
    i = text.find(word)
    while i >= 0:
        if _starts_word(text, i):
            yield i
        i = text.find(word, i + 1)


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
    phrase_tokens: tuple[tuple[str, ...], ...] = ()
    # what must start a word wherever one of them is: the words, prefixes and the
    # first word of each phrase (`Matcher` reports these for the whole document)
    probes: frozenset[str] = field(init=False, default=frozenset())

    def __post_init__(self) -> None:
        firsts = (parts[0] for parts in self.phrase_tokens)
        object.__setattr__(self, "probes", frozenset((*self.single, *self.prefixes, *firsts)))

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
        split = tuple(tuple(p.split()) for p in phrases)
        return cls(frozenset(single), tuple(prefixes), tuple(phrases), split)

    def union(self, other: Words) -> Words:
        """Both word lists as one."""
        return Words(
            self.single | other.single,
            self.prefixes + other.prefixes,
            self.phrases + other.phrases,
            self.phrase_tokens + other.phrase_tokens,
        )

    def in_text(self, text: str, present: AbstractSet[str] | None = None) -> bool:
        """Is one of them in a whole folded text? (No tokenising: find and check edges.)

        `present`, when given, holds every one of `probes` that starts a word in
        `text` (the matcher's pass over the text found them, `Matcher.scan`): only
        those are looked for. Otherwise each word costs one `str.find` over the text,
        and a phrase is first looked for by its longest word, which is rarely a
        piece of other words ("zeppelin", not "led").
        """
        if present is not None and present.isdisjoint(self.probes):
            return False
        for w in self.single:
            if (present is None or w in present) and _occurs(text, w, True):
                return True
        for w in self.prefixes:
            if (present is None or w in present) and _occurs(text, w, False):
                return True
        for parts in self.phrase_tokens:
            if parts[0] not in present if present is not None else _longest(parts) not in text:
                continue
            for i in _occurrences(text, parts[0]):
                window = TOKEN.findall(text, i, i + sum(map(len, parts)) + 8 * len(parts))
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
