"""Dedup and story quality on the shared benchmark, through the product (issue 5).

    .venv/bin/python bench/dedup_quality.py [--corpus DEV.jsonl] [--keep DIR] [--in-process]

Default: backfill the corpus into a fresh database with the product's own command
(`python -m monitor --db X backfill DEV.jsonl`), export it (`python -m monitor --db X
export`), map each export record back to the benchmark ids through the canonical
form of its URL, write the predictions and run the benchmark's `score.py` beside
the corpus. The score line is the last line printed.

Mapping: several benchmark items can share one URL (a page crawled again after an
update); the product stores them as one article, so the later items are predicted
`duplicate_of` the first one with its story (the README's rule).

`--in-process` skips the CLI: it calls the dedupe functions and a real `Store` file
directly (no tagging), for work on the stage before the pipeline exists.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.dedupe import canonical_url  # noqa: E402

__all__ = ["main"]

DEFAULT_CORPUS = Path("/work/shared/bench/dedup/dev.jsonl")


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def export_via_cli(corpus: Path, db: Path) -> list[dict]:
    """Backfill and export through `python -m monitor`; the export records."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    base = [sys.executable, "-m", "monitor", "-q", "--db", str(db)]
    subprocess.run(
        [*base, "backfill", str(corpus)], check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL
    )
    out = subprocess.run(
        [*base, "export"], check=True, env=env, cwd=ROOT, capture_output=True, text=True
    ).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def export_in_process(corpus: Path, db: Path) -> list[dict]:
    """The dedupe stage alone (no cleaning, no tagging) through the pipeline's writer."""
    from monitor.config import PACKAGE_TAXONOMY
    from monitor.dedupe import fingerprint
    from monitor.models import CleanArticle, Tagging
    from monitor.pipeline import Analysis, Pipeline
    from monitor.store import Store
    from monitor.tagging import load_taxonomy

    records = []
    with Store(db) as store:
        pipeline = Pipeline(store, load_taxonomy(PACKAGE_TAXONOMY), alerts=False)
        for item in read_jsonl(corpus):
            published = datetime.fromisoformat(item["published"]) if item.get("published") else None
            article = CleanArticle(
                source=item.get("source") or "local",
                url=item.get("url"),
                text=item["text"],
                title=item.get("title"),
                published=published,
            )
            fp = fingerprint(article.text, article.title)
            canon = canonical_url(article.url, article.page_canonical_url)
            pipeline.commit(Analysis(article, fp, canon, Tagging(), "bench"))
        for row in store.db.query(
            "SELECT id, url, canonical_url, duplicate_of, story_id FROM articles ORDER BY id"
        ):
            records.append(dict(row))
    return records


def predictions(corpus: list[dict], records: list[dict]) -> list[dict]:
    """Benchmark-id predictions from export records, matched by canonical URL."""
    by_canon = {}
    for r in records:
        for key in {canonical_url(r.get("url")), r.get("canonical_url")}:
            if key:
                by_canon.setdefault(key, r)
    export_to_bench: dict[int, str] = {}
    preds = []
    for item in corpus:
        rec = by_canon.get(canonical_url(item["url"]))
        if rec is None:
            preds.append({"id": item["id"], "duplicate_of": None, "story": None})
            continue
        if rec["id"] in export_to_bench:  # same URL again: a later crawl of one article
            first = export_to_bench[rec["id"]]
            preds.append({"id": item["id"], "duplicate_of": first, "story": rec["story_id"]})
            continue
        export_to_bench[rec["id"]] = item["id"]
        preds.append(
            {"id": item["id"], "duplicate_of": rec.get("duplicate_of"), "story": rec["story_id"]}
        )
    for p in preds:  # export ids -> benchmark ids
        if isinstance(p["duplicate_of"], int):
            p["duplicate_of"] = export_to_bench.get(p["duplicate_of"])
    return preds


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--keep", type=Path, help="keep the database and predictions here")
    ap.add_argument("--in-process", action="store_true", help="skip the CLI (no tagging)")
    ap.add_argument("--verbose", "-v", action="store_true", help="score.py --verbose")
    args = ap.parse_args(argv)
    if not args.corpus.exists():
        print(f"{args.corpus}: benchmark corpus not found", file=sys.stderr)
        return 2
    work = args.keep or Path(tempfile.mkdtemp(prefix="dedup-quality-"))
    try:
        return evaluate(args, work)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


def evaluate(args: argparse.Namespace, work: Path) -> int:
    """Backfill, export, map, score; score.py's exit status."""
    work.mkdir(parents=True, exist_ok=True)
    db = work / "bench.db"
    for stale in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        stale.unlink(missing_ok=True)
    run = export_in_process if args.in_process else export_via_cli
    records = run(args.corpus, db)
    preds = predictions(read_jsonl(args.corpus), records)
    pred_path = work / "preds.jsonl"
    pred_path.write_text("".join(json.dumps(p) + "\n" for p in preds), encoding="utf-8")
    score = args.corpus.parent / "score.py"
    cmd = [sys.executable, str(score), "--corpus", str(args.corpus), "--pred", str(pred_path)]
    pairs = args.corpus.with_name(f"{args.corpus.stem}_pairs.jsonl")
    if pairs.exists():
        cmd += ["--pairs", str(pairs)]
    if args.verbose:
        cmd.append("--verbose")
    return subprocess.run(cmd).returncode


if __name__ == "__main__":
    raise SystemExit(main())
