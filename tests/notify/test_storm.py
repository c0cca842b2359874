"""Storm control: 500 matching articles in one cycle yield at most `max_per_hour`
alerts plus one summary, per rule and channel; the summary says how to list them."""

from __future__ import annotations

import hashlib
import hmac
import json
import shlex
from datetime import UTC, datetime, timedelta

from click.testing import CliRunner

from monitor.cli import cli
from monitor.notify import Dispatcher

from .conftest import Endpoint, save_alerting
from .test_crash import webhook_config


def test_storm_of_500_sends_the_budget_and_one_summary(make_app, endpoint: Endpoint,
                                                       monkeypatch) -> None:
    monkeypatch.setenv("TEST_HOOK_SECRET", "hook-key")
    app = make_app(webhook_config(endpoint.url).replace("max_per_hour = 100",
                                                        "max_per_hour = 7"))
    with app.store.batch():  # one ingest cycle
        save_alerting(app, 500, "status", ("hook",))
    now = datetime.now(UTC) + timedelta(seconds=5)
    with Dispatcher(app) as dispatcher:
        report = dispatcher.run(now)
        assert (report.sent, report.suppressed) == (8, 493)
        assert dispatcher.run(now + timedelta(minutes=5)).sent == 0

    bodies = endpoint.bodies()
    assert [b["event"] for b in bodies] == ["alert"] * 7 + ["summary"]
    summary = bodies[-1]
    assert summary["suppressed"] == 493
    assert summary["command"] == "monitor alerts --rule status"
    assert "493 more alerts held back" in summary["subject"]

    rows = app.store.deliveries(limit=10000)
    by_status: dict[str, int] = {}
    for r in rows:
        by_status[r["status"]] = by_status.get(r["status"], 0) + 1
    assert by_status == {"sent": 8, "suppressed": 493}
    (summary_row,) = [r for r in rows if r["kind"] == "summary"]
    assert summary_row["article_id"] is None and summary_row["rule"] == "status"

    # every body is signed: HMAC-SHA256 of the raw body with the channel's secret
    for request in endpoint.requests:
        mac = hmac.new(b"hook-key", request["body"], hashlib.sha256).hexdigest()
        assert request["headers"]["X-Monitor-Signature"] == f"sha256={mac}"


def test_storm_goes_on_next_hour_with_a_fresh_budget(make_app, endpoint: Endpoint,
                                                     monkeypatch) -> None:
    monkeypatch.setenv("TEST_HOOK_SECRET", "hook-key")
    app = make_app(webhook_config(endpoint.url).replace("max_per_hour = 100",
                                                        "max_per_hour = 3"))
    now = datetime.now(UTC) + timedelta(seconds=5)
    save_alerting(app, 10, "status", ("hook",))
    with Dispatcher(app) as dispatcher:
        assert dispatcher.run(now).sent == 4  # 3 + summary of 7
        save_alerting(app, 10, "status", ("hook",), start=100)
        # within the hour: all held back, and no second summary yet
        assert dispatcher.run(now + timedelta(minutes=30)).sent == 0
        # an hour on: a fresh budget and the second summary (for the 10 of the half hour)
        save_alerting(app, 5, "status", ("hook",), start=200)
        assert dispatcher.run(now + timedelta(minutes=61)).sent == 4
    events = [(b["event"], b.get("suppressed")) for b in endpoint.bodies()]
    # the second summary (older rows) goes before the new hour's alerts
    assert events == [("alert", None)] * 3 + [("summary", 7)] + [("summary", 12)] \
        + [("alert", None)] * 3


def test_summary_command_works_for_a_rule_name_with_spaces(make_app, endpoint: Endpoint,
                                                           monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("TEST_HOOK_SECRET", "hook-key")
    app = make_app(webhook_config(endpoint.url).replace("max_per_hour = 100",
                                                        "max_per_hour = 1")
                   .replace('name = "status"', "name = \"Article 370 watch\""))
    save_alerting(app, 3, "Article 370 watch", ("hook",))
    with Dispatcher(app) as dispatcher:
        dispatcher.run(datetime.now(UTC) + timedelta(seconds=5))
    command = endpoint.bodies()[-1]["command"]
    assert command == "monitor alerts --rule 'Article 370 watch'"
    app.close()
    args = shlex.split(command)[1:]  # as the desk's shell would pass it
    result = CliRunner().invoke(cli, ["--config", str(tmp_path / "monitor.toml"), *args,
                                      "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert sorted(r["status"] for r in json.loads(result.output)) == [
        "sent", "sent", "suppressed", "suppressed"]
