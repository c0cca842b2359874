"""Is a new article the same article as a stored one? (issue 5)

Three tests, strongest first; the first that holds decides:

1. `url`: the same canonical URL is stored. The input is a new version of that
   article (PRODUCT.md), not a new article: `update_of`.
2. `exact`: a stored article has the same content hash (same tokens once furniture,
   datelines and spelling variants are removed): `duplicate_of` its first copy.
3. `minhash`: a stored article's signature agrees on at least `NEAR_DUPLICATE`
   of its positions (estimated Jaccard similarity of word 3-shingles).

`duplicate_of` always names the first copy (the root): a candidate that is itself a
duplicate is followed to the article it points at, so a group is a star around its
first copy and `coverage` counts the star.

Thresholds and what they mean. Wire copies re-headlined, re-datelined or trimmed keep
most of their 3-shingles (J 0.3-1.0 on the dev set; a rewritten intro on a short
wire copy is what brings it down to 0.3) and state the same names and figures; two
independent reports of one event share names and figures but almost no wording (J
below 0.03); a desk's templated report on another day (market close, weather
bulletin) shares its fixed phrases (J up to 0.4) but not its figures. So:

- J >= NEAR_DUPLICATE (0.25, one MinHash standard error below the lowest copies)
  *and* the facts of the shorter side are (almost) all in
  the longer one (containment >= FACTS_AGREE, 0.75): a copy;
- texts that state fewer facts fall back to J >= PLAIN_DUPLICATE (0.5), unless both
  state some and share none (two stubs under one site's long boilerplate).

Lower NEAR_DUPLICATE catches more heavily rewritten copies, at the price of more
candidates to check; FACTS_AGREE is what keeps templated reports apart.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence

import numpy as np

from ..models import CandidateArticle, CleanArticle, DedupVerdict
from .fingerprint import MAX_FACTS, NUM_PERM, Fingerprint, fact_overlap, stored_band_keys

__all__ = ["FACTS_AGREE", "NEAR_DUPLICATE", "PLAIN_DUPLICATE", "agreement", "decide_duplicate",
           "root_of"]

NEAR_DUPLICATE = 0.25
FACTS_AGREE = 0.75
PLAIN_DUPLICATE = 0.5
MIN_FACTS = 3  # fewer shared-or-not facts than this and the facts say nothing
# A text of fewer shingles is too short to call a copy ("Read more at the source."):
# two different stubs would hash alike. Such stubs are never marked duplicates.
MIN_SHINGLES = 5


def root_of(candidate: CandidateArticle) -> int:
    """The first copy a stored article stands for (itself unless it is a duplicate)."""
    return candidate.duplicate_of if candidate.duplicate_of is not None else candidate.id


def decide_duplicate(
    article: CleanArticle,
    fp: Fingerprint,
    canonical: str | None,
    by_url: CandidateArticle | None,
    by_hash: list[CandidateArticle],
    near: list[CandidateArticle],
) -> DedupVerdict:
    """Decide update / exact duplicate / near duplicate / new for one article."""
    base = {
        "canonical_url": canonical,
        "content_hash": fp.content_hash,
        "band_keys": fp.band_keys,
        "signature": fp.signature,
    }
    if by_url is not None:
        return DedupVerdict(**base, update_of=by_url.id, method="url", similarity=1.0,
                            replaced_band_keys=stored_band_keys(by_url.signature))
    if fp.shingles < MIN_SHINGLES:
        return DedupVerdict(**base)
    if by_hash:
        first = min(by_hash, key=lambda c: (root_of(c), c.id))
        return DedupVerdict(**base, duplicate_of=root_of(first), method="exact",
                            similarity=1.0)
    best = _best_near(fp, near)
    if best is not None:
        similarity, candidate = best
        return DedupVerdict(**base, duplicate_of=root_of(candidate), method="minhash",
                            similarity=round(similarity, 3))
    return DedupVerdict(**base)


def is_copy(similarity: float, a: tuple[int, ...], b: tuple[int, ...] | None) -> bool:
    """Whether two texts with this estimated Jaccard similarity are the same article."""
    if similarity < NEAR_DUPLICATE:
        return False
    facts = fact_overlap(a, b)
    counts = _fact_count(a), _fact_count(b)
    if min(counts) < MIN_FACTS:
        # Two short reports under one site's long template (newsletter, app, support
        # blurbs) agree on the template's wording, not on a name or figure: when both
        # sketches are complete (so "none shared" is exact) and share nothing, they
        # are two articles whatever their wording says.
        if min(counts) > 0 and max(counts) < MAX_FACTS and facts[2] == 0:
            return False
        return similarity >= PLAIN_DUPLICATE
    return facts[1] >= FACTS_AGREE


def _fact_count(signature: tuple[int, ...] | None) -> int:
    return max(0, len(signature or ()) - NUM_PERM)


def _best_near(
    fp: Fingerprint, near: list[CandidateArticle]
) -> tuple[float, CandidateArticle] | None:
    """The most similar candidate at or above the threshold (ties: the earliest root)."""
    if len(fp.signature) < NUM_PERM:
        return None
    mine = np.asarray(fp.signature[:NUM_PERM], dtype=np.uint32)
    best: tuple[float, CandidateArticle] | None = None
    for candidate in near:
        similarity = agreement(mine, candidate.signature)
        if not is_copy(similarity, fp.signature, candidate.signature):
            continue
        if best is None or (similarity, -root_of(candidate)) > (best[0], -root_of(best[1])):
            best = (similarity, candidate)
    return best


def agreement(mine: np.ndarray, theirs: Sequence[int] | None) -> float:
    """`estimated_jaccard` with our MinHash values already an array (the writer compares
    one article with dozens of stored ones; the store's signatures are `array('I')`,
    which NumPy reads in place)."""
    if not theirs or len(theirs) < NUM_PERM:
        return 0.0
    values = (np.frombuffer(theirs, np.uint32, NUM_PERM)
              if isinstance(theirs, array) and theirs.itemsize == 4
              else np.asarray(theirs[:NUM_PERM], dtype=np.uint32))
    return float(np.count_nonzero(values == mine)) / NUM_PERM
