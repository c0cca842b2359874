"""When a source is due: a changed URL starts afresh, and a healthy source is polled at
every scheduled run while a backing-off one is not. Real loopback server, real SQLite."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from monitor.fetch.health import Attempt, due_at, is_due, next_state
from monitor.timeutil import iso, now_utc, parse_iso

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


def _scheduled_runs(interval: timedelta, rng: random.Random, count: int) -> list[datetime]:
    """The daemon's trigger: every interval, each run late by up to a tenth (<= 60 s)."""
    jitter = min(interval / 10, timedelta(seconds=60))
    start = datetime(2024, 1, 1, tzinfo=UTC)
    return [start + k * interval + jitter * rng.random() for k in range(1, count + 1)]


@pytest.mark.parametrize("interval", [timedelta(seconds=6), timedelta(minutes=15)])
def test_a_healthy_source_is_fetched_at_every_scheduled_run(interval: timedelta):
    rng = random.Random(3)
    row: dict[str, object] = {}
    skipped = 0
    for run in _scheduled_runs(interval, rng, 2000):
        if not is_due(row, run, interval):
            skipped += 1
            continue
        update, _ = next_state(row, Attempt("ok", run, interval), rng)
        row.update(update)
    assert skipped == 0


def test_a_backing_off_source_skips_the_runs_before_it_is_due():
    interval = timedelta(minutes=15)
    for seed in range(200):
        rng = random.Random(seed)
        failed_at = datetime(2024, 1, 1, tzinfo=UTC)
        update, _ = next_state({}, Attempt("error", failed_at, interval,
                                           error_kind="http_status", http_status=500), rng)
        due = parse_iso(update["next_due_at"])
        assert due is not None and update["consecutive_failures"] == 1
        assert not is_due(update, failed_at + interval + interval / 10, interval)
        assert not is_due(update, due - timedelta(seconds=1), interval)
        assert is_due(update, due, interval)


def test_a_retry_after_is_waited_out_to_the_second(server, make_fetcher):
    """A publisher's 503 with Retry-After on a 15-minute source: no scheduled run may come
    back early, even by less than the healthy sources' slack (half an interval)."""
    server.serve("/busy.xml", status=503, headers={"Retry-After": "120"})
    fetcher = make_fetcher([{"name": "s", "url": server.url("/busy.xml"), "full_text": False,
                             "interval": "15m"}])
    source = fetcher.settings.sources[0]
    assert fetcher.fetch_source(source, force=True).outcome == "error"
    store = fetcher.app.store
    row = store.source_state("s")
    assert row["consecutive_failures"] == 1
    assert parse_iso(row["next_due_at"]) > now_utc() + timedelta(seconds=100)
    # Later: the wait has a minute left, well inside a healthy source's slack.
    with store.lock, store.db.atomic():
        store.db["sources"].update("s", {"next_due_at": iso(now_utc() + timedelta(minutes=1))})
    assert fetcher.fetch_source(source).outcome == "not_due"
    assert len(server.hits("/busy.xml")) == 1


def test_a_fetch_due_in_a_few_seconds_is_not_put_off_an_interval(server, make_fetcher):
    server.serve("/a.xml", body=rss("ja", 1).encode())
    fetcher = make_fetcher([{"name": "s", "url": server.url("/a.xml"), "full_text": False,
                             "interval": "15m"}])
    fetcher.sync()
    source, store = fetcher.settings.sources[0], fetcher.app.store

    def due_in(delay: timedelta) -> None:
        with store.lock, store.db.atomic():
            store.db["sources"].update("s", {"next_due_at": iso(now_utc() + delay)})

    due_in(timedelta(seconds=40))  # the trigger ran a little before the +-10 % due time
    assert fetcher.fetch_source(source).outcome == "ok"
    due_in(timedelta(minutes=25))  # backing off: this run is skipped
    assert fetcher.fetch_source(source).outcome == "not_due"
    assert len(server.hits("/a.xml")) == 1


def test_a_shortened_interval_applies_from_the_last_fetch_but_a_backoff_stands():
    last = datetime(2024, 1, 1, tzinfo=UTC)
    healthy = {"last_fetch_at": iso(last), "consecutive_failures": 0,
               "next_due_at": iso(last + timedelta(minutes=60))}  # reckoned at 1 h
    assert due_at(healthy, timedelta(minutes=5)) == last + timedelta(minutes=5)
    assert due_at(healthy, timedelta(hours=2)) == last + timedelta(minutes=60)
    failing = {**healthy, "consecutive_failures": 2}
    assert due_at(failing, timedelta(minutes=5)) == last + timedelta(minutes=60)
    assert due_at({"next_due_at": None}, timedelta(minutes=5)) is None
