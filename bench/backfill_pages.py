"""Generated news pages and texts for the backfill benchmark and tests (issues 2 and 8).

Written for the project, no corpus text: each article is built from a seeded
random generator, with enough vocabulary (made-up place and person names, numbers,
varied sentence frames) that two articles are not near-duplicates of each other,
and about one in four mentions the taxonomy's topic.

`article_html` wraps an article in the markup of a real news site (about 80 KB by
default): a header with a logo and a search form, a mega-menu, breadcrumbs, share
buttons, an inline script and style, a related-links block, a comments teaser and a
footer with dozens of links, so that main-text extraction works as hard as on a
real page.
"""

from __future__ import annotations

import html
import json
import random
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = ["Article", "article_html", "make_article"]

_SYLLABLES = ("ka", "ri", "man", "tor", "lo", "vel", "sun", "dar", "pa", "ne", "shi", "ro",
              "gul", "bat", "mir", "zan", "hel", "qu", "das", "ben", "tar", "fi", "om", "ush")
_SUBJECTS = ("The district council", "Officials in {place}", "Residents of {place}",
             "The transport ministry", "A spokesperson for {person}", "Traders in {place}",
             "The high court", "Teachers from {place}", "Farmers near {place}",
             "The water board", "Police in {place}", "{person}, a local engineer,")
_VERBS = ("said on {day} that", "announced that", "warned that", "confirmed that",
          "told reporters that", "argued that", "denied reports that", "expects that")
_CLAIMS = ("the {thing} would reopen within {n} days", "{n} families had been moved from "
           "{place}", "the budget for {thing} rose to {n} crore", "work on the {thing} near "
           "{place} was delayed by {n} weeks", "a committee of {n} members would review "
           "the {thing}", "{person} would visit {place} to inspect the {thing}",
           "prices of {thing} in {place} fell by {n} percent")
_THINGS = ("bridge", "highway", "hospital wing", "school", "power station", "market",
           "tunnel", "rail link", "water scheme", "orchard survey", "bus depot", "library")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_TOPIC = ("Officials in Srinagar discussed the effect of Article 370 on {thing} projects.",
          "Shelling along the Line of Control was reported near {place} in Kupwara.",
          "The Jammu and Kashmir administration said the {thing} in Ladakh would open soon.",
          "Leaders in Muzaffarabad said {person} would raise the Kashmir issue again.")


@dataclass(frozen=True)
class Article:
    """One generated article: its text paragraphs and metadata."""

    number: int
    title: str
    published: date
    paragraphs: tuple[str, ...]
    author: str

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


def _name(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(parts)).capitalize()


def _sentence(rng: random.Random) -> str:
    fill = {"place": _name(rng, rng.randint(2, 3)) + rng.choice(("pur", "abad", "gam", "kot")),
            "person": f"{_name(rng, 2)} {_name(rng, 3)}", "thing": rng.choice(_THINGS),
            "n": rng.randint(2, 950), "day": rng.choice(_DAYS)}
    subject = rng.choice(_SUBJECTS).format(**fill)
    verb = rng.choice(_VERBS).format(**fill)
    claim = rng.choice(_CLAIMS).format(**fill)
    return f"{subject} {verb} {claim}."


def make_article(number: int, start: date = date(2024, 1, 1), words: int = 600,
                 on: date | None = None) -> Article:
    """Article `number`, the same every time; dated `on`, else one a day from `start`
    (cycling a year)."""
    rng = random.Random(number * 7919 + 17)
    on_topic = number % 4 == 0
    paragraphs: list[str] = []
    count = 0
    while count < words:
        sentences = [_sentence(rng) for _ in range(rng.randint(2, 4))]
        if on_topic and rng.random() < 0.3:
            sentences.insert(1, rng.choice(_TOPIC).format(
                thing=rng.choice(_THINGS), place=_name(rng, 3), person=_name(rng, 3)))
        paragraph = " ".join(sentences)
        paragraphs.append(paragraph)
        count += len(paragraph.split())
    title = f"{_name(rng, 3)} {rng.choice(_THINGS)} plan {rng.choice(('stalls', 'moves', 'wins'))}"
    title += f" as {_name(rng, 2)} {rng.choice(('waits', 'objects', 'agrees'))}"
    when = on or start + timedelta(days=number % 365)
    return Article(number, title, when, tuple(paragraphs),
                   f"{_name(rng, 2)} {_name(rng, 3)}")


def _links(rng: random.Random, count: int, prefix: str) -> str:
    return "".join(f'<li><a href="/{prefix}/{_name(rng, 2).lower()}-{i}">{_name(rng, 3)} '
                   f"{rng.choice(_THINGS)}</a></li>" for i in range(count))


def _script(rng: random.Random, size: int) -> str:
    """An inline ad-configuration script of about `size` bytes (pages carry such blobs)."""
    slots: list[dict[str, object]] = []
    length = 0
    while length < size - 60:
        slot = {"slot": f"div-gpt-{len(slots)}", "sizes": [[300, 250], [728, 90]],
                "targeting": {"section": _name(rng, 2), "k": _name(rng, 4)}}
        slots.append(slot)
        length += len(json.dumps(slot)) + 2
    return f"<script>window.__SITE_CONFIG__ = {json.dumps({'ads': slots})};</script>"


def article_html(article: Article, url: str, *, size: int = 80_000) -> str:
    """A full news page around `article`, padded with site chrome to about `size` bytes."""
    rng = random.Random(article.number)
    e = html.escape
    published = f"{article.published.isoformat()}T09:30:00+05:30"
    body = "".join(f"<p>{e(p)}</p>" for p in article.paragraphs)
    head = (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{e(article.title)} | The Valley Ledger</title>"
            f'<link rel="canonical" href="{e(url)}">'
            f'<meta property="og:title" content="{e(article.title)}">'
            f'<meta property="article:published_time" content="{published}">'
            f'<meta name="author" content="{e(article.author)}">'
            "<style>body{font-family:serif}.nav li{display:inline}.ad{min-height:250px}"
            "</style></head>")
    chrome_top = ('<body><header class="site-header"><a class="logo" href="/">The Valley '
                  'Ledger</a><form action="/search"><input name="q"></form>'
                  f'<nav class="nav"><ul>{_links(rng, 40, "section")}</ul></nav></header>'
                  '<div class="breadcrumbs"><a href="/">Home</a> / <a href="/news">News</a>'
                  "</div>")
    story = (f'<main><article><h1>{e(article.title)}</h1><div class="byline">By '
             f'{e(article.author)} <time datetime="{published}">'
             f"{article.published:%d %B %Y}</time></div>"
             '<div class="share"><a href="#">Share</a> <a href="#">Tweet</a></div>'
             f'<div class="story-body">{body}</div></article>'
             f'<aside class="related"><h2>Related</h2><ul>{_links(rng, 12, "news")}</ul>'
             '</aside><section class="comments"><h2>Comments</h2><p>Sign in to comment.'
             "</p></section></main>")
    footer = (f'<footer><ul class="footer-links">{_links(rng, 60, "about")}</ul>'
              "<p>Contact: desk@valley-ledger.example | +91 194 000 0000</p>"
              "<p>© 2024 The Valley Ledger. All rights reserved.</p></footer>")
    page = head + chrome_top + story + footer
    padding = max(0, size - len(page) - 40)
    return page + _script(rng, padding) + "</body></html>"
