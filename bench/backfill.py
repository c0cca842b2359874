"""Backfill throughput (issues 2 and 8): clean text, local 80 KB HTML pages, a loopback site.

    python bench/backfill.py [--articles 10000] [--pages 600] [--site-pages 300] [--jobs N]

Each part runs in its own process on a fresh database in a temporary folder, through
`run_backfill` (the code behind `monitor backfill`), and reports articles/s, peak
memory (the process and its largest worker, RSS) and where the time went:

* `text`  N generated articles as JSONL `text` (issue 2; goal >= 1,000 articles/s);
* `html`  generated ~80 KB news pages as local .html files (goal >= 60 articles/s);
* `site`  the same kind of pages served by a loopback HTTP server in another process,
          found through robots.txt -> sitemap index -> news sitemaps.

The stage profile: the pure half (clean, fingerprint, tag) is timed on a sample
on one core; the ordered half (dedupe lookups, story, store) is timed in the writer
during the run, which also records how long it waited for the workers. The bound
is the larger of "writer busy" and "workers' share of the pure half".
Articles are generated (bench/backfill_pages.py), never taken from a corpus.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from backfill_pages import article_html, make_article  # noqa: E402
from backfill_site import serve_site  # noqa: E402


def _write_text_inputs(folder: Path, n: int) -> list[str]:
    path = folder / "articles.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            a = make_article(i, words=500)
            out.write(json.dumps({"url": f"https://ledger.example/news/{i}", "title": a.title,
                                  "published": a.published.isoformat(), "text": a.text}) + "\n")
    return [str(path)]


def _write_html_inputs(folder: Path, n: int) -> list[str]:
    pages = folder / "pages"
    pages.mkdir()
    for i in range(n):
        url = f"https://ledger.example/news/{i}"
        (pages / f"{i:06d}.html").write_text(article_html(make_article(i), url), "utf-8")
    return [str(pages)]


def _stage_profile(kind: str, sample: int = 40) -> dict[str, float]:
    """Milliseconds per article of each pure stage, on one core."""
    from monitor.app import App
    from monitor.clean import clean_item, detect_language
    from monitor.dedupe import fingerprint
    from monitor.models import Body, RawItem
    from monitor.tagging import tag_article

    app = App.load(None, ":memory:")
    taxonomy, dates = app.taxonomy, app.date_context()
    totals = {"clean": 0.0, "fingerprint": 0.0, "tag": 0.0}
    # First calls load models (the extractor; py3langid, which plainly English text no
    # longer needs, so a French line warms it): untimed.
    warm = make_article(49_999)
    tag_article(warm.title, clean_item(RawItem("bench", Body.TEXT, warm.text, dates)).text,
                taxonomy)
    detect_language("Le gouvernement a annoncé de nouvelles mesures pour la vallée.")
    for i in range(sample):
        a = make_article(50_000 + i)
        url = f"https://ledger.example/x/{i}"
        raw = (RawItem("bench", Body.HTML, article_html(a, url), dates, url=url)
               if kind != "text" else RawItem("bench", Body.TEXT, a.text, dates, url=url))
        t0 = time.perf_counter()
        clean = clean_item(raw)
        t1 = time.perf_counter()
        fingerprint(clean.text, clean.title)
        t2 = time.perf_counter()
        tag_article(clean.title, clean.text, taxonomy)
        t3 = time.perf_counter()
        totals["clean"] += t1 - t0
        totals["fingerprint"] += t2 - t1
        totals["tag"] += t3 - t2
    return {k: round(v * 1000 / sample, 2) for k, v in totals.items()}


def _timed_commit() -> dict[str, float]:
    """Wrap Pipeline.commit to add up the writer's time in the ordered half: wall, and
    CPU (it runs in the main thread), so that the main process's CPU outside the writer
    (reading, pickling, checkpoints, batch commits) can be told apart."""
    from monitor.pipeline import Pipeline

    spent = {"commit": 0.0, "commit_cpu": 0.0}
    original = Pipeline.commit

    def commit(self, analysis, fetched_at=None):  # type: ignore[no-untyped-def]
        t0, c0 = time.perf_counter(), time.thread_time()
        try:
            return original(self, analysis, fetched_at)
        finally:
            spent["commit"] += time.perf_counter() - t0
            spent["commit_cpu"] += time.thread_time() - c0

    Pipeline.commit = commit  # type: ignore[method-assign]
    return spent


def _cpu_seconds() -> tuple[float, float]:
    """CPU time of this process, and of its finished children (the pool's workers)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def run_part(kind: str, n: int, jobs: int | None) -> dict[str, object]:
    """One part, in this process: build inputs, backfill them, measure."""
    from monitor.app import App
    from monitor.backfill import BackfillOptions, run_backfill
    from monitor.process import settle_heap

    folder = Path(tempfile.mkdtemp(prefix=f"bench-backfill-{kind}-"))
    server = None
    config = None
    if kind == "text":
        inputs = _write_text_inputs(folder, n)
    elif kind == "html":
        inputs = _write_html_inputs(folder, n)
    else:
        server, root = serve_site(folder, n)
        inputs = [root]
        config = folder / "monitor.toml"
        config.write_text('[fetch]\nallow_private_addresses = true\nhost_spacing = "1ms"\n'
                          'per_host = 16\nconcurrency = 16\n', "utf-8")
    app = App.load(config, folder / "bench.db")
    app.taxonomy  # loaded before the clock starts, as in a daemon  # noqa: B018
    settle_heap()  # as `monitor backfill` does before it starts
    spent = _timed_commit()
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    summary = run_backfill(app, BackfillOptions(inputs=tuple(inputs), jobs=jobs))
    seconds = time.perf_counter() - started
    cpu_after = _cpu_seconds()
    main_cpu, workers_cpu = (after - before for after, before in zip(cpu_after, cpu_before,
                                                                     strict=True))
    if server is not None:
        server.terminate()
    app.close()
    shutil.rmtree(folder, ignore_errors=True)  # inputs and database: up to a few hundred MB
    stored = summary.new + summary.outcomes["duplicate"]
    return {
        "part": kind, "articles": n, "stored": stored, "new": summary.new,
        "failed": len(summary.failed), "seconds": round(seconds, 2),
        "articles_per_s": round(stored / seconds, 1),
        "writer_commit_s": round(spent["commit"], 2),
        "writer_commit_cpu_s": round(spent["commit_cpu"], 2),
        # main-process CPU outside Pipeline.commit, ms an article
        "main_outside_writer_ms": round((main_cpu - spent["commit_cpu"]) * 1000 / max(n, 1), 3),
        "cores_busy": round((main_cpu + workers_cpu) / seconds, 2),  # CPU-s / wall-s
        "main_cpu_s": round(main_cpu, 2),  # reading, fetching, the writer (one GIL)
        "workers_cpu_s": round(workers_cpu, 2),  # cleaning, fingerprint, tagging
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "peak_worker_rss_mb": round(
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
        "stage_ms_per_article_one_core": _stage_profile(kind),
        "jobs": jobs or os.cpu_count(),
    }


def _bound(r: dict[str, object]) -> str:
    """Which side the wall time went to: the main process (one interpreter lock for
    reading, fetching and the ordered writer) or the worker processes."""
    seconds, jobs = float(r["seconds"]), int(r["jobs"])  # type: ignore[arg-type]
    main, workers = float(r["main_cpu_s"]), float(r["workers_cpu_s"])  # type: ignore[arg-type]
    writer = float(r["writer_commit_s"])  # type: ignore[arg-type]
    stages = r["stage_ms_per_article_one_core"]
    assert isinstance(stages, dict)
    worst = max(stages, key=stages.get)  # type: ignore[arg-type]
    share = (f"main process {main:.1f} CPU-s (writer {writer:.1f}s of it), workers "
             f"{workers:.1f} CPU-s over {jobs}, wall {seconds:.1f}s")
    if main / seconds >= workers / max(jobs, 1) / seconds:
        side = "the ordered writer" if writer >= main / 2 else "reading/fetching"
        return f"bound by the main process, mostly {side}: {share}"
    return f"bound by the workers, mostly {worst} ({stages[worst]} ms/article): {share}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=10_000, help="clean-text articles")
    parser.add_argument("--pages", type=int, default=600, help="local 80 KB HTML pages")
    parser.add_argument("--site-pages", type=int, default=300, help="pages on the loopback site")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes")
    parser.add_argument("--part", choices=["text", "html", "site"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.part:
        n = {"text": args.articles, "html": args.pages, "site": args.site_pages}[args.part]
        print(json.dumps(run_part(args.part, n, args.jobs)))
        return
    print(f"load before: {os.getloadavg()[0]:.2f} (1 min), cores: {os.cpu_count()}")
    for part in ("text", "html", "site"):
        cmd = [sys.executable, __file__, "--part", part, "--articles", str(args.articles),
               "--pages", str(args.pages), "--site-pages", str(args.site_pages)]
        if args.jobs:
            cmd += ["--jobs", str(args.jobs)]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(f"{part:5} {r['stored']:>6} articles in {r['seconds']:>7}s = "
              f"{r['articles_per_s']:>7} articles/s; peak RSS {r['peak_rss_mb']} MB "
              f"(+ worker {r['peak_worker_rss_mb']} MB); cores busy {r['cores_busy']}; "
              f"failed {r['failed']}")
        cpu_ms = (r["main_cpu_s"] + r["workers_cpu_s"]) * 1000 / max(r["stored"], 1)
        busiest = max(r["main_cpu_s"], r["workers_cpu_s"] / r["jobs"],
                      (r["main_cpu_s"] + r["workers_cpu_s"]) / (os.cpu_count() or 1), 1e-9)
        print(f"      CPU {cpu_ms:.1f} ms/article in all; on idle cores at most "
              f"~{r['stored'] / busiest:.0f} articles/s (CPU time of the busiest resource)")
        print(f"      stages, ms/article on one core: {r['stage_ms_per_article_one_core']}; "
              f"{_bound(r)}")
    print(f"load after: {os.getloadavg()[0]:.2f} (1 min)")


if __name__ == "__main__":
    main()
