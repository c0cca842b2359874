"""URL inputs: feeds, sitemaps (indexes, news sitemaps, a site's robots.txt) and pages.

`WebReader.items(urls)` turns URLs into `InputItem`s, fetching concurrently through
the daemon's HTTP client (`monitor.fetch.client.Client`: politeness, robots.txt,
address rules, caps). What a URL is comes from the response (`detect_kind`), never
from its name, except that a site root is first asked for its robots.txt `Sitemap:`
lines.

Before a page is fetched it must pass three checks, so a rerun and `--since/--until`
cost no request: its sitemap or feed date is inside the range (news
`publication_date` or a feed date; a `lastmod` before `--since` also rules it out,
since a page is modified after it is published), no checkpoint of this run has it,
and no stored article has its canonical URL. Every response goes through the run's
`Spool` first, so an interrupted run resumes without asking the server again.

Item keys: `url:<URL as listed>` for pages (the checkpoint of `run_backfill`), and
`url:<feed URL>#<entry key>` for a feed entry without a page.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol
from urllib.parse import urljoin, urlsplit

from ..clean import parse_date
from ..dedupe import canonical_url
from ..errors import FetchError, ParseError
from ..fetch.charset import decode_body
from ..fetch.client import FEED_ACCEPT, PAGE_ACCEPT, Client
from ..fetch.discover import discover
from ..fetch.health import may_pass_later
from ..fetch.sitemaps import gunzipped, parse_sitemap
from ..models import Body, RawItem
from ..timeutil import now_utc
from .items import InputContext, InputItem, host_source
from .spool import Fetched, Spool

__all__ = ["WebReader", "detect_kind", "is_url"]

log = logging.getLogger(__name__)

MAX_SITEMAP_DEPTH = 4
# Failures that will not change by asking again soon: spooled, so a resumed run
# reports them without a request. Timeouts, connection errors and 5xx are retried.
NO_REQUEST = {"robots", "blocked_address"}  # refused before any request was made
SKIP_DATE = "outside --since/--until"


def is_url(value: str) -> bool:
    return value.lower().startswith(("http://", "https://"))


def detect_kind(fetched: Fetched) -> str:
    """sitemap | feed | page | unknown, from the body's opening and the content type."""
    ctype = fetched.content_type.lower()
    head = fetched.body[:4096].lstrip().lower()
    if b"<urlset" in head or b"<sitemapindex" in head:
        return "sitemap"
    if any(t in ctype for t in ("rss", "atom", "feed+json")) or any(
        t in head for t in (b"<rss", b"<feed", b"<rdf:rdf")
    ):
        return "feed"
    if "html" in ctype or head.startswith((b"<!doctype html", b"<html")):
        return "page"
    return "unknown"


class Lookups(Protocol):
    """What the reader asks the store before fetching (`monitor.store.Store` has it)."""

    def done_items(self, run_key: str, item_keys: Iterable[str]) -> set[str]: ...

    def article_by_canonical_url(self, canonical_url: str | None) -> object | None: ...


@dataclass(frozen=True)
class Task:
    """One URL to fetch: `auto` (detect), `site`, `section`, `sitemap`, `feed`, `page`."""

    kind: str
    url: str
    depth: int = 0
    title: str | None = None
    published: str | None = None
    lastmod: str | None = None
    author: str | None = None
    origin: str = "url"

    @property
    def key(self) -> str:
        return "url:" + self.url


class WebReader:
    """Fetches URL inputs concurrently and yields their articles as `InputItem`s."""

    def __init__(self, client: Client, spool: Spool, store: Lookups, run_key: str,
                 ctx: InputContext, since: datetime | None = None,
                 until: datetime | None = None, concurrency: int = 16) -> None:
        self.client, self.spool, self.store, self.run_key = client, spool, store, run_key
        self.ctx, self.since, self.until = ctx, since, until
        self.concurrency = concurrency
        self.max_bytes = client.settings.max_bytes
        self.discovered = 0  # article URLs found so far (the progress bar's total)
        self.fetches = 0  # requests made (not counting the spool)
        self._lock = threading.Lock()
        self._url_locks: dict[str, threading.Lock] = {}
        self._queued: set[str] = set()  # URLs already planned in this run
        self._pool: ThreadPoolExecutor | None = None

    def _count_fetch(self) -> None:
        with self._lock:
            self.fetches += 1

    # -- fetching (worker threads) -------------------------------------------------

    def fetch(self, url: str, *, robots: bool, accept: str = PAGE_ACCEPT) -> Fetched:
        """From the spool, else from the network (and then into the spool).

        One request per URL at a time: robots.txt asked for by the robots rules and
        by a site root at once is fetched once, and the other reads the spool.
        """
        with self._lock:
            lock = self._url_locks.setdefault(url, threading.Lock())
        with lock:
            kept = self.spool.get(url)
            if kept is not None:
                return kept
            return self._request(url, robots=robots, accept=accept)

    def _request(self, url: str, *, robots: bool, accept: str) -> Fetched:
        source = self.ctx.source or host_source(url) or "-"
        try:
            resp = self.client.get(url, source=source, robots=robots, accept=accept)
        except FetchError as e:
            if e.kind not in NO_REQUEST:
                self._count_fetch()
            failed = Fetched(url, url, e.status or 0, "", b"", now_utc(), e.kind, e.message)
            if not may_pass_later(e.kind, e.status):  # kept: a rerun does not ask again
                self.spool.put(failed)
            return failed
        self._count_fetch()
        fetched = Fetched(url, resp.url, resp.status, resp.content_type, resp.content, now_utc())
        self.spool.put(fetched)
        return fetched

    def robots_text(self, robots_url: str) -> tuple[int, str]:
        """robots.txt for `RobotsCache`, through the spool (read once per run)."""
        fetched = self.fetch(robots_url, robots=False, accept="text/plain")
        if fetched.ok:
            return fetched.status, decode_body(fetched.body, fetched.content_type)[0]
        if fetched.status:
            return fetched.status, ""
        raise OSError(fetched.error or "robots.txt could not be fetched")

    # -- the plan (the caller's thread) ----------------------------------------------

    def items(self, urls: list[str]) -> Iterator[InputItem]:
        queue: deque[Task] = deque(_first_task(u) for u in urls)
        inflight: dict[Future[Fetched], Task] = {}
        pool = self._pool = ThreadPoolExecutor(self.concurrency,
                                               thread_name_prefix="backfill-fetch")
        try:
            while queue or inflight:
                yield from self._admit(queue, inflight, pool)
                if not inflight:
                    continue
                done, _ = wait(inflight, return_when=FIRST_COMPLETED)
                for future in done:
                    task = inflight.pop(future)
                    yield from self._handle(task, future.result(), queue)
        finally:
            self.close()

    def close(self) -> None:
        """Stop planning; let the requests in flight finish into the spool (each is
        bounded by the fetch timeout), so an interrupted run asks for none of them
        again. Call before closing the client."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            try:
                pool.shutdown(wait=True, cancel_futures=True)
            except KeyboardInterrupt:  # a second Ctrl-C: do not wait for them
                pool.shutdown(wait=False, cancel_futures=True)

    def _admit(self, queue: deque[Task], inflight: dict[Future[Fetched], Task],
               pool: ThreadPoolExecutor) -> Iterator[InputItem]:
        """Submit tasks up to the window; pages that need no request are settled here."""
        room = self.concurrency * 2 - len(inflight)
        group: list[Task] = []
        while queue and len(group) < room:
            group.append(queue.popleft())
        done = self.store.done_items(
            self.run_key, [t.key for t in group if t.kind in ("page", "auto")])
        for task in group:
            target = _fetch_url(task)
            if target in self._queued:
                continue  # listed twice (two sitemaps, the URL list): once is enough
            self._queued.add(target)
            skip = self._skip(task, done) if task.kind in ("page", "auto") else None
            if skip:
                yield InputItem(task.key, task.url, skipped=skip)
                continue
            # Everything obeys robots.txt but robots.txt itself (a `site` task).
            robots = task.kind != "site"
            accept = PAGE_ACCEPT if task.kind in ("page", "auto", "section") else FEED_ACCEPT
            inflight[pool.submit(self.fetch, target, robots=robots, accept=accept)] = task

    def _skip(self, task: Task, done: set[str]) -> str | None:
        if self._outside(task):
            return SKIP_DATE
        if task.key in done:
            return "already loaded"
        canon = canonical_url(task.url) if task.kind == "page" else None
        if canon and self.store.article_by_canonical_url(canon) is not None:
            return "already stored"
        return None

    def _outside(self, task: Task) -> bool:
        if not (self.since or self.until):
            return False
        dates = self.ctx.dates(self.ctx.source)
        published = parse_date(task.published, dates) if task.published else None
        if published is not None:
            return bool((self.since and published < self.since)
                        or (self.until and published > self.until))
        modified = parse_date(task.lastmod, dates) if task.lastmod else None
        return bool(self.since and modified is not None and modified < self.since)

    # -- what a response leads to -------------------------------------------------------

    def _handle(self, task: Task, fetched: Fetched, queue: deque[Task]) -> Iterator[InputItem]:
        if not fetched.ok:
            if task.kind == "site":  # no robots.txt: look at the home page itself
                queue.append(Task("section", task.url, origin="page"))
                return
            yield _failure(task, fetched)
            return
        try:
            fetched = replace(fetched, body=gunzipped(fetched.body, self.max_bytes))
        except ParseError as e:
            yield _failure(task, fetched, "parse", e.message)
            return
        kind = task.kind
        if kind in ("auto", "section"):
            detected = detect_kind(fetched)
            kind = detected if detected != "page" else ("section" if kind == "section" else "page")
        try:
            handler = getattr(self, f"_on_{kind}", None)
            if handler is None:
                yield _failure(task, fetched, "parse", "not a feed, sitemap or HTML page")
                return
            yield from handler(task, fetched, queue)
        except ParseError as e:
            yield _failure(task, fetched, "parse", e.message)

    def _on_site(self, task: Task, fetched: Fetched, queue: deque[Task]) -> Iterator[InputItem]:
        text = decode_body(fetched.body, fetched.content_type)[0]
        maps = [line.split(":", 1)[1].strip() for line in text.splitlines()
                if line.strip().lower().startswith("sitemap:")]
        for url in dict.fromkeys(m for m in maps if m):
            queue.append(Task("sitemap", urljoin(fetched.final_url, url), origin="sitemap"))
        if not maps:
            queue.append(Task("section", task.url, origin="page"))
        return iter(())

    def _on_sitemap(self, task: Task, fetched: Fetched,
                    queue: deque[Task]) -> Iterator[InputItem]:
        doc = parse_sitemap(fetched.body, fetched.final_url, self._source(task.url))
        for entry in doc.urls:
            if doc.is_index:
                child = Task("sitemap", entry.loc, task.depth + 1, lastmod=entry.lastmod,
                             origin="sitemap")
                if task.depth < MAX_SITEMAP_DEPTH and not self._outside(child):
                    queue.append(child)
                continue
            self.discovered += 1
            queue.append(Task("page", entry.loc, title=entry.title, published=entry.published,
                              lastmod=entry.lastmod, origin="sitemap"))
        if doc.problem:  # its whole entries are kept; the loss is reported
            yield _failure(task, fetched, "parse", doc.problem)

    def _on_feed(self, task: Task, fetched: Fetched, queue: deque[Task]) -> Iterator[InputItem]:
        doc = discover("feed", fetched.body, fetched.content_type, fetched.final_url,
                       self._source(task.url))
        # Entries without a page have no page check in `_admit`: their checkpoints are
        # looked up here, or a rerun or a resumed run would store them again.
        done = self.store.done_items(self.run_key, [
            f"{task.key}#{c.key}" for c in doc.candidates if not c.link and c.summary])
        for cand in doc.candidates:
            self.discovered += 1
            if cand.link:
                queue.append(Task("page", urljoin(fetched.final_url, cand.link),
                                  title=cand.title, published=cand.published,
                                  author=cand.author, origin="feed"))
            elif f"{task.key}#{cand.key}" in done:
                yield InputItem(f"{task.key}#{cand.key}", task.url, skipped="already loaded")
            elif cand.summary:  # an entry without a page: its text is the article
                yield self._summary_item(task, fetched, cand.key, cand.summary, cand.title,
                                         cand.published, cand.language)
        return

    def _on_section(self, task: Task, fetched: Fetched,
                    queue: deque[Task]) -> Iterator[InputItem]:
        doc = discover("page", fetched.body, fetched.content_type, fetched.final_url,
                       self._source(task.url))
        for cand in doc.candidates:
            if cand.link:
                self.discovered += 1
                queue.append(Task("page", cand.link, origin="page"))
        return iter(())

    def _on_page(self, task: Task, fetched: Fetched, queue: deque[Task]) -> Iterator[InputItem]:
        if task.kind == "auto":
            self.discovered += 1
        text = decode_body(fetched.body, fetched.content_type)[0]
        raw = RawItem(source=self._source(task.url), body=Body.HTML, content=text,
                      dates=self.ctx.dates(self.ctx.source), url=fetched.final_url,
                      title=task.title, published=task.published, author=task.author,
                      origin=task.origin)
        yield InputItem(task.key, task.url, raw, fetched_at=fetched.fetched_at)

    def _summary_item(self, task: Task, fetched: Fetched, entry: str, text: str,
                      title: str | None, published: str | None,
                      language: str | None) -> InputItem:
        raw = RawItem(source=self._source(task.url), body=Body.TEXT, content=text,
                      dates=self.ctx.dates(self.ctx.source), url=None, title=title,
                      published=published, language=language, origin="feed")
        return InputItem(f"{task.key}#{entry}", task.url, raw, fetched_at=fetched.fetched_at)

    def _source(self, url: str) -> str:
        return self.ctx.source or host_source(url) or "-"


def _first_task(url: str) -> Task:
    parts = urlsplit(url)
    if parts.path in ("", "/") and not parts.query:
        return Task("site", url)
    if parts.path.lower().endswith("/robots.txt"):
        return Task("site", url.rsplit("/robots.txt", 1)[0] + "/")
    return Task("auto", url)


def _fetch_url(task: Task) -> str:
    if task.kind == "site":
        parts = urlsplit(task.url)
        return f"{parts.scheme}://{parts.netloc}/robots.txt"
    return task.url


def _failure(task: Task, fetched: Fetched, kind: str | None = None,
             message: str | None = None) -> InputItem:
    kind = kind or fetched.error_kind or "other"
    if kind == "robots":
        return InputItem(task.key, task.url, skipped="disallowed by robots.txt")
    return InputItem(task.key, task.url, error=f"{kind}: {message or fetched.error}",
                     failure=kind)
