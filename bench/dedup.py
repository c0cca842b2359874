"""Near-duplicate index at scale: lookup latency, insert rate, memory (issue 5).

    .venv/bin/python bench/dedup.py [--max 1000000] [--checkpoints 10000,100000,1000000]
                                    [--db PATH] [--fingerprints 2000]

What it measures, on the real `Store` over a temporary SQLite file:

1. `fingerprint()` speed on generated 600-word articles (real code, one core).
2. The corpus is grown to `--max` first copies. Generating a million real texts
   and fingerprints would take most of the run, so the bulk rows are synthetic: a
   random MinHash signature and fact sketch per article, its band keys computed by
   the real banding code, written with the same columns and `lsh_bands` rows that
   `Store.save` writes (batched, in one transaction per 10,000). The bulk insert
   rate is reported for what it is (index rows per second).
3. At each checkpoint: 200 real `Store.save()` calls of real fingerprinted articles
   (the ingest path: row, FTS, bands, story) and lookups timed one by one:
   `articles_by_bands` for a near-copy of a stored article (a hit: ~40% of the
   values changed) and for an unseen article (a miss), `articles_by_hash`,
   `article_by_canonical_url`; median and 99th percentile in milliseconds.
4. Peak RSS (`ru_maxrss`) at each checkpoint: the index lives in SQLite, so it
   should not grow with the corpus (SQLite's page cache is bounded).

The last line is a one-line summary of the largest checkpoint.
"""

from __future__ import annotations

import argparse
import itertools
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.config import PACKAGE_TAXONOMY  # noqa: E402
from monitor.dedupe import canonical_url, fingerprint  # noqa: E402
from monitor.dedupe.fingerprint import NUM_PERM, _band_keys  # noqa: E402
from monitor.models import CleanArticle, Tagging  # noqa: E402
from monitor.pipeline import Analysis, Pipeline  # noqa: E402
from monitor.store import Store  # noqa: E402
from monitor.tagging import load_taxonomy  # noqa: E402
from monitor.timeutil import to_utc_iso  # noqa: E402

__all__ = ["main"]

BATCH = 10_000
SAVES = 200
LOOKUPS = 500
_SYLLABLES = (
    "ka",
    "ri",
    "shu",
    "mo",
    "ten",
    "val",
    "dor",
    "pa",
    "li",
    "ne",
    "sar",
    "gam",
    "bu",
    "ho",
    "ra",
    "ti",
    "lo",
    "an",
    "ur",
    "me",
)


def make_vocabulary(size: int, rng: random.Random) -> list[str]:
    return ["".join(rng.choices(_SYLLABLES, k=rng.randint(1, 4))) for _ in range(size)]


def make_article(
    vocab: list[str], cum_weights: list[float], rng: random.Random, words: int = 600
) -> str:
    """Zipf-distributed words in sentences and paragraphs, a few names and figures."""
    drawn = rng.choices(vocab, cum_weights=cum_weights, k=words)
    out, para = [], []
    for i, w in enumerate(drawn):
        if i % 17 == 0:
            w = w.capitalize()
        if i % 53 == 0:
            w = str(rng.randint(1, 99_999))
        para.append(w)
        if i % 12 == 11:
            para[-1] += "."
        if i % 60 == 59:
            out.append(" ".join(para))
            para = []
    out.append(" ".join(para))
    return "\n\n".join(out)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_fingerprint(n: int, texts: list[str], rounds: int = 10) -> tuple[float, float]:
    """(overall, best round) fingerprints per second of CPU time over `n` articles.

    CPU time, not wall time, so that other jobs on a shared machine do not count;
    the best of `rounds` equal rounds is the least disturbed figure.
    """
    per_round = max(1, n // rounds)
    rates = []
    for r in range(rounds):
        start = time.process_time()
        for i in range(per_round):
            fingerprint(texts[(r * per_round + i) % len(texts)])
        rates.append(per_round / (time.process_time() - start))
    return per_round * rounds / sum(per_round / x for x in rates), max(rates)


class Corpus:
    """Bulk synthetic first copies written the way `Store.save` writes them."""

    def __init__(self, store: Store, seed: int = 5) -> None:
        self.store = store
        self.rng = np.random.default_rng(seed)
        self.count = 0
        self.samples: list[tuple[int, np.ndarray]] = []  # (id, minhash) to query later
        self.base_time = datetime(2020, 1, 1, tzinfo=UTC)

    def grow(self, n: int) -> float:
        """Add `n` articles; the rate in articles per second."""
        start = time.perf_counter()
        done = 0
        while done < n:
            k = min(BATCH, n - done)
            self._batch(k)
            done += k
        return n / (time.perf_counter() - start)

    def _batch(self, k: int) -> None:
        db = self.store.db
        sigs = random_u32(self.rng, (k, NUM_PERM + 20))  # MinHash values + 20 facts
        first = 1 + next(db.query("SELECT coalesce(max(id), 0) AS m FROM articles"))["m"]
        keys = [_band_keys(sig) for sig in sigs[:, :NUM_PERM]]
        rows, bands = [], []
        for j in range(k):
            n = first + j
            when = self.base_time + timedelta(minutes=3 * n)
            url = f"https://synthetic.example/{n}"
            rows.append(
                (
                    n,
                    url,
                    url,
                    "bench",
                    when.isoformat(),
                    to_utc_iso(when),
                    when.isoformat(),
                    "",
                    f"{n:032x}",
                    sigs[j].tobytes(),
                    n,
                    "[]",
                )
            )
            bands.extend((key, n) for key in keys[j])
            if n % 997 == 0:
                self.samples.append((n, sigs[j, :NUM_PERM].copy()))
        bands.sort()  # locality: B-tree pages are touched in key order
        with self.store.lock, db.atomic():
            db.conn.executemany(
                "INSERT INTO articles (id, url, canonical_url, source, published, "
                "published_utc, fetched_at, text, content_hash, signature, story_id, concepts) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                rows,
            )
            db.conn.executemany("INSERT INTO lsh_bands(key, article_id) VALUES (?, ?)", bands)
        self.count += k


def random_u32(rng: np.random.Generator, shape: int | tuple[int, int]) -> np.ndarray:
    return rng.integers(0, 2**32, size=shape, dtype=np.uint64).astype(np.uint32)


def near_copy(minhash: np.ndarray, rng: np.random.Generator, changed: float = 0.4) -> tuple:
    """Band keys of a copy sharing about 1 - `changed` of the MinHash values."""
    copy = minhash.copy()
    mask = rng.random(copy.size) < changed
    copy[mask] = random_u32(rng, int(mask.sum()))
    return _band_keys(copy)


def timed(fn, args_list) -> tuple[float, float]:
    times = []
    for args in args_list:
        t = time.perf_counter()
        fn(*args)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.99 * (len(times) - 1))]


def measure(store: Store, corpus: Corpus, texts: list[str], rng: random.Random) -> dict:
    nrng = np.random.default_rng(rng.randrange(2**32))
    picks = [corpus.samples[rng.randrange(len(corpus.samples))] for _ in range(LOOKUPS)]
    hits = [(near_copy(m, nrng),) for _, m in picks]
    found = sum(
        1
        for (keys,), (aid, _) in zip(hits, picks, strict=True)
        if any(c.id == aid for c in store.articles_by_bands(keys))
    )
    misses = [(_band_keys(random_u32(nrng, NUM_PERM)),) for _ in range(LOOKUPS)]
    hashes = [(f"{aid:032x}",) for aid, _ in picks]
    urls = [(f"https://synthetic.example/{aid}",) for aid, _ in picks]
    out = {
        "bands_hit": timed(store.articles_by_bands, hits),
        "bands_miss": timed(store.articles_by_bands, misses),
        "hash": timed(store.articles_by_hash, hashes),
        "url": timed(store.article_by_canonical_url, urls),
        "recall": found / LOOKUPS,
    }
    newest = corpus.base_time + timedelta(minutes=3 * corpus.count)
    out["save_rate"], out["ingest_ms"] = real_saves(store, texts, rng, newest)
    return out


def real_saves(
    store: Store, texts: list[str], rng: random.Random, when: datetime
) -> tuple[float, float]:
    """SAVES real articles through fingerprint and the pipeline's writer (lookups, both
    decisions, save()), without tagging.

    Published at `when`, among the newest bulk articles: the story stage then gets a
    full list of candidates from the time walk (one bulk article every 3 minutes).
    """
    pipeline = Pipeline(store, load_taxonomy(PACKAGE_TAXONOMY), alerts=False)
    start = time.perf_counter()
    for _ in range(SAVES):
        text = texts[rng.randrange(len(texts))] + f"\n\nItem {rng.randrange(10**12)}."
        url = f"https://real.example/{rng.randrange(10**12)}"
        art = CleanArticle(source="bench", url=url, text=text, title="t", published=when)
        fp = fingerprint(text)
        pipeline.commit(Analysis(art, fp, canonical_url(url), Tagging(), "bench"))
    elapsed = time.perf_counter() - start
    return SAVES / elapsed, elapsed * 1000 / SAVES


def row(count: int, bulk: float, m: dict) -> str:
    hit, miss = m["bands_hit"], m["bands_miss"]
    return (
        f"{count:>9,}  {bulk:>6,.0f}  {hit[0]:.3f}/{hit[1]:.3f}  {miss[0]:.3f}/{miss[1]:.3f}"
        f"  {m['hash'][0]:.3f}  {m['url'][0]:.3f}  {m['recall']:.2f}"
        f"  {m['save_rate']:,.0f}  {peak_rss_mb():.0f}"
    )


def summary_line(count: int, m: dict, rate: float) -> str:
    return (
        f"dedup-scale corpus={count} lookup_p50_ms={m['bands_hit'][0]:.3f} "
        f"lookup_p99_ms={m['bands_hit'][1]:.3f} miss_p50_ms={m['bands_miss'][0]:.3f} "
        f"save_per_s={m['save_rate']:.0f} fingerprint_per_s={rate:.0f} "
        f"peak_rss_mb={peak_rss_mb():.0f}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max", type=int, default=1_000_000)
    ap.add_argument("--checkpoints", default="10000,100000,1000000")
    ap.add_argument("--db", type=Path, help="database file (default: a temporary one)")
    ap.add_argument("--fingerprints", type=int, default=2000)
    args = ap.parse_args(argv)
    marks = sorted({min(int(c), args.max) for c in args.checkpoints.split(",")} | {args.max})
    rng = random.Random(5)
    vocab = make_vocabulary(20_000, rng)
    cum_weights = list(itertools.accumulate(1 / (i + 1) for i in range(len(vocab))))
    texts = [make_article(vocab, cum_weights, rng) for _ in range(200)]
    rate, best = bench_fingerprint(args.fingerprints, texts)
    print(
        f"fingerprint: {rate:,.0f} articles/s overall, {best:,.0f}/s best of 10 rounds "
        "(600-word generated articles, one core, CPU time)"
    )
    scratch = None if args.db else Path(tempfile.mkdtemp(prefix="dedup-bench-"))
    path = args.db if scratch is None else scratch / "bench.db"
    print(f"database: {path}")
    try:
        summary = run_scale(path, marks, texts, rng, rate)
    finally:
        if scratch is not None:  # a million articles take 2.5 GB: never leave them behind
            shutil.rmtree(scratch, ignore_errors=True)
    print(summary)
    return 0


def run_scale(path: Path, marks: list[int], texts: list[str], rng: random.Random,
              rate: float) -> str:
    """Grow the corpus through `marks`, print a row at each; the summary line."""
    summary = ""
    with Store(path) as store:
        corpus = Corpus(store)
        print(
            "corpus  bulk/s  bands_hit_ms(p50/p99)  bands_miss_ms  hash_ms  url_ms  "
            "recall  save/s  rss_MB"
        )
        for mark in marks:
            bulk = corpus.grow(mark - corpus.count)
            m = measure(store, corpus, texts, rng)
            print(row(corpus.count, bulk, m), flush=True)
            summary = summary_line(corpus.count, m, rate)
    size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    print(f"database size: {size / 2**20:,.0f} MB")
    return summary


if __name__ == "__main__":
    raise SystemExit(main())
