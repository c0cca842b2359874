"""Source health alerts: one per episode, however often the check runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.notify import check_health, dispatch_pending

from .conftest import CONSOLE

NOW = datetime(2024, 3, 10, 6, 0, tzinfo=UTC)


def _source(app, name: str, **fields) -> None:
    app.store.sync_sources([(name, f"https://{name}.example/feed", "feed")])
    if fields:
        app.store.db["sources"].update(name, fields)


def _fetches(app, name: str, start: datetime, days: int, per_day: int) -> None:
    for d in range(days):
        app.store.db["fetch_log"].insert({"source": name, "at": (start + timedelta(days=d))
                                          .isoformat(), "outcome": "ok", "new": per_day})


def test_needs_attention_alerts_once_per_episode(make_app, capsys) -> None:
    app = make_app(CONSOLE + '[health]\nchannels = ["console"]\n')
    _source(app, "broken-feed", status="needs_attention", consecutive_failures=9,
            last_success_at="2024-03-08T01:00:00+00:00", last_error_kind="http_status",
            last_error_message="HTTP 404")
    _source(app, "paused-feed", status="needs_attention", paused=1)
    for minutes in (0, 5, 10):
        check_health(app, NOW + timedelta(minutes=minutes))
    rows = app.store.deliveries(rule="source-health")
    assert len(rows) == 1 and rows[0]["kind"] == "health" and rows[0]["article_id"] is None
    dispatch_pending(app, NOW + timedelta(minutes=11))
    out = capsys.readouterr().out
    assert "Source broken-feed needs attention" in out and "HTTP 404" in out
    # it recovers, then breaks again: a new episode, a new alert
    app.store.db["sources"].update("broken-feed", {"last_success_at": "2024-03-10T07:00:00+00:00"})
    check_health(app, NOW + timedelta(hours=3))
    assert len(app.store.deliveries(rule="source-health")) == 2


def test_a_usually_busy_source_gone_quiet_alerts_once(make_app) -> None:
    app = make_app(CONSOLE + '[health]\nchannels = ["console"]\n')
    _source(app, "busy-feed")
    _fetches(app, "busy-feed", NOW - timedelta(days=16), 14, 6)  # 6 new a day, then nothing
    _source(app, "slow-feed")
    _fetches(app, "slow-feed", NOW - timedelta(days=16), 14, 1)  # 1 a day: silence is normal
    last = NOW - timedelta(days=3)
    check_health(app, last + timedelta(hours=12))  # half a day: too soon to say
    assert app.store.deliveries(rule="source-health") == []
    check_health(app, NOW)
    check_health(app, NOW + timedelta(hours=1))
    rows = app.store.deliveries(rule="source-health")
    assert len(rows) == 1
    payload = app.store.delivery(rows[0]["id"])["payload"]
    assert "busy-feed has gone quiet" in payload and "slow-feed" not in payload


def test_attention_alert_shows_the_last_success_in_the_monitors_zone(make_app,
                                                                      capsys) -> None:
    # The body read "last success 2024-03-08T01:00:00+00:00": UTC, while alerts and
    # digests speak the monitor's zone, so the desk misread it by hours.
    app = make_app(CONSOLE + '[health]\nchannels = ["console"]\n', timezone="Asia/Kolkata")
    _source(app, "broken-feed", status="needs_attention", consecutive_failures=9,
            last_success_at="2024-03-08T01:00:00+00:00", last_error_kind="http_status",
            last_error_message="HTTP 404")
    _source(app, "never-worked", status="needs_attention", consecutive_failures=5)
    check_health(app, NOW)
    dispatch_pending(app, NOW + timedelta(minutes=1))
    out = capsys.readouterr().out
    assert "last success 2024-03-08 06:30 IST;" in out
    assert "last success never;" in out
    assert "+00:00" not in out
