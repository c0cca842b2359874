"""When a source is due: a changed URL starts afresh, and a healthy source is polled at
every scheduled run while a backing-off one is not. Real loopback server, real SQLite."""

from __future__ import annotations

from monitor.timeutil import now_utc, parse_iso

from .feeds import rss


def test_a_changed_url_is_due_at_once_with_its_health_reset(server, make_fetcher):
    server.serve("/missing", status=404)
    server.serve("/fixed.xml", body=rss("fx", 2).encode())
    broken = make_fetcher([{"name": "s", "url": server.url("/missing"), "full_text": False}])
    broken.run_cycle()
    broken.run_cycle()
    row = broken.app.store.source_state("s")
    assert row["status"] == "failing" and row["consecutive_failures"] == 2
    assert parse_iso(row["next_due_at"]) > now_utc()

    # The URL fixed in the configuration; a new fetcher is what a reload or restart makes.
    fixed = make_fetcher([{"name": "s", "url": server.url("/fixed.xml"), "full_text": False}])
    fixed.sync()
    row = fixed.app.store.source_state("s")
    assert (row["url"], row["status"], row["consecutive_failures"], row["failure_score"],
            row["last_error_kind"], row["last_error_message"], row["next_due_at"]) \
        == (server.url("/fixed.xml"), "ok", 0, 0, None, None, None)
    result = fixed.fetch_source(fixed.settings.sources[0])  # not forced: due by itself
    assert result.outcome == "ok", result
    assert len(server.hits("/fixed.xml")) == 1
    assert fixed.app.store.source_state("s")["status"] == "ok"


def test_the_old_urls_404s_do_not_count_against_the_new_url(server, make_fetcher):
    server.serve("/missing", status=404)
    server.serve("/still-missing", status=404)
    old = make_fetcher([{"name": "s", "url": server.url("/missing"), "full_text": False}])
    old.run_cycle()
    old.run_cycle()
    new = make_fetcher([{"name": "s", "url": server.url("/still-missing"),
                         "full_text": False}])
    new.run_cycle()
    row = new.app.store.source_state("s")
    # one 404 of this URL: failing and backing off, not yet "needs attention"
    assert (row["status"], row["consecutive_failures"]) == ("failing", 1)
