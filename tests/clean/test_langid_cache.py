"""The language model's cache: mapped, bit-identical, never trusted, never required."""

from __future__ import annotations

import copy
import json
import logging
import mmap
import os
import pickle
import random
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from monitor.clean import langid_cache
from monitor.clean.langid_fast import FastIdentifier, fast_identifier
from monitor.clean.language import LANGUAGES

from ..conftest import ROOT
from .test_language import ARABIC, ENGLISH, HINDI, URDU

LANGS = list(LANGUAGES)


def _texts() -> list[str | bytes]:
    rng = random.Random(11)
    noise = [bytes(rng.randrange(256) for _ in range(rng.randint(1, 300))) for _ in range(6)]
    return ["", "a", ENGLISH, HINDI, URDU, ARABIC, ENGLISH + " " + URDU,
            "Le gouvernement a annoncé de nouvelles mesures pour les écoles.", *noise]


TEXTS = _texts()


@pytest.fixture(scope="module")
def stock() -> LanguageIdentifier:
    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages([code for code in LANGS if code in ident.nb_classes])
    return ident


@pytest.fixture(scope="module")
def expected(stock: LanguageIdentifier) -> list[Any]:
    return [stock.rank(text) for text in TEXTS]


@pytest.fixture(scope="module")
def cold(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Path]]:
    """A first load with no cache: (the identifier it returned, the cache folder)."""
    folder = tmp_path_factory.mktemp("cold") / "cache"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MONITOR_CACHE_DIR", str(folder))
        yield fast_identifier(LANGS), folder


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("MONITOR_CACHE_DIR", str(folder))
    return folder


def _only_file(folder: Path) -> Path:
    files = sorted(folder.iterdir())
    assert [f.suffix for f in files] == [".bin"], files  # no temporary file left
    return files[0]


def _seed(cold: tuple[Any, Path], folder: Path) -> Path:
    """A copy of the cold load's cache file in `folder` (the name is the key's)."""
    source = _only_file(cold[1])
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copyfile(source, folder / source.name))


def _mapped(array: Any) -> bool:
    while array is not None:
        if isinstance(array, mmap.mmap):
            return True
        array = array.obj if isinstance(array, memoryview) else getattr(array, "base", None)
    return False


def _assert_stock_scores(ident: Any, expected: list[Any]) -> None:
    assert isinstance(ident, FastIdentifier)
    assert [ident.rank(text) for text in TEXTS] == expected


def test_a_cold_load_writes_the_cache_and_returns_it_mapped(
    cold: tuple[Any, Path], expected: list[Any],
) -> None:
    ident, folder = cold
    path = _only_file(folder)
    assert path.name.startswith("langid-")
    assert path.stat().st_size > ident.nb_ptc.nbytes + ident._np_next.nbytes
    assert _mapped(ident._np_next) and _mapped(ident.nb_ptc)  # mapped back once written
    _assert_stock_scores(ident, expected)


def test_a_fresh_process_maps_the_cache_without_decompressing(
    cold: tuple[Any, Path], cache: Path, expected: list[Any],
) -> None:
    path = _seed(cold, cache)
    before = path.stat()
    child = """if True:
        import json, pickle, sys
        from py3langid.langid import LanguageIdentifier

        def refuse(*args, **kwargs):
            raise AssertionError("the bundled model was loaded")

        LanguageIdentifier.from_model_file = classmethod(refuse)
        from monitor.clean.langid_fast import fast_identifier

        texts = pickle.loads(sys.stdin.buffer.read())
        ident = fast_identifier(json.loads(sys.argv[1]))
        print(json.dumps([ident.rank(text) for text in texts]))
    """
    done = subprocess.run(
        [sys.executable, "-c", child, json.dumps(LANGS)], input=pickle.dumps(TEXTS),
        capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    ranks = [[(lang, score) for lang, score in rank] for rank in json.loads(done.stdout)]
    assert ranks == expected  # floats survive JSON exactly (repr round-trips)
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_the_big_tables_are_memory_mapped_read_only(
    cold: tuple[Any, Path], cache: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    _seed(cold, cache)
    monkeypatch.setattr(LanguageIdentifier, "from_model_file", None)  # must not be needed
    ident = fast_identifier(LANGS)
    for array in (ident._np_next, ident.nb_ptc, ident._np_out, ident.nb_pc):
        assert _mapped(array)
        assert not array.flags.writeable
    assert ident.nb_ptc.dtype == np.float32 and ident.nb_ptc.flags.c_contiguous


def _edit(path: Path, old: bytes, new: bytes) -> None:
    data = path.read_bytes()
    assert len(old) == len(new) and data.count(old) >= 1, old
    path.write_bytes(data.replace(old, new, 1))


def _truncate(path: Path, size: int) -> None:
    with open(path, "r+b") as f:
        f.truncate(size)


def _append(path: Path) -> None:
    with open(path, "ab") as f:
        f.write(b"\0")


def _header_length(path: Path) -> None:
    with open(path, "r+b") as f:
        f.seek(len(langid_cache.MAGIC))
        f.write((1 << 40).to_bytes(8, "little"))


def _bad_feature(path: Path) -> None:
    """A state's feature id past the end of the score table, in the data."""
    data = path.read_bytes()
    length = int.from_bytes(data[8:16], "little")
    header = json.loads(data[16 : 16 + length])
    start = -(-(16 + length) // 4096) * 4096
    with open(path, "r+b") as f:
        f.seek(start + header["arrays"]["out"]["offset"])
        f.write(np.int32(10**9).tobytes())


CORRUPTIONS: dict[str, Callable[[Path], None]] = {
    "empty": lambda p: _truncate(p, 0),
    "truncated": lambda p: _truncate(p, p.stat().st_size // 2),
    "one byte short": lambda p: _truncate(p, p.stat().st_size - 1),
    "one byte long": _append,
    "magic": lambda p: _edit(p, langid_cache.MAGIC, b"NOTACACH"),
    "header length": _header_length,
    "header json": lambda p: _edit(p, b'{"format"', b'["format"'),
    "format version": lambda p: _edit(p, b'"format": 1,', b'"format": 9,'),
    "foreign key": lambda p: _edit(p, b'"byteorder": "little"', b'"byteorder": "LITTLE"'),
    "dtype": lambda p: _edit(p, b'"dtype": "<u4"', b'"dtype": "<f4"'),
    "shape": lambda p: _edit(p, b'"shape": [104583]', b'"shape": [104582]'),
    "classes": lambda p: _edit(p, b'"classes": ["ar"', b'"classes": [1234'),
    "feature id": _bad_feature,
}


@pytest.mark.parametrize("corrupt", CORRUPTIONS, ids=list(CORRUPTIONS))
def test_a_damaged_or_foreign_cache_is_not_used(
    corrupt: str, cold: tuple[Any, Path], cache: Path,
) -> None:
    path = _seed(cold, cache)
    assert langid_cache.load(LANGS) is not None
    CORRUPTIONS[corrupt](path)
    assert langid_cache.load(LANGS) is None


@pytest.mark.parametrize("corrupt", ["truncated", "format version"])
def test_a_bad_cache_is_rebuilt_with_identical_scores(
    corrupt: str, cold: tuple[Any, Path], cache: Path, expected: list[Any],
) -> None:
    path = _seed(cold, cache)
    size = path.stat().st_size
    CORRUPTIONS[corrupt](path)
    _assert_stock_scores(fast_identifier(LANGS), expected)
    assert _only_file(cache).stat().st_size == size
    assert langid_cache.load(LANGS) is not None


def test_an_unwritable_cache_folder_still_gives_the_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, expected: list[Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    (tmp_path / "a-file").write_text("not a folder")  # works as root too, unlike chmod
    monkeypatch.setenv("MONITOR_CACHE_DIR", str(tmp_path / "a-file" / "cache"))
    with caplog.at_level(logging.DEBUG, logger=langid_cache.__name__):
        ident = fast_identifier(LANGS)
    _assert_stock_scores(ident, expected)
    assert not _mapped(ident._np_next)
    assert "not cached" in caplog.text


def test_concurrent_writers_both_succeed(cold: tuple[Any, Path], cache: Path) -> None:
    ident = cold[0]
    stale = cache / "langid-0123456789abcdef.bin.1.dead.tmp"  # a writer killed long ago
    cache.mkdir()
    stale.write_bytes(b"partial")
    os.utime(stale, (1, 1))
    results: list[bool] = []

    def write() -> None:
        results.append(langid_cache.store(LANGS, ident.arrays(), ident.nb_classes))

    writers = [threading.Thread(target=write) for _ in range(2)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert results == [True, True]
    assert _only_file(cache).read_bytes() == _only_file(cold[1]).read_bytes()


def test_the_library_identifier_is_not_cached(
    stock: LanguageIdentifier, cache: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A py3langid without the layout the fast walk needs: its own identifier, no cache."""
    monkeypatch.setattr(FastIdentifier, "from_model_file", classmethod(lambda *a, **k: object()))
    monkeypatch.setattr(LanguageIdentifier, "from_model_file",
                        classmethod(lambda *a, **k: copy.copy(stock)))
    ident = fast_identifier(LANGS)
    assert type(ident) is LanguageIdentifier
    assert not cache.exists()


def test_the_folder_and_the_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("MONITOR_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert langid_cache.cache_dir() == tmp_path / "xdg" / "kashmir-monitor"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert langid_cache.cache_dir() == tmp_path / "home" / ".cache" / "kashmir-monitor"
    monkeypatch.setenv("MONITOR_CACHE_DIR", str(tmp_path / "mine"))
    assert langid_cache.cache_dir() == tmp_path / "mine"
    desk, other = langid_cache.cache_key(LANGS), langid_cache.cache_key(["en", "hi"])
    assert langid_cache.cache_path(desk) != langid_cache.cache_path(other)
    assert langid_cache.cache_path(desk) == langid_cache.cache_path(langid_cache.cache_key(LANGS))
