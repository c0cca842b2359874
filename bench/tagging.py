"""Tagging benchmark (issue 6): accuracy on the desk's labelled texts, and speed.

    python bench/tagging.py                 # through the product: backfill, export, score
    python bench/tagging.py --direct        # in-process tag_article, same scoring
    python bench/tagging.py --speed         # articles/s on generated 600-word articles

Accuracy runs the texts of `--bench-dir` (default ../shared/bench/tagging) through
the product: each text becomes a backfill JSONL record whose URL carries its
benchmark id, `python -m monitor --db <tmp> backfill` loads them, `export` writes
them back, and the records are mapped back by URL. Concepts outside the desk's
label space (concepts.json) are dropped, then the desk's `score.py` scores them; the
last line printed is its one-line summary. Nothing from the benchmark is copied
into the repository: it is read where it lies and written only to a temp folder.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.tagging_speed import run_speed  # noqa: E402
from monitor.tagging import load_taxonomy, tag_article  # noqa: E402

DEFAULT_BENCH = ROOT.parent / "shared" / "bench" / "tagging"
URL = "https://bench.invalid/tagging/{id}"


def _norm(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def _read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def predict_direct(docs: list[dict], taxonomy_path: Path) -> list[dict]:
    """Predictions from tag_article in this process."""
    taxonomy = load_taxonomy(taxonomy_path)
    out = []
    for doc in docs:
        tagging = tag_article(None, doc["text"], taxonomy)
        out.append(
            {
                "id": doc["id"],
                "kashmir_related": tagging.related,
                "concepts": list(tagging.concepts),
            }
        )
    return out


def _monitor(tmp: Path, *args: str) -> str:
    cmd = [sys.executable, "-m", "monitor", "--db", str(tmp / "t.db"), *args]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return done.stdout


def predict_product(docs: list[dict], tmp: Path) -> list[dict]:
    """Predictions from `monitor backfill` + `monitor export`, mapped back by URL."""
    inputs = tmp / "bench-tagging.jsonl"
    with open(inputs, "w", encoding="utf-8") as f:
        for doc in docs:
            record = {
                "url": URL.format(id=doc["id"]),
                "title": None,
                "published": None,
                "source": "bench-tagging",
                "text": doc["text"],
            }
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    _monitor(tmp, "backfill", str(inputs))
    by_url = {URL.format(id=d["id"]): d["id"] for d in docs}
    out = []
    for line in _monitor(tmp, "export").splitlines():
        if not line.strip():
            continue
        rec = json.loads(line)
        doc_id = by_url.get(rec.get("url")) or by_url.get(rec.get("canonical_url"))
        if doc_id:
            out.append(
                {
                    "id": doc_id,
                    "kashmir_related": rec.get("kashmir_related"),
                    "concepts": rec.get("concepts") or [],
                }
            )
    return out


def score(preds: list[dict], bench: Path, gold: Path, tmp: Path, verbose: bool) -> int:
    """Drop concepts outside the label space, run the desk's scorer, print its output."""
    known = {
        _norm(c["concept"])
        for c in json.loads((bench / "concepts.json").read_text(encoding="utf-8"))["concepts"]
    }
    pred_file = tmp / "preds.jsonl"
    with open(pred_file, "w", encoding="utf-8") as f:
        for p in preds:
            p = dict(p, concepts=[c for c in p["concepts"] if _norm(c) in known])
            f.write(json.dumps(p, ensure_ascii=False) + "\n")
    cmd = [
        sys.executable,
        str(bench / "score.py"),
        "--gold",
        str(gold),
        "--pred",
        str(pred_file),
        "--concepts",
        str(bench / "concepts.json"),
    ]
    if verbose:
        cmd.append("--verbose")
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    lines = done.stdout.strip().splitlines()
    print("\n".join(lines if verbose else lines[-1:]))
    if done.returncode:
        print(done.stderr, file=sys.stderr)
    return done.returncode


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--direct", action="store_true", help="call tag_article in-process")
    ap.add_argument("--speed", action="store_true", help="measure articles/s instead")
    ap.add_argument("--bench-dir", type=Path, default=DEFAULT_BENCH)
    ap.add_argument("--gold", type=Path, help="labelled JSONL (default: dev.jsonl there)")
    ap.add_argument(
        "--taxonomy",
        type=Path,
        default=ROOT / "config" / "taxonomy.toml",
        help="for --direct and --speed (the product run uses the configured taxonomy)",
    )
    ap.add_argument("--verbose", "-v", action="store_true", help="the scorer's full report")
    ap.add_argument("--articles", type=int, default=2000, help="--speed: articles per round")
    args = ap.parse_args(argv)
    if args.speed:
        return run_speed(args.taxonomy, args.articles)
    gold = args.gold or args.bench_dir / "dev.jsonl"
    docs = _read_jsonl(gold)
    with tempfile.TemporaryDirectory(prefix="bench-tagging-") as name:
        tmp = Path(name)
        direct = args.direct
        preds = predict_direct(docs, args.taxonomy) if direct else predict_product(docs, tmp)
        return score(preds, args.bench_dir, gold, tmp, args.verbose)


if __name__ == "__main__":
    sys.exit(main())
