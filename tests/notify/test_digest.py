"""The daily digest: one local calendar day (DST too), ranked stories, counts against
the week before, the 14-day chart, new people and places, once per day and channel."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

from click.testing import CliRunner

from monitor.cli import cli
from monitor.notify import build_digest, render_digest, send_due_digest

from .conftest import CONSOLE, Endpoint, ingest

LONDON = "Europe/London"


def test_dst_day_is_one_calendar_day(make_app) -> None:
    app = make_app(CONSOLE, timezone=LONDON)  # 2024-03-31 has 23 hours in London
    cases = {  # published (None: undated, first seen then) -> in the digest of 31 March?
        "2024-03-30T23:30:00+00:00": False,  # 23:30 GMT on the 30th
        "2024-03-31T00:30:00+00:00": True,  # 00:30 GMT, before the clocks go forward
        "2024-03-31T23:30:00+01:00": True,  # 23:30 BST, the day's last hour
        "2024-03-31T23:30:00+00:00": False,  # 00:30 BST on 1 April
    }
    places = ["Srinagar", "Anantnag", "Baramulla", "Kupwara"]
    for i, (when, _) in enumerate(cases.items()):
        ingest(app, f"Article 370 rally in {places[i]}",
               f"A rally about Article 370 was held in {places[i]} by local traders.",
               published=when, url=f"https://n.example/dst/{i}")
    ingest(app, "Article 370 petition filed in Pulwama",
           "Residents of Pulwama filed a petition about Article 370 with the court.",
           published=None, fetched_at=datetime(2024, 3, 31, 12, 0, tzinfo=UTC),
           url="https://n.example/dst/undated-in")
    ingest(app, "Article 370 seminar held in Shopian",
           "Students in Shopian held a seminar on Article 370 and its history.",
           published=None, fetched_at=datetime(2024, 3, 31, 23, 30, tzinfo=UTC),  # 1 April
           url="https://n.example/dst/undated-out")
    digest = build_digest(app, date(2024, 3, 31))
    titles = {s.headline.title for s in digest.stories}
    titles |= {h.title for s in digest.stories for h in s.others}
    assert titles == {"Article 370 rally in Anantnag", "Article 370 rally in Baramulla",
                      "Article 370 petition filed in Pulwama"}
    assert digest.articles == 3
    assert [b.day for b in digest.chart][-2:] == [date(2024, 3, 30), date(2024, 3, 31)]
    assert len({b.day for b in digest.chart}) == 14
    assert digest.chart[-1].mentions >= 3 and digest.chart[-2].mentions >= 1


def test_counts_change_new_people_ranking_and_chart(make_app) -> None:
    app = make_app(CONSOLE)
    for d in range(3, 10):  # one Line of Control article a day for the week before
        ingest(app, f"Firing along the Line of Control on day {d}",
               f"Troops reported firing along the Line of Control near Uri on March {d}.",
               published=f"2024-03-{d:02d}T10:00:00+05:30", url=f"https://n.example/loc/{d}")
    for outlet in ("wire-a", "wire-b", "wire-c"):
        ingest(app, "Omar Abdullah meets Line of Control villagers",
               "Omar Abdullah met villagers living along the Line of Control in Kupwara "
               "and promised bunkers before winter, officials said on Sunday.",
               source=outlet, published="2024-03-10T09:00:00+05:30",
               url=f"https://{outlet}.example/omar")
    ingest(app, "Shelling reported along the Line of Control in Poonch",
           "Shelling was reported along the Line of Control in Poonch district late at night.",
           published="2024-03-10T22:00:00+05:30", url="https://n.example/poonch")
    digest = build_digest(app, date(2024, 3, 10))
    lead = digest.stories[0]
    assert lead.headline.title == "Omar Abdullah meets Line of Control villagers"
    assert lead.outlets == ("wire-a", "wire-b", "wire-c") and lead.articles == 3
    loc = next(c for c in digest.concepts if c.name == "Line of Control")
    assert (loc.count, loc.baseline, loc.change) == (4, 1.0, 3.0)
    assert "Omar Abdullah" in {n.name for n in digest.new_people}
    assert "Line of Control" not in {n.name for n in digest.new_places}  # a border, seen before
    assert "Poonch" in {n.name for n in digest.new_places}
    assert "Uri" not in {n.name for n in digest.new_places}  # seen the week before
    assert [b.mentions > 0 for b in digest.chart][-8:] == [True] * 8
    assert digest.chart[-1].height == 100
    md = render_digest(digest, "markdown")
    assert "## Top stories" in md and "| Line of Control | 4 | +3.0 (mean 1.0) |" in md
    text = render_digest(digest, "text")
    assert "3 outlets (wire-a, wire-b, wire-c)" in text


def test_quiet_day_says_nothing_notable(make_app) -> None:
    app = make_app(CONSOLE)
    ingest(app, "Monsoon session of parliament ends", "The session ended on Friday.",
           published="2024-03-10T10:00:00+05:30")
    digest = build_digest(app, date(2024, 3, 10))
    assert digest.quiet and digest.articles == 1 and digest.related == 0
    text = render_digest(digest, "text")
    assert "Nothing notable: no story about Kashmir that day." in text
    assert "TOP STORIES" not in text
    assert "Nothing notable" in render_digest(digest, "html")


def _hook_config(url: str) -> str:
    return f"""
{CONSOLE}
[[channels]]
name = "hook"
kind = "webhook"
url = "{url}"

[digest]
at = "08:00"
channels = ["hook"]
"""


def test_cli_send_twice_delivers_once(make_app, endpoint: Endpoint, tmp_path: Path) -> None:
    app = make_app(_hook_config(endpoint.url))
    ingest(app, "Article 370 verdict day", "The court ruled on Article 370 in New Delhi.")
    app.close()

    def run(*args: str, code: int = 0) -> str:
        result = CliRunner().invoke(cli, ["--config", str(tmp_path / "monitor.toml"), *args])
        assert result.exit_code == code, result.output
        return result.output

    assert "hook: sent" in run("digest", "--date", "2024-03-10", "--send")
    assert "hook: already-sent" in run("digest", "--date", "2024-03-10", "--send")
    assert len(endpoint.requests) == 1
    body = endpoint.bodies()[0]
    assert body["event"] == "digest" and body["digest"]["day"] == "2024-03-10"
    assert body["digest"]["stories"][0]["headline"]["title"] == "Article 370 verdict day"
    assert "hook: sent" in run("digest", "--date", "2024-03-10", "--send", "--force")
    assert len(endpoint.requests) == 2
    assert "no such channel" in run("digest", "--send", "--channel", "nope", code=2)
    assert "go with --send" in run("digest", "--force", code=2)
    out = tmp_path / "d.html"
    run("digest", "--date", "2024-03-10", "--format", "html", "--out", str(out))
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_daemon_sends_at_the_hour_or_later_the_same_day_only(make_app,
                                                             endpoint: Endpoint) -> None:
    app = make_app(_hook_config(endpoint.url))  # Asia/Kolkata, UTC+05:30

    def ist(d: int, h: int, m: int) -> datetime:
        return datetime.fromisoformat(f"2024-03-{d:02d}T{h:02d}:{m:02d}:00+05:30")

    send_due_digest(app, ist(11, 7, 59))
    assert not endpoint.requests  # before 08:00
    send_due_digest(app, ist(11, 15, 0))  # down at 08:00, back at 15:00: sends
    send_due_digest(app, ist(11, 15, 1))
    assert len(endpoint.requests) == 1
    assert endpoint.bodies()[0]["digest"]["day"] == "2024-03-10"
    # down all of the 12th and back on the 13th at 09:00: the 12th's digest, not the 11th's
    send_due_digest(app, ist(13, 9, 0))
    assert [b["digest"]["day"] for b in endpoint.bodies()] == ["2024-03-10", "2024-03-12"]
    assert app.store.digest_record("2024-03-11", "hook") is None


def test_alerts_json_lists_the_product_fields(make_app, tmp_path: Path) -> None:
    app = make_app(CONSOLE + '[[alerts]]\nname = "a370"\nconcepts = ["Article 370"]\n'
                   'channels = ["console"]\n')
    ingest(app, "Article 370 verdict day", "The court ruled on Article 370 in New Delhi.")
    app.close()
    args = ["--config", str(tmp_path / "monitor.toml"), "alerts"]
    rows = json.loads(CliRunner().invoke(cli, [*args, "--pending", "--json"]).output)
    assert [r["status"] for r in rows] == ["pending"]
    assert set(rows[0]) >= {"id", "rule", "channel", "article_id", "story_id", "status",
                            "attempts", "created_at", "sent_at", "last_error"}
    sent = CliRunner().invoke(cli, [*args, "send"])
    assert "sent 1," in sent.output and "== [a370] Article 370 verdict day" in sent.output
    rows = json.loads(CliRunner().invoke(cli, [*args, "--rule", "a370", "--json"]).output)
    assert rows[0]["status"] == "sent" and rows[0]["sent_at"]


def test_markdown_links_render_whatever_the_url(make_app) -> None:
    # `[title](<url>)` broke on a URL with `>` (the link ended there) and a title with
    # `]`: the desk saw raw brackets, or a link to half the address.
    from urllib.parse import unquote

    from markdown_it import MarkdownIt

    app = make_app(CONSOLE)
    cases = {  # url -> title
        "https://n.example/a?q=<370>&s=1": "Article 370 [live] verdict in Srinagar",
        "https://n.example/b/Article 370 ruling.html": "Article 370 ruling] read in Poonch",
        "https://n.example/c/Kashmir_(region)": "Article 370 (explainer) for Kupwara [1]",
        "https://n.example/d\\e/\"x\"": "Article 370 petition heard in Baramulla",
    }
    for i, (url, title) in enumerate(cases.items()):
        place = title.split(" in ")[-1].split(" for ")[-1].split(" read")[0]
        ingest(app, title, f"Residents of {place} spoke about Article 370 on day {i} of "
               f"the hearings, officials in {place} said.", url=url)
    digest = build_digest(app, date(2024, 3, 10))
    assert {s.headline.url for s in digest.stories} == set(cases)
    tokens = MarkdownIt("commonmark").parse(render_digest(digest, "markdown"))
    links: dict[str, str] = {}
    href: str | None = None
    for token in (c for t in tokens for c in t.children or ()):
        if token.type == "link_open":
            href, text = unquote(str(token.attrGet("href"))), ""
        elif token.type == "text" and href is not None:
            text += token.content
        elif token.type == "link_close":
            links[href] = text
            href = None
    assert links == cases
