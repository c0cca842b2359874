"""Fingerprints of an article's text: exact hash, MinHash signature, LSH band keys.

The signature is a MinHash over the set of word 3-shingles of the article's content
tokens (`tokens.analyse`: furniture, datelines and stopwords removed, spelling
variants folded). Two signatures agree at position i with probability equal to the
Jaccard similarity of the shingle sets, so `estimated_jaccard` compares stored
articles without their text.

Speed (issue 5 asks >= 2,000 articles/s on 600-word articles): each token is hashed
once with xxh64 (one C call per token, no per-shingle Python work); the shingles are
combined and permuted in numpy, with multiply-shift hashing (`a*x mod 2**64`, high
32 bits, `a` odd: a bijection of the 64-bit shingle hashes) standing in for random
permutations. The shingle hashes are already uniformly random, so an additive term
would buy nothing; the family is only approximately min-wise independent, and at 128
permutations its bias is far below the estimator's own noise (about 0.04 at J=0.5).

Facts: the signature goes on, after its NUM_PERM MinHash values, with the smallest
MAX_FACTS 32-bit hashes of the article's names and figures (`tokens.analyse`),
sorted: a bottom-k sketch, exact for the usual article (fewer than 64 facts). It lets
the dedupe stage tell a copy from a templated report with other figures, and the
story stage tell two reports of one event (same names and figures, different words)
from two events, without the stored text. Both parts are plain uint32 values, so
the store keeps them in its `signature` blob unchanged.

Band keys: the first 126 values are cut into `BANDS` (42) bands of `ROWS` (3) values;
each band's values and its index are hashed into one signed 64-bit key (SQLite
INTEGER). Two articles share a key with probability 1-(1-J^3)^42: 0.998 at J=0.5, 0.93
at J=0.4, 0.68 at J=0.3 (the lowest copies on dev, whose other copies in the group
are closer), 0.13 at J=0.15 and 4e-5 at J=0.01 (two unrelated news articles), so
copies come back from an index lookup and a million unrelated articles yield a few
dozen candidates at most. 32 bands of 4 rows would shrink the index by a quarter but
find a J=0.3 copy only 23% of the time. Stored
signatures and keys depend on SEED, NUM_PERM, BANDS and ROWS: changing any of them
needs a re-index of the corpus.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import xxhash

from ..models import SIGNATURE_MINHASH
from .tokens import analyse

__all__ = [
    "BANDS",
    "MAX_FACTS",
    "NUM_PERM",
    "ROWS",
    "Fingerprint",
    "estimated_jaccard",
    "fact_overlap",
    "fact_sets_overlap",
    "fingerprint",
    "stored_band_keys",
]

NUM_PERM = SIGNATURE_MINHASH
BANDS = 42
ROWS = 3  # BANDS * ROWS <= NUM_PERM; the last NUM_PERM - BANDS*ROWS values band nothing
SHINGLE = 3
SEED = 0x5EED_0005
MAX_FACTS = 64

_rng = np.random.default_rng(SEED)
_A = (_rng.integers(1, 2**63, NUM_PERM, dtype=np.uint64) << np.uint64(1)) | np.uint64(1)
_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9))
_hash = xxhash.xxh64_intdigest
_hash32 = xxhash.xxh32_intdigest
_digest = xxhash.xxh64_digest  # the same hash as 8 big-endian bytes
# (start, end, seed) of each band in the signature's bytes, worked out once.
_BAND_SLICES = tuple((4 * ROWS * i, 4 * ROWS * (i + 1), SEED + i) for i in range(BANDS))


@dataclass(frozen=True)
class Fingerprint:
    """The dedupe stage's view of one text.

    `content_hash`: hex digest of the normalised token stream (exact duplicates).
    `signature`: NUM_PERM MinHash values, then up to MAX_FACTS sorted fact hashes;
    all below 2**32 (stored as array('I')). Empty for an empty text.
    `band_keys`: BANDS signed 64-bit LSH keys (the persisted near-duplicate index).
    `shingles`: how many distinct shingles the signature summarises (0: empty text).
    """

    content_hash: str
    signature: tuple[int, ...]
    band_keys: tuple[int, ...]
    shingles: int = 0


def fingerprint(text: str, title: str | None = None) -> Fingerprint:
    """Hash, signature (MinHash + facts) and band keys of an article's body text."""
    tokens, facts_found = analyse(text or "", title)
    content_hash = xxhash.xxh3_128_hexdigest(b" ".join(tokens))
    shingles = _shingle_hashes(tokens)
    if shingles.size == 0:
        return Fingerprint(content_hash, (), (), 0)
    minhash = _minhash(shingles)
    facts = sorted(set(map(_hash32, facts_found)))[:MAX_FACTS]
    return Fingerprint(
        content_hash,
        (*minhash.tolist(), *facts),
        _band_keys(minhash),
        int(shingles.size),
    )


def estimated_jaccard(a: Sequence[int] | None, b: Sequence[int] | None) -> float:
    """Share of agreeing MinHash positions: an unbiased estimate of Jaccard similarity."""
    if not a or not b or len(a) < NUM_PERM or len(b) < NUM_PERM:
        return 0.0
    agree = np.asarray(a[:NUM_PERM]) == np.asarray(b[:NUM_PERM])
    return float(np.count_nonzero(agree)) / NUM_PERM


def fact_overlap(a: Sequence[int] | None, b: Sequence[int] | None) -> tuple[float, float, int]:
    """(Jaccard, containment, shared) of two signatures' fact sketches (`fact_sets_overlap`)."""
    fa = frozenset(a[NUM_PERM:]) if a else frozenset()
    fb = frozenset(b[NUM_PERM:]) if b else frozenset()
    return fact_sets_overlap(fa, fb)


def fact_sets_overlap(fa: frozenset[int], fb: frozenset[int]) -> tuple[float, float, int]:
    """(Jaccard, containment, shared) of two fact sketches (the hashes after NUM_PERM).

    Computed over the MAX_FACTS smallest hashes of the union (the bottom-k
    estimator; exact when both sets are small): containment is the shared share of
    the smaller side. All zero when either side states no facts. Set operations
    only (the story stage calls this for every plausible candidate).
    """
    if not fa or not fb:
        return 0.0, 0.0, 0
    if len(fa) < MAX_FACTS and len(fb) < MAX_FACTS:  # both sketches hold every fact
        shared = len(fa & fb)
        union, smaller = len(fa) + len(fb) - shared, min(len(fa), len(fb))
        return shared / union, shared / smaller, shared
    bottom = frozenset(sorted(fa | fb)[:MAX_FACTS])
    in_a, in_b = len(fa & bottom), len(fb & bottom)
    shared = len(fa & fb & bottom)
    smaller = min(in_a, in_b)
    return shared / len(bottom), (shared / smaller if smaller else 0.0), shared


def _shingle_hashes(tokens: list[bytes]) -> np.ndarray:
    """64-bit hashes of the token 3-shingles (or of the tokens, if fewer)."""
    if not tokens:
        return np.empty(0, dtype=np.uint64)
    h = np.frombuffer(b"".join(map(_digest, tokens)), ">u8").astype(np.uint64)
    if len(tokens) >= SHINGLE:
        n = len(tokens) - SHINGLE + 1
        acc = h[:n] * _MIX[0]  # array arithmetic wraps mod 2**64 silently, as intended
        for i in range(1, SHINGLE):
            acc ^= h[i : i + n]
            acc *= _MIX[i]
        h = acc ^ (acc >> np.uint64(29))
    return h


def _minhash(shingles: np.ndarray) -> np.ndarray:
    """Minimum over shingles of each multiply-shift permutation, as 32-bit values.

    Computed in place in one (NUM_PERM x shingles) buffer (numpy temporaries would
    triple the memory traffic, which is most of the cost); the shift to the high 32
    bits is taken after the minimum, which it does not change (it is monotonic).
    """
    out = np.empty((NUM_PERM, shingles.size), dtype=np.uint64)
    np.multiply(_A[:, None], shingles[None, :], out=out)  # wraps mod 2**64, as intended
    return (out.min(axis=1) >> np.uint64(32)).astype(np.uint32)


def stored_band_keys(signature: Sequence[int] | None) -> tuple[int, ...]:
    """The band keys a stored signature was indexed under (the same values, the same
    function as `fingerprint`); none for a text too short to have a signature."""
    if not signature or len(signature) < NUM_PERM:
        return ()
    return _band_keys(np.asarray(signature[:NUM_PERM], dtype=np.uint32))


def _band_keys(signature: np.ndarray) -> tuple[int, ...]:
    """One signed 64-bit key per band: xxh64 of the band's values, seeded by its index."""
    raw = signature[: BANDS * ROWS].astype("<u4").tobytes()
    keys = [_hash(raw[start:end], seed) for start, end, seed in _BAND_SLICES]
    return tuple([key - 2**64 if key >= 2**63 else key for key in keys])
