"""py3langid's feature counting, vectorised: same scores, a fraction of the CPU (issue 8).

py3langid finds its byte n-gram features by walking a DFA one byte at a time in
Python (`visit_counts`), which was a third of analysing a backfilled article. The
DFA is an Aho-Corasick automaton over n-grams of at most WINDOW bytes, so the state
after byte i depends only on the WINDOW bytes ending at i: starting every position
in the start state and stepping all of them at once through their windows, in
NumPy, reaches the same states as the walk. The features are then counted in the
order the walk first meets them (a per-feature minimum of positions in a scratch
array, no sort), so the naive Bayes sum adds the same float32 terms in the same
order and the scores are bit-identical, not merely close.

Depends on py3langid 0.4's model layout (`tk_nextmove`, `tk_row`, `tk_output`,
`_raw_score`); for any other layout `fast_identifier` returns the library's own
identifier. tests/clean/test_langid_fast.py checks WINDOW against the model and the
scores against the library's.

Loading the model costs ~0.8 s of CPU (mostly LZMA), so the prepared, restricted
arrays are cached uncompressed and memory-mapped (`langid_cache`, issue 8's next step):
`fast_identifier` builds from the bundled model only when no valid cache exists.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import numpy as np
from py3langid.langid import MODEL_FILE, RAW_FLOOR, LanguageIdentifier

from monitor.clean import langid_cache

__all__ = ["UNSEEN", "WINDOW", "FastIdentifier", "fast_identifier", "feature_counts"]

WINDOW = 6  # the longest string a state of py3langid's bundled model stands for
UNSEEN = np.iinfo(np.int32).max


class FastIdentifier(LanguageIdentifier):
    """A `LanguageIdentifier` whose raw scores come from `feature_counts`."""

    __slots__ = ("_np_next", "_np_out", "_np_rowbase", "_scratch")

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray], classes: list[str]) -> FastIdentifier:
        """The prepared, restricted identifier `arrays()` describes, without loading (or
        copying: memory-mapped arrays stay mapped) anything.

        The restricted model is also the "full" one `set_languages(None)` returns to:
        the other languages are not in the cache.
        """
        ident = cls.__new__(cls)
        ident.min_confidence = None
        ident._norm_probs = True
        ident.tk_nextmove = arrays["nextmove"]
        ident.tk_row = arrays["row"]
        ident.tk_output = arrays["out"]
        ident.nb_ptc, ident.nb_pc, ident.nb_classes = arrays["ptc"], arrays["pc"], list(classes)
        ident._full_model = ident.nb_ptc, ident.nb_pc, ident.nb_classes
        ident._set_alias_pairs()
        ident.prepare()
        ident._rowbase = ident._np_rowbase  # the library's walk accepts the array too
        return ident

    def arrays(self) -> dict[str, np.ndarray]:
        """What `from_arrays` needs, after `prepare()` and `set_languages()` (plus
        `nb_classes`)."""
        return {
            "nextmove": self._np_next, "row": np.asarray(self.tk_row), "out": self._np_out,
            "ptc": self.nb_ptc, "pc": np.asarray(self.nb_pc),
        }

    def prepare(self) -> None:
        """Build the NumPy views of the DFA (the transition table is not copied)."""
        self._np_next = np.frombuffer(self.tk_nextmove, dtype=np.uint32)
        self._np_rowbase = np.asarray(self.tk_row, dtype=np.intp) << 8
        self._np_out = np.asarray(self.tk_output, dtype=np.int32)
        self._scratch = threading.local()  # feature_counts' first_seen, one per thread

    def set_languages(self, langs: list[str] | None = None) -> None:
        super().set_languages(langs)
        # Row gathers from the library's column-major float16 table touch a cache
        # line per language, and float16 matmul has no fast loop: a row-major float32
        # copy (13 MB for 32 languages) scores 3x faster. NumPy casts the float16
        # rows to float32 before the same product, so the scores do not change.
        self.nb_ptc = np.ascontiguousarray(self.nb_ptc, dtype=np.float32)

    def _raw_score(self, text: bytes) -> Any:
        first_seen = getattr(self._scratch, "first_seen", None)
        if first_seen is None:
            first_seen = np.full(int(self._np_out.max()) + 1, UNSEEN, dtype=np.int32)
            self._scratch.first_seen = first_seen
        found = feature_counts(self._np_next, self._np_rowbase, self._np_out, text, first_seen)
        if found is None:  # as the library: no features, no evidence
            fill = 0.0 if self._norm_probs else RAW_FLOOR
            return np.full(len(self.nb_classes), fill, dtype=np.float32)
        idx, counts = found
        return np.log1p(counts) @ self.nb_ptc[idx] + self.nb_pc


def feature_counts(
    nextmove: np.ndarray, rowbase: np.ndarray, output: np.ndarray, text: bytes,
    first_seen: np.ndarray,
) -> tuple[np.ndarray, np.ndarray] | None:
    """(feature ids, counts as float32) in first-seen order, as py3langid's `visit_counts`.

    `first_seen` is scratch, one int32 per feature, all UNSEEN on entry and again on
    return: it replaces a sort (np.unique) by a minimum per feature.
    """
    data = np.frombuffer(text, dtype=np.uint8)
    n = data.size
    states = np.zeros(n, dtype=np.intp)
    # Step `back` moves every position i >= back by the byte `back` places before it;
    # positions with fewer bytes behind them than WINDOW start later, from the start.
    for back in range(min(WINDOW, n) - 1, -1, -1):
        tail = states[back:]
        states[back:] = nextmove[rowbase[tail] + data[: n - back]]
    features = output[states]
    features = features[features >= 0]
    if not features.size:
        return None
    where = np.arange(features.size, dtype=np.int32)
    try:
        np.minimum.at(first_seen, features, where)  # each feature's first position
        first = first_seen[features]
    finally:
        first_seen[features] = UNSEEN
    opens = first == where  # the positions where a feature is met first, in order
    counts = np.bincount(first, minlength=features.size)[opens]
    return features[opens].astype(np.intp), counts.astype(np.float32)


def fast_identifier(languages: list[str]) -> LanguageIdentifier:
    """py3langid's bundled model restricted to `languages`; the fast walk when the
    installed py3langid has the layout it was written for, else the library's own.

    The fast one is mapped from `langid_cache` when a valid cache exists; otherwise it
    is built, cached and mapped back (so that even the first processes share its pages
    with the next ones). The library's own identifier is never cached.
    """
    cached = langid_cache.load(languages)
    if cached is not None:
        return FastIdentifier.from_arrays(*cached)
    ident: LanguageIdentifier = FastIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    fast = all(
        hasattr(ident, name) for name in ("tk_nextmove", "tk_row", "tk_output", "nb_ptc")
    ) and getattr(ident.tk_nextmove, "typecode", "") == "I"
    if fast:
        assert isinstance(ident, FastIdentifier)
        ident.prepare()
    else:
        ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages([code for code in languages if code in ident.nb_classes])
    if isinstance(ident, FastIdentifier) and langid_cache.store(
        languages, ident.arrays(), ident.nb_classes
    ):
        cached = langid_cache.load(languages)
        if cached is not None:
            return FastIdentifier.from_arrays(*cached)
    return ident
