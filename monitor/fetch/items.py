"""From a fetched source document to raw items: the new entries, with their pages.

`ItemBuilder.items(resp)` asks the workers what the document offers, drops the
entries the source already delivered (`feed_entries`), resolves aggregator links,
and builds one `RawItem` per new entry (on a summary feed's first fetch the worker
built and analysed them while it parsed: `summaries.py`):
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

import functools
import logging
import threading

from ..app import App
from ..config import Source
from ..dedupe import canonical_url
from ..errors import FetchError, ParseError
from ..models import Body, RawItem
from ..pipeline import Analysis
from ..store import Store
from .aggregators import resolve_link
from .client import PAGE_ACCEPT, Client, Response
from .discover import Candidate, Discovered
from .health import may_pass_later
from .result import SourceResult
from .sitemaps import gunzipped
from .summaries import summary_item
from .workers import Workers

__all__ = ["MAX_CHILD_SITEMAPS", "MAX_PAGES", "ItemBuilder", "worth_retrying"]

log = logging.getLogger("monitor.fetch")

MAX_PAGES = 100
MAX_CHILD_SITEMAPS = 5


def worth_retrying(e: BaseException) -> bool:
    """Whether a page or child sitemap that failed may come next turn (`may_pass_later`).
    One refused for good (robots, a private address, a 403) would keep the source's
    document unconditional turn after turn for nothing."""
    return isinstance(e, FetchError) and may_pass_later(e.kind, e.status)


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
        # New entries this turn did not deal with (a stop, MAX_PAGES, a page or child
        # sitemap that failed in a way worth retrying, with no summary to fall back on):
        # the next turn must read the document again.
        self.left_behind = False
        self.dates = app.date_context(source)  # summaries: one "now" a turn (~6 us an item)

    def items(self, resp: Response) -> list[tuple[str, RawItem | Analysis]]:
        """The new entries' items, in the document's order; on a summary feed's first
        fetch they come analysed already (`summaries.py`)."""
        found, analysed = self._discover(resp)
        with self.reads.lock:
            known = self.reads.known_entries(self.source.name, [c.key for c in found])
        wants_page = self.source.kind != "feed" or self.source.full_text
        out: list[tuple[str, RawItem | Analysis]] = []
        pages = 0
        for i, cand in enumerate(found):
            if cand.key in known:
                continue
            if analysed is not None:  # no page, no fetch: stored even if a stop came
                done = analysed[i]
                if done is None:
                    self.seen.append((cand.key, None))
                else:
                    out.append((cand.key, done))
                continue
            if self.stop.is_set():
                self.left_behind = True
                break
            if wants_page and cand.link:
                if pages >= MAX_PAGES:
                    self.left_behind = True
                    break
                pages += 1
            raw = self._item(cand, wants_page)
            if raw is not None:
                out.append((cand.key, raw))
        if self.page_errors:
            self._warn(f"{self.page_errors} article page(s) could not be fetched")
        return out

    # -- discovery ---------------------------------------------------------------------

    def _discover(self, resp: Response) -> tuple[list[Candidate], list[Analysis | None] | None]:
        """The document's candidates, and their analysed items if a worker built them."""
        s = self.source
        analysed: list[Analysis | None] | None = None
        if self.first_summaries:
            doc, analysed = self.workers.discover_analysed(
                s.kind, resp.content, resp.content_type, resp.url, s.name, self.dates)
        else:
            doc = self.workers.discover(s.kind, self._body(resp, s.kind), resp.content_type,
                                        resp.url, s.name)
        if doc.problem:
            self._warn(doc.problem)
        if not doc.children:
            return list(doc.candidates), analysed
        return self._children(doc), None

    @functools.cached_property
    def first_summaries(self) -> bool:
        """A summary feed that has delivered nothing yet: its worker analyses its items
        while it parses them (`summaries.py`)."""
        s = self.source
        if s.kind != "feed" or s.full_text:
            return False
        with self.reads.lock:
            return not self.reads.has_entries(s.name)

    def _children(self, index: Discovered) -> list[Candidate]:
        found: list[Candidate] = []
        for child in index.children[:MAX_CHILD_SITEMAPS]:
            try:  # robots.txt too, as backfill's child sitemaps
                resp = self.client.get(child, source=self.source.name, robots=True)
                doc = self.workers.discover("sitemap", self._body(resp, "sitemap"),
                                            resp.content_type, resp.url, self.source.name)
            except (FetchError, Exception) as e:  # one bad child sitemap is a warning
                self._warn(f"child sitemap {child}: {e}")
                self.left_behind |= worth_retrying(e)  # read the index again next turn
                continue
            if doc.problem:
                self._warn(f"child sitemap {child}: {doc.problem}")
            found.extend(doc.candidates)
        return found

    def _body(self, resp: Response, kind: str) -> bytes:
        """A sitemap served as a `.xml.gz` file (no Content-Encoding) unpacked, within
        the same `max_bytes` cap the client holds a Content-Encoding to."""
        if kind != "sitemap":
            return resp.content
        try:
            return gunzipped(resp.content, self.client.settings.max_bytes)
        except ParseError as e:
            raise ParseError(self.source.name, resp.url, e.message) from e

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
            if cand.summary:
                return self._summary_item(cand, link)
            self.left_behind |= worth_retrying(e)
            return None
        return RawItem(
            source=self.source.name, body=Body.HTML, content=page.text,
            dates=self.app.date_context(self.source), url=page.url,
            title=cand.title, published=cand.published, author=cand.author,
            origin=self.source.kind,
        )

    def _summary_item(self, cand: Candidate, link: str | None) -> RawItem | None:
        raw = summary_item(self.source.name, cand, link, self.dates)
        if raw is None:
            self.seen.append((cand.key, None))
        return raw

    def _final_url(self, link: str) -> str | None:
        try:
            return self.client.get(link, source=self.source.name, robots=True,
                                           accept=PAGE_ACCEPT).url
        except FetchError:
            return None
