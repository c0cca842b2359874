"""What an alert, a storm summary or a health alert says, in every channel's form.

Pure: the dispatcher reads the rows and the article from the store and passes them
in. An alert shows the headline, outlet, time, concepts (the rule's first), a
snippet around the mention that matched, the link and the story's coverage as it is
when the alert goes out (later copies raise the count, not another alert).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from ..config import AlertRule
from .message import Message
from .render import local_time, mrkdwn, mrkdwn_link, render

__all__ = ["Notice", "alert_message", "idempotency_key", "notice_message", "snippet"]

BEFORE, AFTER = 140, 180  # characters of context around the mention
# Slack refuses (HTTP 400, a permanent failure) a section whose text passes 3000
# characters, and a headline from the open web can be any length: Slack gets a
# clipped one, the link still leads to the whole article.
SLACK_TITLE, SLACK_SECTION = 300, 3000


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def idempotency_key(row: dict[str, Any]) -> str:
    """Stable for one outbox row: its id and a hash of its dedupe key."""
    digest = hashlib.sha256(row["dedupe_key"].encode("utf-8")).hexdigest()[:12]
    return f"monitor-{row['id']}-{digest}"


def _pick_mention(mentions: list[dict[str, Any]], wanted: set[str]) -> dict[str, Any] | None:
    def rank(m: dict[str, Any]) -> tuple[int, int]:
        return (m["concept"].casefold() not in wanted, m["field"] != "text")

    return min(mentions, key=rank, default=None)


def snippet(article: dict[str, Any], concepts: tuple[str, ...]) -> dict[str, str]:
    """`{before, hit, after}`: the sentence of the best mention, cut around it."""
    m = _pick_mention(article["mentions"], {c.casefold() for c in concepts})
    if m is None:
        text = " ".join(article["text"].split())
        return {"before": "", "hit": "", "after": text[:BEFORE + AFTER]}
    sentence = " ".join(m["sentence"].split())
    at = sentence.find(m["surface"])
    if at < 0:
        return {"before": sentence[:BEFORE] + " … ", "hit": m["surface"], "after": ""}
    before, after = sentence[:at], sentence[at + len(m["surface"]):]
    if len(before) > BEFORE:
        before = "…" + before[-BEFORE:].split(" ", 1)[-1]
    if len(after) > AFTER:
        after = after[:AFTER].rsplit(" ", 1)[0] + "…"
    return {"before": before, "hit": m["surface"], "after": after}


def _alert_fields(article: dict[str, Any], rule_name: str, rule: AlertRule | None,
                  tz: str) -> dict[str, Any]:
    wanted = rule.concepts if rule else ()
    first = [c for c in article["concepts"] if c.casefold() in {w.casefold() for w in wanted}]
    when = article["published"]
    return {
        "rule": rule_name,
        "title": article["title"] or "(untitled)",
        "url": article["url"],
        "source": article["source"],
        "language": article["language"],
        "time": local_time(when, tz) if when else
        f"first seen {local_time(article['fetched_at'], tz)}",
        "concepts": first + [c for c in article["concepts"] if c not in first],
        "snippet": snippet(article, wanted),
        "coverage": article["coverage"],
    }


def _alert_blocks(a: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    s = a["snippet"]
    quote = mrkdwn(s["before"]) + (f"*{mrkdwn(s['hit'])}*" if s["hit"] else "") \
        + mrkdwn(s["after"])
    cov = a["coverage"]
    context = (f"Concepts: {mrkdwn(', '.join(a['concepts']) or '-')} · Coverage: "
               f"{cov['articles']} report(s) from {cov['outlets']} outlet(s) · "
               f"Rule: {mrkdwn(a['rule'])}")
    title, byline = _clip(a["title"], SLACK_TITLE), f"{mrkdwn(a['source'])} · {a['time']}"
    head = f"*{mrkdwn_link(a['url'], title)}*\n{byline}"
    if len(head) > SLACK_SECTION:  # a monstrous URL: the headline without its link
        head = _clip(f"*{mrkdwn_link(None, title)}*\n{byline}", SLACK_SECTION)
    return (
        {"type": "section", "text": {"type": "mrkdwn", "text": head}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "> " + quote}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": context}]},
    )


def alert_message(row: dict[str, Any], article: dict[str, Any], rule: AlertRule | None,
                  tz: str) -> Message:
    """The message for one alert row about one stored article."""
    a = _alert_fields(article, row["rule"], rule, tz)
    data = {
        "delivery_id": row["id"], "rule": row["rule"], "channel": row["channel"],
        "article": {k: article[k] for k in ("id", "title", "url", "source", "published",
                                            "language", "story_id")}
        | {"concepts": a["concepts"], "snippet": "".join(a["snippet"].values())},
        "coverage": a["coverage"],
    }
    return Message(
        kind="alert",
        key=idempotency_key(row),
        subject=f"[{row['rule']}] {a['title']}",
        text=render("alert.txt.j2", a=a),
        html=render("alert.html.j2", a=a),
        slack_text=mrkdwn(f"{_clip(a['title'], SLACK_TITLE)} ({a['source']}, alert rule "
                          f"{row['rule']})"),
        blocks=_alert_blocks(a),
        data=data,
    )


@dataclass(frozen=True)
class Notice:
    """A short message about the service itself: a storm summary, a source's health."""

    title: str
    body: str
    command: str = ""


def notice_message(row: dict[str, Any], notice: Notice, data: dict[str, Any]) -> Message:
    text = f"*{mrkdwn(notice.title)}*\n{mrkdwn(notice.body)}"
    if notice.command:
        text += f"\n`{mrkdwn(notice.command)}`"
    return Message(
        kind=row["kind"],
        key=idempotency_key(row),
        subject=f"[monitor] {notice.title}",
        text=render("notice.txt.j2", n=notice),
        html=render("notice.html.j2", n=notice),
        slack_text=mrkdwn(notice.title),
        blocks=({"type": "section", "text": {"type": "mrkdwn", "text": text}},),
        data={"delivery_id": row["id"], "channel": row["channel"], **data},
    )
