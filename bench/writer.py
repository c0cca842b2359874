"""The ordered writer alone (issues 3 and 8): `Pipeline.commit` over analysed articles.

    .venv/bin/python bench/writer.py [--articles 10000] [--words 500] [--per-day N]
                                     [--profile FILE]

Backfill and the daemon both funnel every item through one ordered writer in the
main process (dedupe lookups, story, alerts, save); its CPU time an article caps
what the rest can reach on any number of cores. This bench analyses N generated
articles first (untimed, in this process), then commits them in batches of 500 as
`monitor backfill` does, on a fresh database in a temporary folder, and prints the
writer's CPU ms an article (one thread: the figure other load on the machine does
not move), per 2,000 articles so that growth with the corpus shows, and the
outcome counts. `--per-day N` dates N articles a day (a busy desk's
backfill; the story lookup's window then holds ~3N articles); by default article i
is dated day i of a cycling year (~27 a day at 10,000). `--profile FILE` writes a
cProfile of the committing.
Articles are generated (bench/backfill_pages.py), never taken from a corpus.
"""

from __future__ import annotations

import argparse
import cProfile
import shutil
import sys
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from backfill_pages import make_article  # noqa: E402

BATCH = 500
START = date(2024, 1, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--words", type=int, default=500)
    parser.add_argument("--per-day", type=int, default=0,
                        help="articles dated each day (default: one a day, cycling a year)")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the commits here")
    args = parser.parse_args()

    from monitor.app import App
    from monitor.models import Body, RawItem
    from monitor.pipeline import analyse

    folder = Path(tempfile.mkdtemp(prefix="bench-writer-"))
    app = App.load(None, folder / "bench.db")
    taxonomy, dates = app.taxonomy, app.date_context()
    started = time.process_time()
    analyses = []
    for i in range(args.articles):
        on = START + timedelta(days=i // args.per_day) if args.per_day else None
        a = make_article(i, words=args.words, on=on)
        raw = RawItem("bench", Body.TEXT, a.text, dates, url=f"https://ledger.example/news/{i}",
                      title=a.title, published=a.published.isoformat(), origin="jsonl")
        analyses.append(analyse(raw, taxonomy))
    print(f"analysed {args.articles} articles in {time.process_time() - started:.1f} CPU-s "
          "(untimed below)")

    pipeline = app.pipeline(alerts=False)
    outcomes: Counter[str] = Counter()
    profile = cProfile.Profile() if args.profile else None
    total, step, step_started, step_count = 0.0, 2_000, time.thread_time(), 0
    for start in range(0, len(analyses), BATCH):
        t0 = time.thread_time()
        if profile:
            profile.enable()
        with app.store.batch():
            for analysis in analyses[start:start + BATCH]:
                outcomes[pipeline.commit(analysis).status] += 1
        if profile:
            profile.disable()
        total += time.thread_time() - t0
        done = min(start + BATCH, len(analyses))
        step_count += done - start
        if done % step == 0 or done == len(analyses):
            spent = time.thread_time() - step_started
            print(f"  up to {done:>7}: {spent * 1000 / step_count:.3f} CPU ms/article")
            step_started, step_count = time.thread_time(), 0
    n = len(analyses)
    print(f"writer: {total * 1000 / n:.3f} CPU ms/article over {n} "
          f"(at most {n / total:.0f} articles/s on its core); outcomes {dict(outcomes)}")
    if profile and args.profile:
        profile.dump_stats(args.profile)
        print(f"profile written to {args.profile}")
    app.close()
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
