"""CPU cost of the pure half of ingestion, `monitor.pipeline.analyse` (issues 3 and 8).

    python bench/analyse.py [--articles 600] [--rounds 3]

Times `analyse` on generated text items (`Body.TEXT`) on one core, in CPU time
(`time.process_time`: the machine is shared, wall time would measure the
neighbours): 500-word articles as JSONL records with ISO dates (the backfill of
issue 8) and 100-word summaries as feed entries with RSS (RFC 2822) dates, as the
fetcher hands them over once their HTML is text (feeds without full text, issue 3).
Prints ms/article for each, the best of `--rounds` passes, and the split between
cleaning, fingerprint and tagging.
Articles are generated (bench/backfill_pages.py), never taken from a corpus.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from backfill_pages import make_article  # noqa: E402

from monitor.app import App  # noqa: E402
from monitor.clean import clean_item, detect_language  # noqa: E402
from monitor.dedupe import fingerprint  # noqa: E402
from monitor.models import Body, RawItem  # noqa: E402
from monitor.pipeline import analyse  # noqa: E402
from monitor.tagging import tag_article  # noqa: E402


def _items(n: int, words: int, dates: object, feed: bool) -> list[RawItem]:
    out = []
    for i in range(n):
        a = make_article(i, words=words)
        published = (a.published.strftime(f"%a, %d %b %Y {i % 24:02d}:{i % 60:02d}:00 +0530")
                     if feed else a.published.isoformat())
        out.append(RawItem("bench", Body.TEXT, a.text, dates,  # type: ignore[arg-type]
                           url=f"https://ledger.example/news/{i}", title=a.title,
                           published=published, origin="feed" if feed else "jsonl"))
    return out


def _best_ms(items: list[RawItem], run: object, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        t0 = time.process_time()
        for item in items:
            run(item)  # type: ignore[operator]
        best = min(best, time.process_time() - t0)
    return best * 1000 / len(items)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=600, help="items of each size")
    parser.add_argument("--rounds", type=int, default=3, help="passes; the best is reported")
    args = parser.parse_args()
    app = App.load(None, ":memory:")
    taxonomy, dates = app.taxonomy, app.date_context()
    for words, label in ((500, "500-word text"), (100, "100-word summary")):
        items = _items(args.articles, words, dates, feed=words == 100)
        analyse(items[0], taxonomy)  # first call: untimed
        detect_language("Le gouvernement a annoncé de nouvelles mesures.")  # loads py3langid
        total = _best_ms(items, lambda r: analyse(r, taxonomy), args.rounds)
        cleaned = [clean_item(r) for r in items]
        clean = _best_ms(items, clean_item, args.rounds)
        fp = _best_ms(cleaned, lambda c: fingerprint(c.text, c.title), args.rounds)
        tag = _best_ms(cleaned, lambda c: tag_article(c.title, c.text, taxonomy), args.rounds)
        print(f"{label:18} analyse {total:.3f} ms/article (CPU)  "
              f"clean {clean:.3f}  fingerprint {fp:.3f}  tag {tag:.3f}")


if __name__ == "__main__":
    main()
