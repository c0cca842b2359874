"""Feed documents for tests and the bench: distinct items, so dedupe keeps each one."""

from __future__ import annotations

import random
from xml.sax.saxutils import escape

__all__ = ["WORDS", "article_page", "rss", "summary"]

WORDS = (
    "the", "council", "met", "on", "tuesday", "to", "discuss", "water", "supply", "budget",
    "schools", "roads", "hospital", "farmers", "market", "prices", "rain", "harvest",
    "teachers", "students", "bridge", "railway", "station", "police", "court", "ruling",
    "election", "campaign", "district", "officials", "said", "residents", "protest", "power",
    "cuts", "tourism", "season", "hotels", "airport", "flights", "traders", "union", "strike",
    "talks", "minister", "visit", "plan", "report", "survey", "health", "workers", "vaccine",
    "clinic", "village", "youth", "sports", "league", "final", "match", "festival", "music",
    "heritage", "museum", "river", "flood", "warning", "snow", "highway", "closed", "traffic",
)


def summary(seed: str, words: int = 100) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def rss(prefix: str, n: int, *, words: int = 100, link_base: str = "http://news.example",
        title: str = "Test feed", encoding: str = "utf-8", language: str | None = None) -> str:
    items = []
    for i in range(n):
        key = f"{prefix}-{i}"
        items.append(
            f"<item><guid>{key}</guid><link>{link_base}/{prefix}/story-{i}-{key}</link>"
            f"<title>{escape(summary(key + 't', 8))}</title>"
            f"<description>{escape('<p>' + summary(key, words) + '</p>')}</description>"
            f"<pubDate>Mon, 02 Nov 2026 {i % 24:02d}:00:00 +0000</pubDate></item>"
        )
    return (f'<?xml version="1.0" encoding="{encoding}"?>\n<rss version="2.0"><channel>'
            f"<title>{title}</title>"
            + (f"<language>{language}</language>" if language else "")
            + f"{''.join(items)}</channel></rss>\n")


def article_page(title: str, text: str) -> str:
    paras = "".join(f"<p>{escape(p)}</p>" for p in text.split("\n\n"))
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title>"
            f"</head><body><nav>Home | World | Sport</nav><article><h1>{escape(title)}</h1>"
            f"{paras}</article><footer>Contact us</footer></body></html>")
