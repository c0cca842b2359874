"""Score our article extractor on the shared extraction benchmark (issue 4).

    .venv/bin/python bench/extraction.py               # ours + alternatives, one run each
    .venv/bin/python bench/extraction.py --repeat 3    # median time of 3 runs (for pages/s)
    .venv/bin/python bench/extraction.py --only ours   # just our extractor

Runs the benchmark's own scorer (`score.py --module`, in a subprocess with
PYTHONPATH set) on `monitor.clean.html:extract_text` and on the alternatives we
measured: ablations of ours (`bench/extraction_variants.py`) and the single
extractors of the benchmark's `baselines.py`. Prints F1, P, R and pages/s for
each, our pages per CPU-second (robust to other jobs on the machine), then the
paired bootstrap (`compare.py`) of ours against each alternative:
a difference whose 95% interval excludes 0 is real, otherwise it is noise.

The benchmark is not part of this repository (third-party pages): point
`--bench` or `$EXTRACTION_BENCH` at it (default ../shared/bench/extraction).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BENCH = ROOT.parent / "shared" / "bench" / "extraction"

OURS = ("ours", "monitor.clean.html:extract_text")
ALTERNATIVES = (
    ("ours without veto (fast + headline drop)", "extraction_variants:fast_titles"),
    ("ours without headline drop (fast + veto)", "extraction_variants:fast_veto"),
    ("trafilatura fast, our tree", "extraction_variants:fast_only"),
    ("trafilatura favor_precision", "baselines:trafilatura_precision"),
    ("trafilatura fast", "baselines:trafilatura_fast"),
    ("trafilatura no comments", "baselines:trafilatura_nocomments"),
    ("readability-lxml + html-text", "baselines:readability_lxml"),
)
LAST_LINE = re.compile(
    r"F1=(?P<f1>[\d.]+) P=(?P<p>[\d.]+) R=(?P<r>[\d.]+).*?failures=(?P<fail>\d+)"
    r".*?pages_per_s=(?P<pps>[\d.]+)"
)


def score(bench: Path, name: str, spec: str, repeat: int, out: Path) -> dict[str, str] | None:
    """Run score.py on one extractor; its metrics (strings) or None if it failed."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), str(ROOT / "bench"), str(bench), env.get("PYTHONPATH", "")]
    )
    cmd = [sys.executable, str(bench / "score.py"), "--module", spec, "--name", name,
           "--repeat", str(repeat), "--json", str(out)]
    proc = subprocess.run(cmd, cwd=bench, env=env, capture_output=True, text=True, check=False)
    lines = proc.stdout.strip().splitlines()
    match = LAST_LINE.search(lines[-1]) if lines else None
    if proc.returncode or not match:
        print(f"  {name}: scorer failed: {proc.stderr.strip()[-300:]}", file=sys.stderr)
        return None
    return match.groupdict()


def cpu_throughput(bench: Path, repeat: int) -> float:
    """Our pages per CPU-second, in this process: unlike score.py's wall-clock
    pages/s it barely moves when other jobs share the machine."""
    sys.path[:0] = [str(ROOT), str(bench)]
    import score as bench_score  # the benchmark's own loader and decoder

    from monitor.clean.html import extract_text

    pages = [(bench_score.decode_html(it["html_bytes"]), it["url"])
             for it in bench_score.load_dataset(bench / "data")]
    extract_text(*pages[0])  # warm-up, as score.py does
    times = []
    for _ in range(max(1, repeat)):
        start = time.process_time()
        for html, url in pages:
            extract_text(html, url)
        times.append(time.process_time() - start)
    return len(pages) / statistics.median(times)


def compare(bench: Path, ours: Path, other: Path) -> str:
    """compare.py's one-line verdict on F1(ours) - F1(other)."""
    proc = subprocess.run(
        [sys.executable, str(bench / "compare.py"), str(ours), str(other)],
        cwd=bench, capture_output=True, text=True, check=False,
    )
    return proc.stdout.strip() or proc.stderr.strip()[-200:]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", type=Path,
                    default=Path(os.environ.get("EXTRACTION_BENCH", DEFAULT_BENCH)))
    ap.add_argument("--repeat", type=int, default=1, help="median time of K runs")
    ap.add_argument("--only", choices=["ours", "all"], default="all")
    ap.add_argument("--out", type=Path, default=Path("/tmp/extraction-bench"),
                    help="folder for the per-page JSON results")
    args = ap.parse_args(argv)
    if not (args.bench / "score.py").exists():
        print(f"{args.bench}: no score.py; pass --bench or set EXTRACTION_BENCH", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    runs = [OURS] + ([] if args.only == "ours" else list(ALTERNATIVES))
    results: dict[str, tuple[dict[str, str], Path]] = {}
    print(f"{'extractor':44} {'F1':>6} {'P':>6} {'R':>6} {'fail':>4} {'pages/s':>8}")
    for name, spec in runs:
        out = args.out / (re.sub(r"\W+", "_", name).strip("_") + ".json")
        metrics = score(args.bench, name, spec, args.repeat, out)
        if metrics is None:
            continue
        results[name] = (metrics, out)
        m = metrics
        print(f"{name:44} {m['f1']:>6} {m['p']:>6} {m['r']:>6} {m['fail']:>4} {m['pps']:>8}",
              flush=True)
    if OURS[0] in results:
        cpu = cpu_throughput(args.bench, args.repeat)
        print(f"\nours: {cpu:.1f} pages per CPU-second (process time, median of {args.repeat})")
    if OURS[0] in results and len(results) > 1:
        print("\npaired bootstrap, ours minus each alternative:")
        for name, (_m, path) in results.items():
            if name != OURS[0]:
                print(f"  vs {name}: {compare(args.bench, results[OURS[0]][1], path)}")
    return 0 if OURS[0] in results else 1


if __name__ == "__main__":
    sys.exit(main())
