"""Fetch cycle throughput: N feeds over 50 loopback hosts, first cycle and all-304 cycle.

    .venv/bin/python bench/fetch.py [--feeds 1000] [--hosts 50] [--items 30]

Each feed has `--items` items with 100-word summaries (about 25 KB), an ETag, and
lives on one of `--hosts` loopback addresses (127.0.0.2 ...), so the per-host limit
(2 in flight, 10 ms spacing here) does not bound the cycle. The servers run in a
separate process. `full_text = false`: the first cycle fetches, parses (worker
processes), cleans, tags, dedupes and stores every item; the second gets 304s.
Prints feeds/s and items/s of the first cycle, feeds/s of the second, peak RSS.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.app import App  # noqa: E402
from monitor.fetch.cycle import Fetcher  # noqa: E402
from tests.fetch.conftest import write_config  # noqa: E402
from tests.fetch.feeds import rss  # noqa: E402
from tests.fetch.server import LoopbackServer  # noqa: E402


def serve(feeds: int, hosts: int, items: int, ready: mp.Queue, stop: mp.Event) -> None:  # type: ignore[type-arg]
    servers = []
    for h in range(hosts):
        srv = LoopbackServer(host=f"127.0.0.{h + 2}").__enter__()
        srv.record = False
        servers.append(srv)
    urls = []
    for i in range(feeds):
        srv = servers[i % hosts]
        srv.serve(f"/feed-{i}.xml", body=rss(f"f{i}", items).encode(), etag=f'"e{i}"',
                  content_type="application/rss+xml")
        urls.append(srv.url(f"/feed-{i}.xml"))
    ready.put(urls)
    stop.wait()


def rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--feeds", type=int, default=1000)
    ap.add_argument("--hosts", type=int, default=50)
    ap.add_argument("--items", type=int, default=30)
    ap.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--parse-only", action="store_true",
                    help="fetch and parse only (client + feedparser workers), no ingest")
    args = ap.parse_args()
    ready: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    stop = mp.Event()
    server = mp.Process(target=serve, args=(args.feeds, args.hosts, args.items, ready, stop))
    server.start()
    urls = ready.get()
    size = len(rss("f0", args.items).encode())
    with tempfile.TemporaryDirectory() as tmp:
        sources = [{"name": f"feed-{i}", "url": u, "full_text": False} for i, u in enumerate(urls)]
        config = write_config(Path(tmp) / "monitor.toml", sources, host_spacing="10ms",
                              max_bytes=1_000_000, timeout="30s", concurrency=16, per_host=2)
        app = App.load(config)
        fetcher = Fetcher(app, processes=args.processes, alerts=False)
        fetcher.workers.discover("feed", rss("warm", 1).encode(), "", "http://x/", "warm")
        if args.parse_only:
            return parse_only(fetcher, urls, args, stop, server)
        t0 = time.perf_counter()
        first = fetcher.run_cycle()
        t1 = time.perf_counter()
        second = fetcher.run_cycle()
        t2 = time.perf_counter()
        items = sum(sum(r.counts.values()) for r in first)
        errors = [r.line() for r in first + second if r.error]
        print(f"feeds={args.feeds} hosts={args.hosts} items/feed={args.items} "
              f"feed size={size / 1024:.1f} KB processes={args.processes}")
        print(f"first cycle:  {t1 - t0:.1f} s  {args.feeds / (t1 - t0):.1f} feeds/s  "
              f"{items / (t1 - t0):.0f} items/s  (items stored: {items})")
        print(f"second cycle: {t2 - t1:.2f} s  {args.feeds / (t2 - t1):.0f} feeds/s  "
              f"({sum(r.outcome == 'not_modified' for r in second)} not modified)")
        print(f"peak RSS: main {rss_mb(resource.RUSAGE_SELF):.0f} MB, largest worker "
              f"{rss_mb(resource.RUSAGE_CHILDREN):.0f} MB")
        if errors:
            print(f"{len(errors)} errors, e.g. {errors[:3]}")
        fetcher.close()
        app.close()
    stop.set()
    server.join(5)


def parse_only(fetcher: Fetcher, urls: list[str], args: argparse.Namespace, stop, server
               ) -> None:  # type: ignore[no-untyped-def]
    """The cycle's fetch and parse path alone: Client.get + Workers.discover per feed."""
    from concurrent.futures import ThreadPoolExecutor

    def one(url: str) -> int:
        resp = fetcher.client.get(url)
        return len(fetcher.workers.discover("feed", resp.content, resp.content_type,
                                            resp.url, "bench").candidates)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(16) as pool:
        items = sum(pool.map(one, urls))
    t1 = time.perf_counter()
    print(f"parse only: {t1 - t0:.1f} s  {len(urls) / (t1 - t0):.1f} feeds/s  "
          f"{items / (t1 - t0):.0f} items/s  peak RSS main {rss_mb(resource.RUSAGE_SELF):.0f} MB")
    fetcher.close()
    stop.set()
    server.join(5)


if __name__ == "__main__":
    main()
