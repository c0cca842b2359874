"""From a fetched source document to raw items: the new entries, with their pages.

`ItemBuilder.items(resp)` asks the workers what the document offers, drops the
entries the source already delivered (`feed_entries`), resolves aggregator links,
and builds one `RawItem` per new entry:
* `full_text = false` feeds: the entry's summary (`Body.TEXT`);
* `full_text = true` feeds, sitemaps and section pages: the article page itself
  (`Body.HTML`, the entry's title and date as hints), fetched with robots.txt and
  the address rules, unless a stored article already has its canonical URL (that
  entry is only marked seen). A page that fails falls back to the summary when
  there is one, else the entry stays unseen and is tried again next time.
At most `MAX_PAGES` pages per turn, newest first: a first fetch of a large sitemap
does not hammer the outlet; the rest comes on later turns.
"""

from __future__ import annotations

import logging
import threading

from ..app import App
from ..config import Source
from ..dedupe import canonical_url
from ..errors import FetchError
from ..models import Body, RawItem
from ..store import Store
from .aggregators import resolve_link
from .client import PAGE_ACCEPT, Client, Response
from .discover import Candidate, Discovered
from .result import SourceResult
from .workers import Workers

__all__ = ["MAX_CHILD_SITEMAPS", "MAX_PAGES", "ItemBuilder"]

log = logging.getLogger("monitor.fetch")

MAX_PAGES = 100
MAX_CHILD_SITEMAPS = 5


class ItemBuilder:
    def __init__(self, app: App, client: Client, workers: Workers, stop: threading.Event,
                 source: Source, result: SourceResult, *, reads: Store | None = None) -> None:
        self.app, self.client, self.workers, self.stop = app, client, workers, stop
        self.source = source
        self.result = result
        self.store = app.store
        # The entries already delivered are read on `reads` (committed entries: the
        # source's previous turn has ended), not behind a group's transaction.
        self.reads = reads or app.store
        self.seen: list[tuple[str, int | None]] = []  # entries to mark without an item
        self.page_errors = 0
        self.dates = app.date_context(source)  # summaries: one "now" a turn (~6 us an item)

    def items(self, resp: Response) -> list[tuple[str, RawItem]]:
        found = self._discover(resp)
        with self.reads.lock:
            known = self.reads.known_entries(self.source.name, [c.key for c in found])
        fresh = [c for c in found if c.key not in known]
        wants_page = self.source.kind != "feed" or self.source.full_text
        out: list[tuple[str, RawItem]] = []
        pages = 0
        for cand in fresh:
            if self.stop.is_set():
                break
            if wants_page and cand.link:
                if pages >= MAX_PAGES:
                    break
                pages += 1
            raw = self._item(cand, wants_page)
            if raw is not None:
                out.append((cand.key, raw))
        if self.page_errors:
            self._warn(f"{self.page_errors} article page(s) could not be fetched")
        return out

    # -- discovery ---------------------------------------------------------------------

    def _discover(self, resp: Response) -> list[Candidate]:
        doc = self.workers.discover(self.source.kind, resp.content, resp.content_type, resp.url,
                         self.source.name)
        if doc.problem:
            self._warn(doc.problem)
        if not doc.children:
            return list(doc.candidates)
        return self._children(doc)

    def _children(self, index: Discovered) -> list[Candidate]:
        found: list[Candidate] = []
        for child in index.children[:MAX_CHILD_SITEMAPS]:
            try:
                resp = self.client.get(child, source=self.source.name)
                doc = self.workers.discover("sitemap", resp.content, resp.content_type,
                                                    resp.url, self.source.name)
            except (FetchError, Exception) as e:  # one bad child sitemap is a warning
                self._warn(f"child sitemap {child}: {e}")
                continue
            found.extend(doc.candidates)
        return found

    def _warn(self, message: str) -> None:
        r = self.result
        r.warning = message if not r.warning else f"{r.warning}; {message}"

    # -- items -------------------------------------------------------------------------

    def _item(self, cand: Candidate, wants_page: bool) -> RawItem | None:
        link = cand.link
        needs_fetch = False
        if link:
            link, needs_fetch = resolve_link(link)
        if not wants_page or not link:
            if needs_fetch:
                link = self._final_url(link) or link
            return self._summary_item(cand, link)
        canon = canonical_url(link)
        with self.store.lock:
            stored = self.store.article_by_canonical_url(canon) if canon else None
        if stored is not None and not needs_fetch:
            self.seen.append((cand.key, stored.id))  # already stored: no second fetch
            self.result.counts["known"] += 1
            return None
        return self._page_item(cand, link)

    def _page_item(self, cand: Candidate, link: str) -> RawItem | None:
        try:
            page = self.client.get(link, source=self.source.name, robots=True,
                                           accept=PAGE_ACCEPT)
        except FetchError as e:
            self.page_errors += 1
            log.info("page source=%s url=%s error=%s: %s", self.source.name, link, e.kind,
                     e.message)
            return self._summary_item(cand, link) if cand.summary else None
        return RawItem(
            source=self.source.name, body=Body.HTML, content=page.text,
            dates=self.app.date_context(self.source), url=page.url,
            title=cand.title, published=cand.published, author=cand.author,
            origin=self.source.kind,
        )

    def _summary_item(self, cand: Candidate, link: str | None) -> RawItem | None:
        text = cand.summary or ""
        if not text.strip() and not cand.title:
            self.seen.append((cand.key, None))
            return None
        return RawItem(
            source=self.source.name, body=Body.TEXT, content=text or (cand.title or ""),
            dates=self.dates, url=link, title=cand.title, published=cand.published,
            author=cand.author, language=cand.language, origin="feed",
        )

    def _final_url(self, link: str) -> str | None:
        try:
            return self.client.get(link, source=self.source.name, robots=True,
                                           accept=PAGE_ACCEPT).url
        except FetchError:
            return None
