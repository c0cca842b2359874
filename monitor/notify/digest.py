"""The daily digest: what a local calendar day brought, ranked and counted.

A day is a local calendar day in the monitor's zone (`timeutil.day_bounds`: a DST
day of 23 or 25 hours is still one day). Its articles are those published in it and
those of unknown date first seen in it (PRODUCT.md "Dates"). `build_digest` reads the
store and returns a frozen `Digest`; `render_digest` (render_digest.py) turns it into
text, HTML, Markdown or Slack's compact form.

Ranking (trade-off): stories by number of outlets that carried them that day, then
the best relevance among their articles, then the latest article; breadth of
coverage first, because that is what a desk most wants to know it missed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..timeutil import day_bounds, now_utc, parse_iso, to_utc_iso, zone
from .render import direction

if TYPE_CHECKING:
    from ..app import App

__all__ = [
    "ChartBar",
    "ConceptCount",
    "Digest",
    "Headline",
    "NewConcept",
    "SourceIssue",
    "StoryEntry",
    "build_digest",
]

CHART_DAYS = 14
BASELINE_DAYS = 7
TOP_CONCEPTS = 10
PERSON_KINDS = frozenset({"person"})
PLACE_KINDS = frozenset({"place", "region"})


@dataclass(frozen=True)
class Headline:
    title: str
    source: str
    url: str | None
    language: str | None
    dir: str  # rtl | auto


@dataclass(frozen=True)
class StoryEntry:
    id: int
    headline: Headline
    others: tuple[Headline, ...]  # other outlets' headlines, other languages first
    outlets: tuple[str, ...]
    articles: int
    relevance: float
    latest: str  # local time of its latest article that day
    concepts: tuple[str, ...]


@dataclass(frozen=True)
class ConceptCount:
    name: str
    kind: str
    count: int  # articles that day
    baseline: float  # mean articles a day over the previous 7 days
    change: float  # count - baseline


@dataclass(frozen=True)
class ChartBar:
    day: date
    label: str
    mentions: int
    height: int  # 0..100, share of the busiest day


@dataclass(frozen=True)
class NewConcept:
    name: str
    kind: str
    articles: int


@dataclass(frozen=True)
class SourceIssue:
    name: str
    status: str
    failures: int
    error: str
    last_success: str


@dataclass(frozen=True)
class Digest:
    day: date
    timezone: str
    topic: str
    generated_at: datetime
    articles: int  # every article of the day
    related: int  # those about the topic
    stories: tuple[StoryEntry, ...]  # the top ones, ranked
    more_stories: int  # how many more related stories were left out
    concepts: tuple[ConceptCount, ...]
    chart: tuple[ChartBar, ...]
    new_people: tuple[NewConcept, ...]
    new_places: tuple[NewConcept, ...]
    sources: tuple[SourceIssue, ...]

    @property
    def quiet(self) -> bool:
        """Nothing about the topic that day: the digest says so in a line."""
        return not self.stories

    @property
    def title(self) -> str:
        return f"{self.topic} digest for {self.day:%A %-d %B %Y}"


def _local_day(at: str | None, tz: str) -> date | None:
    moment = parse_iso(at)
    return None if moment is None else moment.astimezone(zone(tz)).date()


def _headline(a: dict[str, Any]) -> Headline:
    return Headline(a["title"] or "(untitled)", a["source"], a["url"], a["language"],
                    direction(a["language"]))


def _story(story_id: int, items: list[dict[str, Any]], tz: str) -> StoryEntry:
    firsts = [a for a in items if a["duplicate_of"] is None] or items
    lead = max(firsts, key=lambda a: (a["relevance"], -a["id"]))
    others: list[Headline] = []
    seen = {lead["title"]}
    for a in sorted(items, key=lambda a: (a["language"] == lead["language"], a["id"])):
        if a["title"] and a["title"] not in seen and len(others) < 3:
            seen.add(a["title"])
            others.append(_headline(a))
    concepts = Counter(c for a in items for c in a["concepts"])
    latest = max((a["published_utc"] or a["fetched_at"]) for a in items)
    return StoryEntry(
        id=story_id,
        headline=_headline(lead),
        others=tuple(others),
        outlets=tuple(sorted({a["source"] for a in items})),
        articles=len(items),
        relevance=round(max(a["relevance"] for a in items), 2),
        latest=(parse_iso(latest) or now_utc()).astimezone(zone(tz)).strftime("%H:%M"),
        concepts=tuple(c for c, _ in concepts.most_common(6)),
    )


def rank_stories(articles: Iterable[dict[str, Any]], tz: str) -> list[StoryEntry]:
    """Related articles grouped by story, widest coverage first (module doc)."""
    groups: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for a in articles:
        if a["related"]:
            groups[a["story_id"]].append(a)
    latest = {sid: max(a["published_utc"] or a["fetched_at"] for a in items)
              for sid, items in groups.items()}
    stories = [_story(sid, items, tz) for sid, items in groups.items()]
    stories.sort(key=lambda s: (latest[s.id], s.id), reverse=True)  # recency breaks ties
    return sorted(stories, key=lambda s: (-len(s.outlets), -s.relevance))


def _per_day(rows: list[dict[str, Any]], tz: str) -> tuple[dict[date, Counter[str]],
                                                          Counter[date]]:
    """Articles per concept per local day, and mentions per local day."""
    articles: dict[date, Counter[str]] = defaultdict(Counter)
    mentions: Counter[date] = Counter()
    for r in rows:
        day = _local_day(r["at"], tz)
        if day is not None:
            articles[day][r["concept"]] += 1
            mentions[day] += r["mentions"]
    return articles, mentions


def _concept_counts(day: date, per_day: dict[date, Counter[str]],
                    kind_of: dict[str, str]) -> tuple[ConceptCount, ...]:
    today = per_day.get(day, Counter())
    out = []
    for name, count in today.most_common(TOP_CONCEPTS):
        before = sum(per_day.get(day - timedelta(days=i), Counter())[name]
                     for i in range(1, BASELINE_DAYS + 1))
        baseline = round(before / BASELINE_DAYS, 1)
        out.append(ConceptCount(name, kind_of.get(name, ""), count, baseline,
                                round(count - baseline, 1)))
    return tuple(out)


def _chart(day: date, mentions: Counter[date]) -> tuple[ChartBar, ...]:
    days = [day - timedelta(days=i) for i in range(CHART_DAYS - 1, -1, -1)]
    top = max((mentions[d] for d in days), default=0) or 1
    return tuple(
        ChartBar(d, f"{d:%a} {d.day}", mentions[d],
                 max(2, round(100 * mentions[d] / top)) if mentions[d] else 0)
        for d in days
    )


def _local_text(at: str | None, tz: str, fallback: str) -> str:
    moment = parse_iso(at)
    return fallback if moment is None else moment.astimezone(zone(tz)).strftime("%Y-%m-%d %H:%M")


def _sources(rows: list[dict[str, Any]], tz: str) -> tuple[SourceIssue, ...]:
    return tuple(
        SourceIssue(
            name=r["name"], status=r["status"], failures=r["consecutive_failures"],
            error=(f"{r['last_error_kind']}: {r['last_error_message']}"
                   if r["last_error_kind"] else ""),
            last_success=_local_text(r["last_success_at"], tz, "never"),
        )
        for r in rows
    )


def build_digest(app: App, day: date, *, now: datetime | None = None,
                 top: int | None = None) -> Digest:
    """The digest of one local calendar day in the monitor's zone."""
    store, tz = app.store, app.settings.monitor.timezone
    lo, hi = day_bounds(day, tz)
    chart_lo = day_bounds(day - timedelta(days=CHART_DAYS - 1), tz)[0]
    articles = store.articles_between(to_utc_iso(lo) or "", to_utc_iso(hi) or "")
    stories = rank_stories(articles, tz)
    limit = top or app.settings.digest.top_stories
    rows = store.concept_mentions_between(to_utc_iso(chart_lo) or "", to_utc_iso(hi) or "")
    per_day, mentions = _per_day(rows, tz)
    taxonomy = app.taxonomy
    known = set(taxonomy.concept_names)
    kind_of = {c: taxonomy.kind_of(c) for c in per_day.get(day, Counter()) if c in known}
    new = _new_concepts(app, per_day.get(day, Counter()), kind_of, to_utc_iso(lo) or "")
    return Digest(
        day=day, timezone=tz, topic=taxonomy.topic,
        generated_at=(now or now_utc()).astimezone(UTC),
        articles=len(articles), related=sum(1 for a in articles if a["related"]),
        stories=tuple(stories[:limit]), more_stories=max(0, len(stories) - limit),
        concepts=_concept_counts(day, per_day, kind_of), chart=_chart(day, mentions),
        new_people=tuple(n for n in new if n.kind in PERSON_KINDS),
        new_places=tuple(n for n in new if n.kind in PLACE_KINDS),
        sources=_sources(store.sources_needing_attention(), tz),
    )


def _new_concepts(app: App, today: Counter[str], kind_of: dict[str, str],
                  before: str) -> list[NewConcept]:
    """People and places mentioned that day and never before it."""
    wanted = {c for c, k in kind_of.items() if k in PERSON_KINDS | PLACE_KINDS}
    seen = app.store.concepts_seen_before(wanted, before)
    return [NewConcept(c, kind_of[c], today[c]) for c in sorted(wanted - seen)]
