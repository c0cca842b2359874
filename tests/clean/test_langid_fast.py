"""The vectorised py3langid walk gives the library's scores exactly (issue 8)."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from monitor.clean.langid_fast import UNSEEN, WINDOW, FastIdentifier, fast_identifier
from monitor.clean.language import LANGUAGES

from .test_language import ARABIC, ENGLISH, HINDI, URDU


@pytest.fixture(scope="module")
def fast() -> FastIdentifier:
    ident = fast_identifier(list(LANGUAGES))
    assert isinstance(ident, FastIdentifier)  # the installed py3langid has the layout
    return ident


@pytest.fixture(scope="module")
def stock() -> LanguageIdentifier:
    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages([code for code in LANGUAGES if code in ident.nb_classes])
    return ident


def _texts() -> list[str | bytes]:
    rng = random.Random(8)
    words = (ENGLISH + " " + HINDI + " " + URDU + " " + ARABIC).split()
    mixed = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 300))) for _ in range(40)]
    noise = [bytes(rng.randrange(256) for _ in range(rng.randint(0, 400))) for _ in range(20)]
    return ["", "a", "ab", "Snow", "12345", ENGLISH, HINDI, URDU, ARABIC, ENGLISH * 12,
            "Le gouvernement a annoncé de nouvelles mesures.", *mixed, *noise]


def test_scores_are_bit_identical(fast: FastIdentifier, stock: LanguageIdentifier) -> None:
    for text in _texts():
        assert fast.rank(text) == stock.rank(text), text


def test_window_covers_the_deepest_state(fast: FastIdentifier) -> None:
    """Every state is reached within WINDOW bytes of the start (breadth first)."""
    nextmove, rowbase = fast._np_next, fast._np_rowbase
    depth = np.full(rowbase.size, -1)
    depth[0], frontier, level = 0, np.array([0]), 0
    while frontier.size:
        level += 1
        reached = np.zeros(rowbase.size, dtype=bool)
        reached[nextmove[rowbase[frontier][:, None] + np.arange(256)]] = True
        frontier = np.flatnonzero(reached & (depth < 0))
        depth[frontier] = level
    assert depth.min() == 0 and depth.max() == WINDOW


def test_the_last_window_bytes_decide_the_state(fast: FastIdentifier) -> None:
    """From any state, WINDOW bytes lead where they lead from the start: the
    automaton forgets what came before, which is what the vectorised walk assumes."""
    nextmove, rowbase = fast._np_next, fast._np_rowbase
    sample = (ENGLISH + HINDI + URDU).encode()
    rng = np.random.default_rng(3)
    for trial in range(20):
        at = int(rng.integers(0, len(sample) - WINDOW))
        window = sample[at : at + WINDOW] if trial % 2 else rng.bytes(WINDOW)
        states, start = np.arange(rowbase.size), 0
        for byte in window:
            states = nextmove[rowbase[states] + byte]
            start = nextmove[rowbase[start] + byte]
        assert (states == start).all()


def test_scratch_is_left_clean_and_per_thread(fast: FastIdentifier) -> None:
    texts = _texts()
    expected = [fast.rank(t) for t in texts]
    assert (fast._scratch.first_seen == UNSEEN).all()
    with ThreadPoolExecutor(4) as pool:  # threads share the model, not the scratch
        for _ in range(3):
            assert list(pool.map(fast.rank, texts)) == expected
