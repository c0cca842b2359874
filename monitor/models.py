"""The plain data that flows through the pipeline.

Each stage maps one of these frozen dataclasses to another and opens no socket or
database (STYLE.md 2). The pipeline (`monitor.pipeline`) fetches what a stage needs
from the store and passes it in; the store applies a whole `Decision` in one
transaction (STYLE.md 3).

    RawItem --clean--> CleanArticle --dedupe--> DedupVerdict
                                    --tag-----> Tagging
                                    --story---> StoryVerdict
                                    --alerts--> [AlertIntent]
    all of it ---------------------------------> Decision --store.save-->
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cached_property

__all__ = [
    "FACT_MASK_BITS",
    "SIGNATURE_MINHASH",
    "AlertIntent",
    "Body",
    "CandidateArticle",
    "CleanArticle",
    "DateContext",
    "Decision",
    "DedupVerdict",
    "Mention",
    "RawItem",
    "StoryCandidate",
    "StoryVerdict",
    "Tagging",
    "fact_mask",
    "signature_facts",
]

# The layout of an article's signature (`dedupe.fingerprint`): this many MinHash
# values, then the sorted hashes of the names and figures it states.
SIGNATURE_MINHASH = 128


class Body(StrEnum):
    """What kind of body a raw item carries; it picks the cleaner."""

    HTML = "html"  # a fetched or archived web page
    TEXT = "text"  # clean text (JSONL `text`, feed summary without a page)
    TEXT_PAGE = "text_page"  # a .txt file: maybe the desk's format, maybe a saved page


@dataclass(frozen=True)
class DateContext:
    """How to read dates for one source (PRODUCT.md "Dates").

    `timezone` is an IANA zone name given to zone-less times; `date_order` settles
    ambiguous numeric dates; `now` bounds the future (more than a day ahead is
    rejected) and is passed in so that cleaning stays a pure function.
    """

    timezone: str
    now: datetime
    date_order: str = "DMY"  # or "MDY"


@dataclass(frozen=True)
class RawItem:
    """One article as an input reader or a fetcher found it, before any cleaning.

    `published` is what the feed entry or JSONL record said, verbatim (the cleaner
    parses it with the source's `DateContext`); `url` is where the item came from
    (a `file:` URI for local files).
    """

    source: str
    body: Body
    content: str
    dates: DateContext
    url: str | None = None
    title: str | None = None
    published: str | None = None
    author: str | None = None
    language: str | None = None
    origin: str = "file"  # file | jsonl | feed | sitemap | page | warc | url


@dataclass(frozen=True)
class CleanArticle:
    """The article's own text and metadata, out of its page (the cleaning stage).

    `published` is timezone-aware or None (never the fetch or crawl time).
    `canonical_url` is the page's own `<link rel=canonical>`/`og:url` if it named
    one, else None: the dedupe stage turns it into the canonical form.
    `problems` says what could not be extracted and why (the cleaner never raises).
    """

    source: str
    url: str | None
    text: str
    title: str | None = None
    author: str | None = None
    published: datetime | None = None
    published_from: str | None = None  # where the date came from: feed, json-ld, url, text...
    language: str | None = None
    page_canonical_url: str | None = None
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class CandidateArticle:
    """A stored article the dedupe stage compares a new one against."""

    id: int
    canonical_url: str | None
    content_hash: str
    source: str
    title: str | None
    published: datetime | None
    duplicate_of: int | None
    signature: Sequence[int] | None = None  # MinHash values then facts (the store: array)


@dataclass(frozen=True)
class DedupVerdict:
    """Is this the same article as a stored one?

    `update_of`: the stored article at the same canonical URL (a new version of it).
    `duplicate_of`: the first stored copy of the same article from elsewhere.
    At most one is set. `method` and `similarity` explain it (export `dedup`).
    """

    canonical_url: str | None
    content_hash: str
    band_keys: tuple[int, ...] = ()  # signed 64-bit LSH band keys
    signature: tuple[int, ...] = ()
    update_of: int | None = None
    duplicate_of: int | None = None
    method: str | None = None  # url | exact | minhash
    similarity: float | None = None
    # For an update: the keys the stored version is indexed under (from its signature),
    # which the store removes by key: the index has no per-article lookup to find them.
    replaced_band_keys: tuple[int, ...] = ()

    @cached_property
    def facts(self) -> frozenset[int]:
        """The article's fact hashes (`signature_facts`), built once for all candidates."""
        return signature_facts(self.signature)

    @cached_property
    def fact_mask(self) -> tuple[int, int]:
        """`fact_mask(self.facts)`, built once (the story stage, then the stored copy)."""
        return fact_mask(self.facts)


@dataclass(frozen=True)
class Mention:
    """One place in the article where a taxonomy concept is mentioned.

    `start`/`end` are character offsets into `field` (title or text), so
    `article.<field>[start:end] == surface`.
    """

    concept: str
    surface: str
    field: str  # "title" | "text"
    start: int
    end: int
    sentence: str


@dataclass(frozen=True)
class Tagging:
    """What the tagger found in one article."""

    mentions: tuple[Mention, ...] = ()
    concepts: tuple[str, ...] = ()  # sorted, unique
    related: bool = False  # export `kashmir_related`: concerns the taxonomy's topic
    relevance: float = 0.0  # 0 to 1


@dataclass(frozen=True)
class StoryCandidate:
    """A recent stored article the story stage may group a new one with."""

    article_id: int
    story_id: int
    title: str | None
    published: datetime | None
    concepts: tuple[str, ...]
    signature: Sequence[int] | None = None  # MinHash values, then facts (tuple or array)
    entities: tuple[str, ...] = ()

    @cached_property
    def facts(self) -> frozenset[int]:
        """The hashes of the names and figures it states (after the MinHash values).

        Kept on the candidate: the store's candidate cache hands out the same objects
        article after article, so each set is built once (issue 8).
        """
        return signature_facts(self.signature)

    @cached_property
    def fact_mask(self) -> tuple[int, int]:
        """`fact_mask(self.facts)`, built once per candidate like `facts`."""
        return fact_mask(self.facts)


def signature_facts(signature: Sequence[int] | None) -> frozenset[int]:
    """The hashes of the names and figures a signature states (after its MinHash values)."""
    return frozenset(signature[SIGNATURE_MINHASH:]) if signature else frozenset()


FACT_MASK_BITS = 4096


def fact_mask(facts: frozenset[int]) -> tuple[int, int]:
    """`(bits, collided)`: the facts folded into a FACT_MASK_BITS-bit integer, and how
    many landed on a bit already set.

    Two fact sets share at most `(a & b).bit_count() + min(collided_a, collided_b)`
    facts (each shared fact sets a bit of `a & b`; those beyond the bits are
    collisions within either set). The story stage tests that bound, a few machine
    words, before comparing the sets themselves.
    """
    bits = 0
    for h in facts:
        bits |= 1 << (h % FACT_MASK_BITS)
    return bits, len(facts) - bits.bit_count()


@dataclass(frozen=True)
class StoryVerdict:
    """Which story the article belongs to: an existing one, or a new one (None)."""

    story_id: int | None
    method: str | None = None  # duplicate | similar | new
    similarity: float | None = None
    with_article: int | None = None  # the stored article it was grouped with


@dataclass(frozen=True)
class AlertIntent:
    """An alert to queue in the outbox with the article that raised it."""

    rule: str
    channel: str


@dataclass(frozen=True)
class Decision:
    """Everything the pipeline decided about one item; the store applies it whole."""

    article: CleanArticle
    dedup: DedupVerdict
    tagging: Tagging
    story: StoryVerdict
    alerts: tuple[AlertIntent, ...] = ()
    fetched_at: datetime | None = None
    extra: dict[str, object] = field(default_factory=dict)
