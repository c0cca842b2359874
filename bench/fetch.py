"""Fetch cycle throughput: N feeds over 50 loopback hosts, first cycle and all-304 cycle.

    .venv/bin/python bench/fetch.py [--feeds 1000] [--hosts 50] [--items 30] [--language en]

Each feed has `--items` items with 100-word summaries (about 25 KB), an ETag, and
lives on one of `--hosts` loopback addresses (127.0.0.2 ...), so the per-host limit
(2 in flight, 10 ms spacing here) does not bound the cycle. The servers run in a
separate process. `full_text = false`: the first cycle fetches, parses (worker
processes), cleans, tags, dedupes and stores every item; the second gets 304s.
Prints feeds/s and items/s of the first cycle, feeds/s of the second, peak RSS, and
per cycle the CPU seconds of the main process, the workers and the server process:
CPU ms a feed is the figure that does not move with other load on the machine. By
default the feeds declare no language, so every summary's language is identified from
its words (these word lists leave it to the model); `--language en` has them declare it,
as most real feeds do. The
first cycle's main CPU is split into the ordered writer (`Pipeline.commit`) and the
rest (fetching, items, worker traffic, transactions, source state).

    --parse-only     the fetch + parse path alone (Client.get + discover in workers)
    --profile DIR    cProfile (thread CPU time) of the fetch threads and the committing
                     thread, merged per cycle (main.first.prof, main.second.prof,
                     main.parse.prof), and of each worker over the whole run
                     (worker.prof.PID), written to DIR

"workers: idle (no task)" is the share of the workers' time neither running nor
waiting for a core (/proc schedstat): time the cycle left them without a feed,
whatever else runs on the machine; "waiting for a core" is the others' load.
"""

from __future__ import annotations

import argparse
import cProfile
import multiprocessing as mp
import os
import pstats
import resource
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.app import App  # noqa: E402
from monitor.fetch.cycle import Fetcher  # noqa: E402
from monitor.fetch.workers import Workers  # noqa: E402
from monitor.process import settle_heap  # noqa: E402
from tests.fetch.conftest import write_config  # noqa: E402
from tests.fetch.feeds import rss  # noqa: E402
from tests.fetch.server import LoopbackServer  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def serve(feeds: int, hosts: int, items: int, ready: mp.Queue, stop: Any,  # type: ignore[type-arg]
          language: str | None = None) -> None:
    servers = []
    for h in range(hosts):
        srv = LoopbackServer(host=f"127.0.0.{h + 2}").__enter__()
        srv.record = False
        servers.append(srv)
    urls = []
    for i in range(feeds):
        srv = servers[i % hosts]
        srv.serve(f"/feed-{i}.xml", body=rss(f"f{i}", items, language=language).encode(),
                  etag=f'"e{i}"', content_type="application/rss+xml")
        urls.append(srv.url(f"/feed-{i}.xml"))
    ready.put(urls)
    stop.wait()


def rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def sched_of(pid: int) -> tuple[float, float]:
    """Seconds a process's main thread ran and waited for a core (Linux schedstat)."""
    try:
        run, wait = Path(f"/proc/{pid}/schedstat").read_text().split()[:2]
    except (OSError, ValueError):
        return 0.0, 0.0
    return int(run) / 1e9, int(wait) / 1e9


def cpu_of(pid: int) -> float:
    """User + system CPU seconds of a live process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


class Meter:
    """Wall time and CPU seconds of main, workers and server over one measured step."""

    def __init__(self, fetcher: Fetcher, server_pid: int) -> None:
        self.fetcher, self.server_pid = fetcher, server_pid

    def _sample(self) -> tuple[float, float, float, float]:
        workers = sum(cpu_of(p) for p in self.fetcher.workers.pids)
        return time.perf_counter(), time.process_time(), workers, cpu_of(self.server_pid)

    def _queued(self) -> float:
        """Seconds the workers spent runnable but waiting for a core (others' load)."""
        return sum(sched_of(p)[1] for p in self.fetcher.workers.pids)

    @contextmanager
    def step(self, name: str, feeds: int, items: int | Callable[[], int] = 0
             ) -> Iterator[None]:
        t0, m0, w0, s0 = self._sample()
        q0 = self._queued()
        yield
        t1, m1, w1, s1 = self._sample()
        queued = self._queued() - q0
        wall, main, work, srv = t1 - t0, m1 - m0, w1 - w0, s1 - s0
        n_items = items() if callable(items) else items
        rate = f"  {n_items / wall:.0f} items/s" if n_items else ""
        print(f"{name}: {wall:.2f} s  {feeds / wall:.1f} feeds/s{rate}  ({n_items} items)")
        print(f"  CPU s: main {main:.2f}, workers {work:.2f}, server {srv:.2f}; "
              f"cores busy {(main + work + srv) / wall:.2f}; CPU ms a feed: main "
              f"{1000 * main / feeds:.2f}, workers {1000 * work / feeds:.2f}, "
              f"server {1000 * srv / feeds:.2f}")
        if work:  # a worker neither running nor waiting for a core had nothing to do
            n = len(self.fetcher.workers.pids)
            print(f"  workers: idle (no task) {100 * (n * wall - work - queued) / (n * wall):.0f}%"
                  f" of their time, waiting for a core {100 * queued / (n * wall):.0f}%")


class WriterClock:
    """Thread CPU seconds spent in the fetcher's `Pipeline.commit` (the ordered writer),
    to tell the writer's share of the main process from the rest."""

    def __init__(self, fetcher: Fetcher) -> None:
        self.seconds = 0.0
        commit = fetcher.pipeline.commit

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.thread_time()
            try:
                return commit(*args, **kwargs)
            finally:  # one committing thread at a time (the store's lock): no race
                self.seconds += time.thread_time() - started

        fetcher.pipeline.commit = timed  # type: ignore[method-assign]


def profiled(fetch: Callable[..., Any], profiles: list[cProfile.Profile]) -> Callable[..., Any]:
    """`fetch` with a cProfile per thread that calls it (cProfile sees only its own)."""
    local = threading.local()
    lock = threading.Lock()

    def run(*args: Any, **kwargs: Any) -> Any:
        prof = getattr(local, "prof", None)
        if prof is None:
            prof = local.prof = cProfile.Profile(time.thread_time)  # CPU, not GIL waits
            with lock:
                profiles.append(prof)
        prof.enable()
        try:
            return fetch(*args, **kwargs)
        finally:
            prof.disable()

    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--feeds", type=int, default=1000)
    ap.add_argument("--hosts", type=int, default=50)
    ap.add_argument("--items", type=int, default=30)
    ap.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--parse-only", action="store_true",
                    help="fetch and parse only (client + feedparser workers), no ingest")
    ap.add_argument("--more-304", type=int, default=2,
                    help="further all-304 cycles after the second (default 2)")
    ap.add_argument("--profile", type=Path, help="write cProfile stats to this directory")
    ap.add_argument("--language", help="feeds declare this <language> (most real feeds do; "
                    "by default they declare none, so each summary's language is guessed)")
    args = ap.parse_args()
    ready: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    stop = mp.Event()
    # A daemon: a bench that fails before `stop.set()` must not hang at exit joining it.
    server = mp.Process(target=serve, args=(args.feeds, args.hosts, args.items, ready, stop,
                                            args.language), daemon=True)
    server.start()
    urls = ready.get()
    size = len(rss("f0", args.items).encode())
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        sources = [{"name": f"feed-{i}", "url": u, "full_text": False} for i, u in enumerate(urls)]
        config = write_config(Path(tmp) / "monitor.toml", sources, host_spacing="10ms",
                              max_bytes=1_000_000, timeout="30s", concurrency=16, per_host=2)
        app = App.load(config)
        app.taxonomy  # noqa: B018
        settle_heap()  # as `monitor run` does before it starts
        fetcher = Fetcher(app, processes=args.processes, alerts=False)
        if args.profile:
            fetcher.workers.close()
            fetcher.workers = Workers(app.taxonomy, args.processes,
                                      profile=str(args.profile / "worker.prof"))
        fetcher.workers.discover("feed", rss("warm", 1).encode(), "", "http://x/", "warm")
        profiles: dict[str, list[cProfile.Profile]] = {}
        meter = Meter(fetcher, server.pid or 0)
        print(f"feeds={args.feeds} hosts={args.hosts} items/feed={args.items} "
              f"feed size={size / 1024:.1f} KB processes={args.processes}")
        if args.parse_only:
            parse_only(fetcher, urls, meter, profiles if args.profile else None)
        else:
            cycles(fetcher, args.feeds, meter, profiles if args.profile else None,
                   args.more_304)
        print(f"peak RSS: main {rss_mb(resource.RUSAGE_SELF):.0f} MB, workers "
              + ", ".join(f"{rss_peak(p):.0f}" for p in fetcher.workers.pids) + " MB")
        fetcher.workers.close(wait=True)
        fetcher.close()
        app.close()
    stop.set()
    server.join(5)
    if args.profile:
        write_profiles(args.profile, profiles)


def rss_peak(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cycles(fetcher: Fetcher, feeds: int, meter: Meter,
           profiles: dict[str, list[cProfile.Profile]] | None, more_304: int) -> None:
    turn, commit_group = fetcher._turn, fetcher.committer._commit_group
    first: list[Any] = []

    def profile(step: str) -> None:
        """The cycle's fetch threads (`_turn`) and its committing thread (the groups)."""
        if profiles is not None:
            profs = profiles.setdefault(step, [])
            fetcher._turn = profiled(turn, profs)  # type: ignore[method-assign]
            fetcher.committer._commit_group = profiled(commit_group, profs)  # type: ignore[method-assign]

    profile("first")
    writer = WriterClock(fetcher)
    main0 = time.process_time()
    with meter.step("first cycle", feeds, lambda: sum(sum(r.counts.values()) for r in first)):
        first.extend(fetcher.run_cycle())
    main = time.process_time() - main0
    print(f"  main CPU ms a feed: writer (Pipeline.commit) {1000 * writer.seconds / feeds:.2f}, "
          f"outside the writer {1000 * (main - writer.seconds) / feeds:.2f}; stored in "
          f"{fetcher.committer.transactions} transactions (group commit)")
    profile("second")
    with meter.step("second cycle (304)", feeds):
        second = fetcher.run_cycle()
    print(f"  not modified: {sum(r.outcome == 'not_modified' for r in second)}")
    for n in range(more_304):  # a 2 s cycle moves with others' load: show the spread
        with meter.step(f"all-304 cycle {n + 3}", feeds):
            fetcher.run_cycle()
    errors = [r.line() for r in first + second if r.error]
    if errors:
        print(f"{len(errors)} errors, e.g. {errors[:3]}")


def parse_only(fetcher: Fetcher, urls: list[str], meter: Meter,
               profiles: dict[str, list[cProfile.Profile]] | None) -> None:
    """The cycle's fetch and parse path alone: Client.get + Workers.discover per feed."""

    def one(url: str) -> int:
        resp = fetcher.client.get(url)
        return len(fetcher.workers.discover("feed", resp.content, resp.content_type,
                                            resp.url, "bench").candidates)

    run = profiled(one, profiles.setdefault("parse", [])) if profiles is not None else one
    counts: list[int] = []
    with meter.step("parse only", len(urls), lambda: sum(counts)), ThreadPoolExecutor(16) as pool:
        counts.extend(pool.map(run, urls))


def write_profiles(where: Path, profiles: dict[str, list[cProfile.Profile]]) -> None:
    for step, profs in profiles.items():
        if profs:
            stats = pstats.Stats(profs[0])
            for prof in profs[1:]:
                stats.add(prof)
            stats.dump_stats(where / f"main.{step}.prof")
    print(f"profiles (CPU time) in {where}: "
          + ", ".join(p.name for p in sorted(where.glob("*.prof*"))))


if __name__ == "__main__":
    main()
