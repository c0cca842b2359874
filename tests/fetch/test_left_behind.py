"""New entries a turn could not deal with are dealt with on the next turn.

A turn stores what it can; an entry whose page failed (with no summary to fall back
on), or past the per-turn page limit, or a child sitemap that failed, waits for the
next turn. That turn must read the document again even though it has not changed:
with its ETag or body hash kept, the server's 304 (or the same body) would skip it,
and the entry would wait until the outlet published something else.
"""

from __future__ import annotations

import pytest

from monitor.errors import FetchError
from monitor.fetch import items as items_module

from .feeds import article_page, summary


def _full_text_feed(server, broken: int | None = None) -> list[str]:
    paths = []
    for i in range(3):
        path = f"/news/2026/11/left-behind-story-number-{i}"
        body = article_page(f"Headline {i}", summary(f"left{i}", 250)).encode()
        server.serve(path, body=body, content_type="text/html; charset=utf-8",
                     status=503 if i == broken else 200)
        paths.append(path)
    entries = "".join(f"<item><guid>p{i}</guid><link>{server.url(p)}</link>"
                      f"<title>Headline {i}</title></item>" for i, p in enumerate(paths))
    server.serve("/full.xml", body=(f'<rss version="2.0"><channel><title>x</title>{entries}'
                                    "</channel></rss>").encode(), etag='"v1"')
    return paths


def test_a_page_that_failed_is_fetched_on_the_next_turn(server, make_fetcher):
    paths = _full_text_feed(server, broken=1)
    fetcher = make_fetcher([{"name": "full", "url": server.url("/full.xml")}])
    assert fetcher.run_cycle()[0].counts["new"] == 2
    _full_text_feed(server)  # the page is back; the feed is the same, ETag and all
    again = fetcher.run_cycle()[0]
    assert again.counts["new"] == 1
    assert [len(server.hits(p)) for p in paths] == [1, 2, 1]
    third = fetcher.run_cycle()[0]  # all dealt with: conditional and cheap again
    assert third.outcome == "not_modified"


def test_entries_past_the_page_limit_come_on_the_next_turns(
    server, make_fetcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(items_module, "MAX_PAGES", 2)
    _full_text_feed(server)
    fetcher = make_fetcher([{"name": "full", "url": server.url("/full.xml")}])
    assert fetcher.run_cycle()[0].counts["new"] == 2
    assert fetcher.run_cycle()[0].counts["new"] == 1
    assert fetcher.app.store.db.execute("SELECT count(*) FROM articles").fetchone()[0] == 3


def test_a_page_refused_for_good_does_not_keep_the_feed_unconditional(server, make_fetcher):
    """A 403 (a paywall) will not pass on the next turn: the feed stays conditional."""
    paths = _full_text_feed(server)
    server.serve(paths[1], body=b"subscribers only", status=403, content_type="text/html")
    fetcher = make_fetcher([{"name": "full", "url": server.url("/full.xml")}])
    assert fetcher.run_cycle()[0].counts["new"] == 2
    assert fetcher.run_cycle()[0].outcome == "not_modified"
    assert len(server.hits(paths[1])) == 1


@pytest.mark.parametrize(("kind", "status", "again"), [
    ("timeout", None, True), ("connect", None, True), ("http_status", 503, True),
    ("http_status", 429, True), ("http_status", 403, False), ("http_status", 404, False),
    ("robots", None, False), ("blocked_address", None, False), ("too_large", None, False),
])
def test_which_failures_are_worth_another_turn(kind: str, status: int | None,
                                               again: bool) -> None:
    e = FetchError("s", "http://x/", kind, "failed", status=status)
    assert items_module.worth_retrying(e) is again
