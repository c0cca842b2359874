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

Threshold trade-off: wire copies re-headlined, re-datelined or with a trailing
paragraph trimmed keep most of their 3-shingles (J 0.5-1.0), while two independent
reports of one event share only names and figures (J below 0.15) and a desk's
templated report on two days (market close, weather bulletin) shares its fixed
phrases (J 0.2-0.45 on dev). NEAR_DUPLICATE = 0.5 sits between them; lower catches
more heavily trimmed copies but starts to merge templated reports.
"""

from __future__ import annotations

from ..models import CandidateArticle, CleanArticle, DedupVerdict
from .fingerprint import Fingerprint, estimated_jaccard

__all__ = ["NEAR_DUPLICATE", "decide_duplicate", "root_of"]

NEAR_DUPLICATE = 0.5


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
        return DedupVerdict(**base, update_of=by_url.id, method="url", similarity=1.0)
    if fp.shingles and by_hash:
        first = min(by_hash, key=lambda c: (root_of(c), c.id))
        return DedupVerdict(**base, duplicate_of=root_of(first), method="exact",
                            similarity=1.0)
    best = _best_near(fp, near)
    if best is not None:
        similarity, candidate = best
        return DedupVerdict(**base, duplicate_of=root_of(candidate), method="minhash",
                            similarity=round(similarity, 3))
    return DedupVerdict(**base)


def _best_near(
    fp: Fingerprint, near: list[CandidateArticle]
) -> tuple[float, CandidateArticle] | None:
    """The most similar candidate at or above the threshold (ties: the earliest root)."""
    best: tuple[float, CandidateArticle] | None = None
    for candidate in near:
        similarity = estimated_jaccard(fp.signature, candidate.signature)
        if similarity < NEAR_DUPLICATE:
            continue
        if best is None or (similarity, -root_of(candidate)) > (best[0], -root_of(best[1])):
            best = (similarity, candidate)
    return best
