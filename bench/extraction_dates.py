"""Publication-date accuracy on the extraction benchmark's pages (issue 4).

    .venv/bin/python bench/extraction_dates.py [--bench DIR]

The benchmark has no gold dates, but many of its URLs carry one (/2019/11/19/).
Those pages are the gold set here: each page is cleaned *without* its URL (so
the URL cannot answer), and the date found is compared with the URL's date.
Accuracy counts the same calendar day, or one day off (a URL dated in the
newsroom's zone against a time given in UTC); `exact` counts the same day only.
A URL date is the day the article was filed, which is nearly always its
publication day: a weak gold standard, but an independent one.

htmldate (trafilatura's date finder, which has been tuned on other sets) is run
on the same pages without URL as the reference.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.clean import clean_item  # noqa: E402
from monitor.clean.datefind import date_from_url  # noqa: E402
from monitor.models import Body, DateContext, RawItem  # noqa: E402

DEFAULT_BENCH = ROOT.parent / "shared" / "bench" / "extraction"
CTX = DateContext("UTC", datetime(2026, 11, 21, tzinfo=UTC))


def ours(html: str) -> date | None:
    article = clean_item(RawItem("bench", Body.HTML, html, CTX))
    return article.published.date() if article.published else None


def htmldate_reference(html: str) -> date | None:
    from htmldate import find_date

    found = find_date(html, extensive_search=True, original_date=True)
    return date.fromisoformat(found) if found else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", type=Path,
                    default=Path(os.environ.get("EXTRACTION_BENCH", DEFAULT_BENCH)))
    args = ap.parse_args(argv)
    gold_file = args.bench / "data" / "ground-truth.json"
    if not gold_file.exists():
        print(f"{gold_file}: not found; pass --bench", file=sys.stderr)
        return 2
    truth = json.loads(gold_file.read_text(encoding="utf-8"))
    pages = []
    for pid, entry in sorted(truth.items()):
        url_day = date_from_url(entry.get("url"))
        if url_day:
            raw = gzip.decompress((args.bench / "data" / "html" / f"{pid}.html.gz").read_bytes())
            pages.append((date.fromisoformat(url_day), raw.decode("utf-8", "replace")))
    print(f"{len(pages)} of {len(truth)} pages have a date in their URL")
    for name, finder in (("ours (clean_item, no URL)", ours),
                         ("htmldate extensive, no URL", htmldate_reference)):
        found = exact = near = 0
        start = time.perf_counter()
        for gold, html in pages:
            got = finder(html)
            if got is None:
                continue
            found += 1
            exact += got == gold
            near += abs((got - gold).days) <= 1
        took = time.perf_counter() - start
        n = len(pages)
        print(f"{name:28} coverage={found / n:.3f} accuracy(±1 day)={near / n:.3f} "
              f"exact={exact / n:.3f} precision(±1)={near / max(found, 1):.3f} "
              f"pages_per_s={n / took:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
