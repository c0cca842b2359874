"""A loopback endpoint stands in for Slack: valid payloads, escaping, and each alert
exactly once through a 429 with Retry-After and a 500."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.errors import ConfigError
from monitor.notify import Dispatcher
from monitor.notify.channels import SENDERS

from .conftest import Endpoint, ingest


def soon() -> datetime:
    """A moment just after the rows a test created (they carry the real time)."""
    return datetime.now(UTC) + timedelta(seconds=5)


def slack_config(url: str) -> str:
    return """
[[channels]]
name = "desk-slack"
kind = "slack"
webhook_url = "env:TEST_SLACK_URL"

[[alerts]]
name = "status"
concepts = ["Article 370", "Line of Control"]
channels = ["desk-slack"]
"""


STORIES = [
    ("Court <b>reserves</b> verdict on Article 370 & 35A pleas",
     "The Supreme Court reserved its verdict on petitions challenging the abrogation of "
     "Article 370 after sixteen days of hearings in New Delhi."),
    ("Ceasefire violation reported along the Line of Control in Poonch",
     "Troops exchanged fire along the Line of Control in Poonch district late on Saturday, "
     "officials said, the first such incident this year."),
    ("Traders in Srinagar mark Article 370 anniversary with shutdown",
     "Markets in Srinagar stayed shut on Monday as traders marked the anniversary of the "
     "changes to Article 370, with police deployed in the old city."),
]


def test_each_alert_arrives_once_through_429_and_500(make_app, endpoint: Endpoint,
                                                     monkeypatch) -> None:
    monkeypatch.setenv("TEST_SLACK_URL", endpoint.url)
    app = make_app(slack_config(endpoint.url))
    for title, text in STORIES:
        assert ingest(app, title, text).alerts == 1
    endpoint.script = [(429, {"Retry-After": "7"}), (500, {})]

    T0 = soon()
    with Dispatcher(app) as dispatcher:
        first = dispatcher.run(T0)  # 429: the channel is held for the rest of the pass
        assert (first.sent, first.retrying) == (0, 1)
        row = app.store.deliveries(pending=True)[-1]
        assert row["last_error"]["kind"] == "http_status" and "429" in row["last_error"]["message"]
        assert dispatcher.run(T0 + timedelta(seconds=5)).sent == 0  # Retry-After not over
        second = dispatcher.run(T0 + timedelta(seconds=8))  # now the 500
        assert (second.sent, second.retrying) == (0, 1)
        # a 500 holds the channel for that pass only: the other two go next pass,
        # the failed one after its backoff (60 s after a second failure)
        assert dispatcher.run(T0 + timedelta(seconds=20)).sent == 2
        assert dispatcher.run(T0 + timedelta(seconds=60)).sent == 0
        assert dispatcher.run(T0 + timedelta(seconds=70)).sent == 1
        assert dispatcher.run(T0 + timedelta(hours=2)).sent == 0

    assert len(endpoint.requests) == 5  # 429, 500, then each alert once
    delivered = endpoint.bodies()[2:]
    headlines = [b["blocks"][0]["text"]["text"] for b in delivered]
    assert len(set(headlines)) == 3
    rows = app.store.deliveries()
    assert {r["status"] for r in rows} == {"sent"}
    assert sorted(r["attempts"] for r in rows) == [1, 1, 3]


def test_slack_payload_is_block_kit_with_fallback_and_escaped(make_app, endpoint: Endpoint,
                                                              monkeypatch) -> None:
    monkeypatch.setenv("TEST_SLACK_URL", endpoint.url)
    app = make_app(slack_config(endpoint.url))
    title, text = STORIES[0]
    ingest(app, title, text, url="https://news.example/court?a=1&b=2", source="The <Wire>")
    ingest(app, title, text, url="https://copy.example/court", source="Copy Desk")
    T0 = soon()
    with Dispatcher(app) as dispatcher:
        assert dispatcher.run(T0).sent == 1
    request = endpoint.requests[0]
    assert request["headers"]["Content-Type"].startswith("application/json")
    body = endpoint.bodies()[0]
    # plain-text fallback for notifications, mrkdwn-escaped
    assert body["text"].startswith("Court &lt;b&gt;reserves&lt;/b&gt; verdict on Article 370 "
                                   "&amp; 35A pleas")
    head, quote, context = body["blocks"]
    assert head["type"] == "section" and head["text"]["type"] == "mrkdwn"
    assert "<https://news.example/court?a=1&amp;b=2|Court &lt;b&gt;reserves" in head["text"]["text"]
    assert "The &lt;Wire&gt; · 2024-03-10 09:30 IST" in head["text"]["text"]
    assert quote["text"]["text"].startswith("> ")
    assert "*Article 370*" in quote["text"]["text"]  # the mention, highlighted
    assert "<b>" not in str(body)
    ctx = context["elements"][0]["text"]
    assert "Article 370" in ctx and "Rule: status" in ctx
    assert "Coverage: 2 report(s) from 2 outlet(s)" in ctx  # the copy raised the count


def test_permanent_error_fails_at_once_with_error_kept(make_app, endpoint: Endpoint,
                                                       monkeypatch) -> None:
    monkeypatch.setenv("TEST_SLACK_URL", endpoint.url)
    app = make_app(slack_config(endpoint.url))
    ingest(app, *STORIES[1])
    endpoint.script = [(404, {})]
    T0 = soon()
    with Dispatcher(app) as dispatcher:
        report = dispatcher.run(T0)
    assert report.failed == 1
    (row,) = app.store.deliveries()
    assert row["status"] == "failed" and row["attempts"] == 1
    assert row["last_error"]["kind"] == "http_status" and "404" in row["last_error"]["message"]


def test_missing_secret_is_retried_not_lost(make_app, endpoint: Endpoint, monkeypatch) -> None:
    monkeypatch.delenv("TEST_SLACK_URL", raising=False)
    app = make_app(slack_config(endpoint.url))
    ingest(app, *STORIES[1])
    T0 = soon()
    with Dispatcher(app) as dispatcher:
        assert dispatcher.run(T0).retrying == 1
        (row,) = app.store.deliveries()
        assert "TEST_SLACK_URL is not set" in row["last_error"]["message"]
        monkeypatch.setenv("TEST_SLACK_URL", endpoint.url)
        assert dispatcher.run(T0 + timedelta(minutes=1)).sent == 1
    assert len(endpoint.requests) == 1


def test_slack_digest_is_compact_block_kit(make_app, endpoint: Endpoint, monkeypatch) -> None:
    from datetime import date

    from monitor.notify import send_digest

    monkeypatch.setenv("TEST_SLACK_URL", endpoint.url)
    app = make_app(slack_config(endpoint.url) + '\n[digest]\nchannels = ["desk-slack"]\n')
    for title, text in STORIES:
        ingest(app, title, text)
    (outcome,) = send_digest(app, date(2024, 3, 10))
    assert outcome.status == "sent"
    body = endpoint.bodies()[0]
    assert body["text"] == "Kashmir digest for Sunday 10 March 2024"
    blocks = body["blocks"]
    assert blocks[0]["type"] == "header" and len(blocks) <= 50
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks)
    mrkdwn = "\n".join(b["text"]["text"] for b in blocks[1:])
    assert "*Top stories*" in mrkdwn
    assert "Court &lt;b&gt;reserves&lt;/b&gt; verdict on Article 370 &amp; 35A pleas" in mrkdwn
    assert "<b>" not in mrkdwn
    assert send_digest(app, date(2024, 3, 10))[0].status == "already-sent"
    assert len(endpoint.requests) == 1


def test_malformed_url_in_the_file_is_a_config_error_naming_the_key(make_app) -> None:
    config = slack_config("").replace('"env:TEST_SLACK_URL"', '"hooks.slack.example/T0/B0"')
    with pytest.raises(ConfigError) as caught:
        make_app(config)
    assert 'channels[0] ("desk-slack").webhook_url' in str(caught.value)
    assert "not an http:// or https:// URL" in str(caught.value)


def test_malformed_url_from_the_env_fails_its_row_not_the_outbox(make_app, endpoint: Endpoint,
                                                                 monkeypatch) -> None:
    # An env file written on Windows leaves a "\r" at the end of the value.
    monkeypatch.setenv("TEST_SLACK_URL", endpoint.url + "\r")
    app = make_app(slack_config(endpoint.url))
    ingest(app, *STORIES[0])
    ingest(app, *STORIES[1])
    T0 = soon()
    with Dispatcher(app) as dispatcher:
        assert dispatcher.run(T0).retrying == 1
        row = app.store.deliveries(pending=True)[-1]
        assert row["last_error"]["message"].startswith(
            'channels ("desk-slack").webhook_url (env:TEST_SLACK_URL): ')
        assert endpoint.requests == []
        monkeypatch.setenv("TEST_SLACK_URL", endpoint.url)
        assert dispatcher.run(T0 + timedelta(minutes=1)).sent == 2


def test_a_sender_bug_fails_its_row_not_the_pass(make_app, endpoint: Endpoint,
                                                 monkeypatch) -> None:
    monkeypatch.setenv("TEST_SLACK_URL", endpoint.url)
    app = make_app(slack_config(endpoint.url))
    ingest(app, *STORIES[0])

    def broken(*args: object) -> None:
        raise RuntimeError("sender bug")

    monkeypatch.setitem(SENDERS, "slack", broken)
    with Dispatcher(app) as dispatcher:
        assert dispatcher.run(soon()).retrying == 1
    (row,) = app.store.deliveries()
    assert row["status"] == "pending" and "sender bug" in row["last_error"]["message"]


def test_huge_hostile_headline_stays_within_slack_limits(make_app, endpoint: Endpoint,
                                                         monkeypatch) -> None:
    # Slack answers 400 invalid_blocks (a permanent failure) to a section text over
    # 3000 characters; a scraped headline can be far longer, and escaping grows it.
    monkeypatch.setenv("TEST_SLACK_URL", endpoint.url)
    app = make_app(slack_config(endpoint.url))
    title = "Article 370 " + "<!channel> & <!here> " * 300
    ingest(app, title, STORIES[0][1], url="https://news.example/long")
    with Dispatcher(app) as dispatcher:
        assert dispatcher.run(soon()).sent == 1
    body = endpoint.bodies()[0]
    texts = [b["text"]["text"] for b in body["blocks"] if b["type"] == "section"]
    assert all(len(t) <= 3000 for t in texts)
    assert texts[0].startswith("*<https://news.example/long|Article 370 &lt;!channel&gt; &amp;")
    assert "…>*" in texts[0]  # clipped, still a link to the whole article
    assert "<!" not in str(body)
    assert len(body["text"]) < 3000


def test_a_digest_waits_out_the_channels_retry_after(make_app, endpoint: Endpoint,
                                                     monkeypatch) -> None:
    """Slack said 429 Retry-After: 600 to an alert: `monitor digest --send` must not post
    to it meanwhile; the digest is queued and the dispatcher sends it after the wait."""
    from datetime import date

    from monitor.notify import send_digest

    monkeypatch.setenv("TEST_SLACK_URL", endpoint.url)
    app = make_app(slack_config(endpoint.url) + '\n[digest]\nchannels = ["desk-slack"]\n')
    ingest(app, *STORIES[0])
    endpoint.script = [(429, {"Retry-After": "600"})]
    T0 = soon()
    with Dispatcher(app) as dispatcher:
        assert dispatcher.run(T0).retrying == 1
    (outcome,) = send_digest(app, date(2024, 3, 10), now=T0 + timedelta(seconds=60))
    assert outcome.status == "queued" and "Retry-After" in outcome.detail
    assert len(endpoint.requests) == 1  # only the alert's 429
    with Dispatcher(app) as dispatcher:
        assert dispatcher.run(T0 + timedelta(seconds=601)).sent == 2  # the alert, the digest
    assert len(endpoint.requests) == 3


PLACES = ["Srinagar", "Poonch", "Kupwara", "Baramulla", "Anantnag", "Rajouri", "Kathua",
          "Doda", "Kishtwar", "Ganderbal"]


def _digest_blocks(app, endpoint: Endpoint) -> list[dict]:
    from datetime import date

    from monitor.notify import send_digest

    (outcome,) = send_digest(app, date(2024, 3, 10), force=True)  # a test sends it twice
    assert outcome.status == "sent", outcome.detail
    blocks = endpoint.bodies()[-1]["blocks"]
    assert blocks[0]["type"] == "header" and len(blocks) <= 50
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks)
    return blocks


def test_long_digest_parts_split_at_line_ends_links_whole(make_app, endpoint: Endpoint,
                                                          monkeypatch) -> None:
    # The top stories ran past one section's 2,900 characters: the cut fell inside a
    # `<url|title>` link, Slack showed its raw text, and the later stories vanished.
    monkeypatch.setenv("TEST_SLACK_URL", endpoint.url)
    app = make_app(slack_config(endpoint.url) + '\n[digest]\nchannels = ["desk-slack"]\n')
    for i, place in enumerate(PLACES[:8]):
        title = f"{place} story {i}: " + f"residents of {place} describe the day " * 12
        ingest(app, title, f"Police in {place} said the Article 370 protest number {i} "
               f"ended peacefully near the {place} market.", url=f"https://news.example/{i}")
    blocks = _digest_blocks(app, endpoint)
    texts = [b["text"]["text"] for b in blocks[1:]]
    for text in texts:
        assert text.count("<") == text.count(">")  # no link cut in two
    shown = "\n".join(texts)
    stories = [line for line in shown.splitlines() if line[:3] in {f"{i}. " for i in range(9)}]
    assert len(stories) == 8
    for i in range(8):
        assert f"<https://news.example/{i}|" in shown


def test_many_sources_in_attention_fill_slack_then_point_to_the_digest(
        make_app, endpoint: Endpoint, monkeypatch) -> None:
    # One line named every source needing attention; past 2,900 characters the rest was
    # dropped without a word. Now it runs over sections, and past Slack's 50 blocks the
    # last one says what is missing and where the whole digest is.
    monkeypatch.setenv("TEST_SLACK_URL", endpoint.url)
    app = make_app(slack_config(endpoint.url) + '\n[digest]\nchannels = ["desk-slack"]\n')
    ingest(app, *STORIES[0])

    def failing(n: int) -> list[str]:
        names = [f"regional-outlet-{i:04d}-kashmir-valley-feed" for i in range(n)]
        app.store.sync_sources([(name, f"https://{name}.example/feed", "feed")
                                for name in names])
        app.store.db.execute("UPDATE sources SET status = 'failing', consecutive_failures = 3")
        return names

    names = failing(300)  # ~15,000 characters: several sections, every name shown
    # one line cut over sections at spaces: read back with a space where it was cut
    shown = " ".join(b["text"]["text"] for b in _digest_blocks(app, endpoint)[1:])
    assert all(f"{name} (failing)" in shown for name in names)
    assert "monitor digest --date" not in shown

    names = failing(3000)  # far more than 50 blocks hold
    blocks = _digest_blocks(app, endpoint)
    assert len(blocks) == 50
    note = blocks[-1]["text"]["text"]
    assert "left out: the rest of Sources needing attention" in note
    assert "`monitor digest --date 2024-03-10`" in note
    shown = " ".join(b["text"]["text"] for b in blocks[1:])
    assert f"{names[0]} (failing)" in shown and f"{names[-1]} (failing)" not in shown
