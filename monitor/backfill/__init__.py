"""`monitor backfill`: load history through the same pipeline as live ingestion.

Quiet (no alerts unless asked), resumable and fast:
* each input item has a checkpoint key; the checkpoint is written in the same
  transaction as the article it produced, so a run killed at any point and run again
  with the same arguments neither loses nor doubles an article;
* cleaning and tagging (the pure, expensive half) run in worker processes when the
  machine has cores to spare, in order, a bounded window ahead of the writer; JSONL
  files go to the workers as byte ranges (`jsonl.py`): they parse their own lines;
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
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import chain
from pathlib import Path

from ..app import App
from ..fetch.client import Client
from ..fetch.politeness import RobotsCache
from ..pipeline import Analysis, Outcome, Pipeline
from ..store import Store
from ..tagging import Taxonomy
from ..timeutil import iso
from .analysis import Analysed, Unit, analysed
from .inputs import InputContext, InputItem, count_items, discover, read_input
from .interrupts import DeferredInterrupt
from .jsonl import JsonlChunk, SourceDates, plan_jsonl
from .spool import Spool
from .web import SKIP_DATE, WebReader, is_url

__all__ = ["BackfillOptions", "Summary", "run_backfill"]

log = logging.getLogger(__name__)

BATCH_ITEMS = 500
BATCH_SECONDS = 1.0


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

    def items() -> Iterator[InputItem | tuple[JsonlChunk, list[str]]]:
        for path in paths:
            if jobs > 1 and path.name.lower().endswith(".jsonl"):
                try:
                    yield from plan_jsonl(path)  # the workers read the lines
                    continue
                except OSError:
                    pass  # read_input reports it
            yield from read_input(path, ctx)
        if web is not None:
            yield from web.items(urls)

    def total() -> int | None:
        return files_total + (web.discovered if web else 0)

    # The workers' view of the dates, picklable (the main process's asks the app).
    worker_ctx = InputContext(source=options.source, dates=_source_dates(app, options))
    try:
        _ingest(items(), app.taxonomy, jobs, worker_ctx, run, progress, total)
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


def _source_dates(app: App, options: BackfillOptions) -> SourceDates:
    """`ctx.dates` of `run_backfill` as data: each source's zone and order, the default."""
    sources: dict[str, tuple[str, str]] = {}
    for s in app.settings.sources:
        dates = app.date_context(s)
        sources.setdefault(s.name, (dates.timezone, dates.date_order))
    default = app.date_context(None)
    return SourceDates(sources, (default.timezone, default.date_order), options.source)


def _ingest(
    items: Iterable[InputItem | tuple[JsonlChunk, list[str]]],
    taxonomy: Taxonomy,
    jobs: int,
    ctx: InputContext,
    run: _Run,
    progress: Callable[[Summary, int | None], None] | None,
    total: Callable[[], int | None],
) -> None:
    """Commit analysed items in batches: one transaction per batch or per second.

    Each batch starts once its first item is there: the transaction holds the write
    lock (a daemon beside the backfill waits for it), so waiting for input, a slow
    site for one, happens outside it.
    """
    stream = analysed(_not_done(items, run.store, run.key, run.summary), taxonomy, jobs, ctx)
    interrupts = DeferredInterrupt()
    last_report = 0.0
    # Closed on the way out, interrupted or not: the worker processes end with it.
    with interrupts.installed(), closing(stream):
        while True:
            try:
                first = next(stream, None)
            except KeyboardInterrupt:
                run.summary.interrupted = True
                first = None
            count = -1 if first is None else _ingest_batch(first, stream, run, interrupts)
            now = time.monotonic()
            if progress and (count < 0 or now - last_report > 0.2):
                progress(run.summary, total())
                last_report = now
            if count < 0:
                return


def _ingest_batch(
    first: Analysed, stream: Iterator[Analysed], run: _Run, interrupts: DeferredInterrupt
) -> int:
    """One transaction: `first` and what follows it, up to BATCH_ITEMS or BATCH_SECONDS.
    How many items it took; -1 when the stream is exhausted or the run interrupted."""
    deadline = time.monotonic() + BATCH_SECONDS
    count = 0
    committed: list[str] = []
    with run.store.batch():
        try:
            for item, analysis in chain([first], stream):
                with interrupts.saving_item():  # a Ctrl-C waits for the item to be saved
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
    return count


def _not_done(
    items: Iterable[InputItem | tuple[JsonlChunk, list[str]]],
    store: Store,
    key: str,
    summary: Summary,
) -> Iterator[Unit]:
    """Drop items a previous run with the same arguments already checkpointed; a JSONL
    chunk (with its lines' keys) goes on with the numbers of its done lines to skip."""
    pending: list[InputItem | tuple[JsonlChunk, list[str]]] = []
    keys: list[str] = []

    def flush() -> Iterator[Unit]:
        done = store.done_items(key, keys)
        for entry in pending:
            if isinstance(entry, InputItem):
                if entry.key not in done:
                    yield entry
                    continue
                summary.read += 1
                summary.skipped["already loaded"] += 1
                continue
            chunk, chunk_keys = entry
            skip = frozenset(_line_number(k) for k in chunk_keys if k in done)
            if skip:  # a zero count would read as "something was skipped"
                summary.read += len(skip)
                summary.skipped["already loaded"] += len(skip)
            if len(skip) < len(chunk_keys):
                yield replace(chunk, skip=skip) if skip else chunk
        pending.clear()
        keys.clear()

    for entry in items:
        if isinstance(entry, InputItem):
            if entry.key.startswith("url:"):
                yield entry  # the web reader checked it before fetching
                continue
            if entry.skipped is None:
                keys.append(entry.key)
        else:
            keys.extend(entry[1])
        pending.append(entry)
        if len(keys) >= 256:
            yield from flush()
    yield from flush()


def _line_number(item_key: str) -> int:
    """The line number in a JSONL item's key: `path#number|digest`."""
    return int(item_key[item_key.rindex("#") + 1 : item_key.rindex("|")])


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
