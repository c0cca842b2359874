"""`monitor backfill`: load history through the same pipeline as live ingestion.

Quiet (no alerts unless asked), resumable and fast:
* each input item has a checkpoint key; the checkpoint is written in the same
  transaction as the article it produced, so a run killed at any point and run again
  with the same arguments neither loses nor doubles an article;
* cleaning and tagging (the pure, expensive half) run in worker processes when the
  machine has cores to spare, in order, a bounded window ahead of the writer;
* the database is written in batches (one transaction per batch, a savepoint per item);
* URL inputs (feeds, sitemaps, pages: `web.py`) are fetched concurrently through the
  daemon's client, checked against the checkpoints before any request, and spooled
  (`spool.py`) so that a resumed run fetches nothing twice.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import signal
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..app import App
from ..fetch.client import Client
from ..fetch.politeness import RobotsCache
from ..pipeline import Analysis, Outcome, Pipeline, analyse
from ..store import Store
from ..tagging import Taxonomy
from ..timeutil import iso
from .inputs import InputContext, InputItem, count_items, discover, read_input
from .spool import Spool
from .web import SKIP_DATE, WebReader, is_url

__all__ = ["BackfillOptions", "Summary", "run_backfill"]

log = logging.getLogger(__name__)

BATCH_ITEMS = 500
BATCH_SECONDS = 1.0
CHUNK_WAIT = 0.1  # seconds an incomplete chunk waits for more items


@dataclass(frozen=True)
class BackfillOptions:
    inputs: tuple[str, ...]
    since: datetime | None = None
    until: datetime | None = None
    source: str | None = None
    alerts: bool = False
    jobs: int | None = None  # worker processes for cleaning; None: one per core


@dataclass
class Summary:
    """Counts by outcome, and each input that failed with its reason."""

    read: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    failed: list[tuple[str, str]] = field(default_factory=list)
    failed_by: Counter[str] = field(default_factory=Counter)  # reason kind -> count
    fetches: int = 0  # HTTP requests made (URL inputs; the spool answers the rest)
    alerts: int = 0
    interrupted: bool = False
    seconds: float = 0.0

    @property
    def new(self) -> int:
        return self.outcomes["new"]

    def as_dict(self) -> dict[str, object]:
        return {
            "read": self.read,
            "new": self.outcomes["new"],
            "updated": self.outcomes["updated"],
            "duplicates": self.outcomes["duplicate"],
            "unchanged": self.outcomes["unchanged"],
            "skipped": dict(self.skipped),
            "failed": [{"input": w, "reason": r} for w, r in self.failed],
            "failed_by": dict(self.failed_by),
            "fetches": self.fetches,
            "alerts_queued": self.alerts,
            "interrupted": self.interrupted,
            "seconds": round(self.seconds, 2),
        }


def run_key(options: BackfillOptions) -> str:
    """The same arguments give the same key, so a rerun resumes the same checkpoints."""
    args = {
        "inputs": sorted(str(Path(i).resolve()) if "://" not in i else i for i in options.inputs),
        "since": iso(options.since),
        "until": iso(options.until),
        "source": options.source,
    }
    return hashlib.sha1(json.dumps(args, sort_keys=True).encode()).hexdigest()[:16]


# -- the pure half, possibly in worker processes ---------------------------------------

_WORKER_TAXONOMY: Taxonomy | None = None


def _init_worker(taxonomy: Taxonomy) -> None:
    global _WORKER_TAXONOMY
    _WORKER_TAXONOMY = taxonomy
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides how to stop
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """A worker whose parent was killed (SIGKILL: no cleanup ran) would wait forever
    for work; it notices that it was re-parented and leaves."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def _analyse_item(item: InputItem, taxonomy: Taxonomy | None = None) -> Analysis | str | None:
    if item.raw is None:
        return None
    try:
        return analyse(item.raw, taxonomy or _WORKER_TAXONOMY)  # type: ignore[arg-type]
    except Exception as e:  # a bug on one input must not sink the run; it is reported
        log.exception("analysing %s failed", item.where)
        return f"internal error while cleaning: {type(e).__name__}: {e}"


def _analyse_chunk(items: list[InputItem]) -> list[Analysis | str | None]:
    return [_analyse_item(i) for i in items]


def _analysed(
    items: Iterable[InputItem], taxonomy: Taxonomy, jobs: int
) -> Iterator[tuple[InputItem, Analysis | str | None]]:
    """Items with their analysis, in input order; a bounded window runs ahead."""
    if jobs <= 1:
        for item in items:
            yield item, _analyse_item(item, taxonomy)
        return
    chunk_size, ahead = 16, jobs * 4
    with ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=(taxonomy,)) as pool:
        # Start (fork) the workers now, before URL inputs start their fetch threads:
        # a process forked while another thread holds a lock inherits it held.
        pool.submit(int).result()
        window: deque[tuple[list[InputItem], Future[list[Analysis | str | None]]]] = deque()
        chunk: list[InputItem] = []
        chunk_started = 0.0
        for item in items:
            if not chunk:
                chunk_started = time.monotonic()
            chunk.append(item)
            # Items that trickle in (fetched pages) go out in small chunks, and finished
            # chunks are handed on at once, so a slow site's pages are stored as they come.
            if len(chunk) == chunk_size or time.monotonic() - chunk_started > CHUNK_WAIT:
                window.append((chunk, pool.submit(_analyse_chunk, chunk)))
                chunk = []
            while window and (len(window) >= ahead or window[0][1].done()):
                done, future = window.popleft()
                yield from zip(done, future.result(), strict=True)
        if chunk:
            window.append((chunk, pool.submit(_analyse_chunk, chunk)))
        while window:
            done, future = window.popleft()
            yield from zip(done, future.result(), strict=True)


# -- the ordered half: decide and store ----------------------------------------------------


def _in_range(analysis: Analysis, options: BackfillOptions) -> bool:
    published = analysis.article.published
    if published is None:
        return True  # unknown dates are kept (PRODUCT.md)
    if options.since and published < options.since:
        return False
    return not (options.until and published > options.until)


@dataclass
class _Run:
    """What the ordered half needs, built once per run."""

    pipeline: Pipeline
    store: Store
    key: str
    options: BackfillOptions
    summary: Summary
    spool: Spool | None = None


def run_backfill(
    app: App,
    options: BackfillOptions,
    progress: Callable[[Summary, int | None], None] | None = None,
) -> Summary:
    """Read every input into the store; returns the summary (never raises for bad input)."""
    started = time.monotonic()
    summary = Summary()
    key = run_key(options)
    source = app.settings.source(options.source) if options.source else None
    ctx = InputContext(
        source=options.source,
        dates=lambda name: app.date_context(app.settings.source(name) if name else source),
    )
    urls = [i for i in options.inputs if is_url(i)]
    found = list(discover(i for i in options.inputs if not is_url(i)))
    for given, path, problem in found:
        if problem:
            summary.failed.append((str(path or given), problem))
            summary.failed_by["input"] += 1
    paths = [p for _, p, problem in found if p is not None and problem is None]
    files_total = count_items(paths)
    run = _Run(app.pipeline(alerts=options.alerts), app.store, key, options, summary)
    web, client = None, None
    if urls:
        run.spool = Spool.for_run(app.settings.monitor.database, key)
        client = Client(app.settings.fetch, app.settings.monitor.user_agent)
        web = WebReader(client, run.spool, app.store, key, ctx, options.since, options.until,
                        app.settings.fetch.concurrency)
        client.robots = RobotsCache(web.robots_text, app.settings.monitor.user_agent)
    jobs = options.jobs or (os.cpu_count() or 1)
    # Processes cost more than they save on a few local items; web pages are HTML.
    jobs = jobs if files_total >= 64 or urls else 1

    def items() -> Iterator[InputItem]:
        for path in paths:
            yield from read_input(path, ctx)
        if web is not None:
            yield from web.items(urls)

    def total() -> int | None:
        return files_total + (web.discovered if web else 0)

    try:
        _ingest(items(), app.taxonomy, jobs, run, progress, total)
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        if web is not None:
            web.close()  # requests in flight land in the spool first
        if client is not None:
            client.close()
    if web is not None:
        summary.fetches = web.fetches
        if not summary.interrupted and run.spool is not None:
            run.spool.clear()  # complete: a later run asks the sites afresh
    summary.seconds = time.monotonic() - started
    return summary


def _ingest(
    items: Iterable[InputItem],
    taxonomy: Taxonomy,
    jobs: int,
    run: _Run,
    progress: Callable[[Summary, int | None], None] | None,
    total: Callable[[], int | None],
) -> None:
    """Commit analysed items in batches: one transaction per batch or per second."""
    stream = _analysed(_not_done(items, run.store, run.key, run.summary), taxonomy, jobs)
    last_report = 0.0
    while True:
        deadline = time.monotonic() + BATCH_SECONDS
        count = 0
        committed: list[str] = []
        with run.store.batch():
            try:
                for item, analysis in stream:
                    if _one(item, analysis, run):
                        committed.append(item.key)
                    count += 1
                    if count >= BATCH_ITEMS or time.monotonic() > deadline:
                        break
                else:
                    count = -1  # the stream is exhausted
            except KeyboardInterrupt:
                run.summary.interrupted = True  # commit what is done; the rest waits for a rerun
                count = -1
        if run.spool is not None:  # stored for good: their spooled pages are not needed
            for item_key in committed:
                if item_key.startswith("url:") and "#" not in item_key:
                    run.spool.drop(item_key[4:])
        now = time.monotonic()
        if progress and (count < 0 or now - last_report > 0.2):
            progress(run.summary, total())
            last_report = now
        if count < 0:
            return


def _not_done(
    items: Iterable[InputItem], store: Store, key: str, summary: Summary
) -> Iterator[InputItem]:
    """Drop items a previous run with the same arguments already checkpointed."""
    pending: list[InputItem] = []

    def flush() -> Iterator[InputItem]:
        done = store.done_items(key, [i.key for i in pending if i.skipped is None])
        for item in pending:
            if item.key in done:
                summary.read += 1
                summary.skipped["already loaded"] += 1
            else:
                yield item
        pending.clear()

    for item in items:
        if item.key.startswith("url:"):
            yield item  # the web reader checked it before fetching
            continue
        pending.append(item)
        if len(pending) >= 256:
            yield from flush()
    yield from flush()


def _one(item: InputItem, analysis: Analysis | str | None, run: _Run) -> bool:
    """Settle one item; True when it was checkpointed."""
    summary, store = run.summary, run.store
    summary.read += 1
    if item.skipped:
        summary.skipped[item.skipped] += 1
        return False
    if item.error or isinstance(analysis, str) or analysis is None:
        reason = item.error or (analysis if isinstance(analysis, str) else "unreadable")
        summary.failed.append((item.where, reason))
        summary.failed_by[item.failure or ("internal" if isinstance(analysis, str)
                                           else "input")] += 1
        return False  # not checkpointed: a fixed file is read again next time
    if not _in_range(analysis, run.options):
        summary.skipped[SKIP_DATE] += 1
        store.mark_item(run.key, item.key, "out_of_range", None)
        return True
    outcome: Outcome = run.pipeline.commit(analysis, item.fetched_at)
    if outcome.status == "skipped":
        summary.skipped[outcome.reason or "skipped"] += 1
    else:
        summary.outcomes[outcome.status] += 1
        summary.alerts += outcome.alerts
    store.mark_item(run.key, item.key, outcome.status, outcome.article_id)
    return True
