"""Commands over the stored corpus: export, show, search, stories, stats, retag, prune."""

from __future__ import annotations

import csv
import json
import sys
from datetime import timedelta
from typing import Any

import click

from ..app import App
from ..errors import MonitorError
from ..store.corpus import EXPORT_FIELDS
from ..tagging import tag_article
from ..timeutil import day_bounds, now_utc, parse_iso, to_utc_iso, zone
from .group import cli, pass_app
from .output import echo_json, json_option, option_date, utf8_stdout


@cli.command()
@click.option("--since", help="Published on or after (YYYY-MM-DD or ISO time).")
@click.option("--until", help="Published on or before (inclusive).")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl",
              show_default=True)
@pass_app
def export(app: App, since: str | None, until: str | None, fmt: str) -> None:
    """Write every article (duplicates included) to stdout.

    With --since/--until, articles of unknown date are left out.
    """
    tz = app.settings.monitor.timezone
    lo = option_date(since, tz, "--since")
    hi = option_date(until, tz, "--until", end_of_day=True)
    records = app.store.export_records(to_utc_iso(lo), to_utc_iso(hi))
    out = utf8_stdout()
    if fmt == "jsonl":
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    for record in records:
        row: dict[str, Any] = dict(record)
        row["concepts"] = "; ".join(record["concepts"])
        row["mentions"] = json.dumps(record["mentions"], ensure_ascii=False)
        row["dedup"] = json.dumps(record["dedup"]) if record["dedup"] else ""
        row["kashmir_related"] = "true" if record["kashmir_related"] else "false"
        writer.writerow({k: "" if v is None else v for k, v in row.items()})


@cli.command()
@click.argument("article_id", metavar="ID", type=int)
@json_option
@pass_app
def show(app: App, article_id: int, as_json: bool) -> None:
    """One article in full, with its mentions and why it is a duplicate or in its story."""
    # SQLite integers are 64-bit: a longer id is no article, not an OverflowError.
    fits = -(2**63) <= article_id < 2**63
    record = app.store.article_record(article_id) if fits else None
    if record is None:
        raise MonitorError(f"no article with id {article_id} (see `monitor search` or `export`)")
    if as_json:
        echo_json(record)
        return
    echo = click.echo
    echo(f"#{record['id']}  {record['title'] or '(no title)'}")
    echo(f"  source     {record['source']}")
    echo(f"  url        {record['url']}")
    if record["canonical_url"] and record["canonical_url"] != record["url"]:
        echo(f"  canonical  {record['canonical_url']}")
    published = record["published"] or "unknown"
    echo(f"  published  {published}" + (f"  (from {record['published_from']})"
                                         if record["published_from"] else ""))
    echo(f"  first seen {record['fetched_at']}   language {record['language'] or '?'}"
         f"   version {record['version']}")
    if record["duplicate_of"]:
        d = record["dedup"]
        echo(f"  duplicate  of #{record['duplicate_of']} ({d['method']}, similarity "
             f"{_num(d['similarity'])})")
    echo(f"  coverage   {record['coverage']} cop{'y' if record['coverage'] == 1 else 'ies'}")
    story = record["story"]
    why = story["method"] or "new"
    if story["with_article"]:
        why += f" with #{story['with_article']}, similarity {_num(story['similarity'])}"
    echo(f"  story      #{record['story_id']} ({why})")
    echo(f"  related    {'yes' if record['kashmir_related'] else 'no'}   relevance "
         f"{record['relevance']:.2f}   concepts: {', '.join(record['concepts']) or '-'}")
    for m in record["mentions"]:
        echo(f"    - {m['concept']}: {m['surface']!r} in {m['field']} [{m['start']}:{m['end']}]"
             f"  «{m['sentence'][:160]}»")
    if record["problems"]:
        echo(f"  problems   {'; '.join(record['problems'])}")
    echo("")
    echo(record["text"])


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


@cli.command()
@click.argument("query")
@click.option("--concept", help="Only articles that mention this concept.")
@click.option("--since", help="Published on or after (YYYY-MM-DD).")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@json_option
@pass_app
def search(app: App, query: str, concept: str | None, since: str | None, limit: int,
           as_json: bool) -> None:
    """Full-text search over titles and texts; every word must appear."""
    lo = option_date(since, app.settings.monitor.timezone, "--since")
    hits = app.store.search(query, concept=concept, since_utc=to_utc_iso(lo), limit=limit)
    if as_json:
        echo_json(hits)
        return
    if not hits:
        click.echo("no matches")
    tz = zone(app.settings.monitor.timezone)
    for h in hits:
        day = parse_iso(h["published"]).astimezone(tz).date().isoformat() if h["published"] \
            else "?"
        click.echo(f"#{h['id']}  {day}  {h['source']}  {h['title'] or ''}")
        click.echo(f"    {h['snippet']}")


@cli.command()
@click.option("--date", "day", help="Stories active on this local day (YYYY-MM-DD).")
@click.option("--concept", help="Only stories with this concept.")
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
@json_option
@pass_app
def stories(app: App, day: str | None, concept: str | None, limit: int, as_json: bool) -> None:
    """Stories with their articles and outlets, the widest coverage first."""
    lo = hi = None
    if day:
        tz = app.settings.monitor.timezone
        start = option_date(day, tz, "--date")
        assert start is not None
        # A full time given with another offset names the monitor's local day it falls
        # on (as `digest --date` reads it), not the calendar date of that offset.
        lo_dt, hi_dt = day_bounds(start.astimezone(zone(tz)).date(), tz)
        lo, hi = to_utc_iso(lo_dt), to_utc_iso(hi_dt)
    rows = app.store.stories(since_utc=lo, until_utc=hi, concept=concept, limit=limit)
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo("no stories")
    for s in rows:
        click.echo(f"story #{s['id']}  {s['title'] or '(untitled)'}")
        click.echo(f"    {len(s['articles'])} article(s), {len(s['outlets'])} outlet(s): "
                   f"{', '.join(s['outlets'])}   concepts: {', '.join(s['concepts']) or '-'}")
        for a in s["articles"]:
            mark = f" (copy of #{a['duplicate_of']})" if a["duplicate_of"] else ""
            click.echo(f"      #{a['id']} {a['source']}: {a['title'] or a['url']}{mark}")


@cli.command()
@json_option
@pass_app
def stats(app: App, as_json: bool) -> None:
    """Corpus figures: articles, duplicates, stories, per concept and per source."""
    figures = app.store.stats()
    if as_json:
        echo_json(figures)
        return
    click.echo(f"articles {figures['articles']}  duplicates {figures['duplicates']}  "
               f"stories {figures['stories']}  related {figures['related']}  "
               f"undated {figures['undated']}")
    click.echo(f"published from {figures['first_published'] or '-'} to "
               f"{figures['last_published'] or '-'}")
    if figures["per_concept"]:
        click.echo("per concept:")
        for name, n in list(figures["per_concept"].items())[:30]:
            click.echo(f"  {n:6d}  {name}")
    if figures["per_source"]:
        click.echo("per source:")
        for name, f in figures["per_source"].items():
            click.echo(f"  {f['articles']:6d}  {name} ({f['duplicates']} duplicates)")


@cli.command()
@pass_app
def retag(app: App) -> None:
    """Re-tag the stored corpus after a taxonomy change (resumable: run it again)."""
    taxonomy, store = app.taxonomy, app.store
    done = 0
    for rows in store.iter_articles_for_retag(taxonomy.fingerprint):
        results = [(r["id"], tag_article(r["title"], r["text"], taxonomy)) for r in rows]
        store.apply_retag(results, taxonomy.fingerprint)
        done += len(results)
        if sys.stderr.isatty():
            click.echo(f"\rretagged {done}", err=True, nl=False)
    if sys.stderr.isatty() and done:
        click.echo("", err=True)
    click.echo(f"retagged {done} article(s) with taxonomy {taxonomy.fingerprint[:12]}")


@cli.command()
@click.option("--older-than", "days", type=click.IntRange(1), required=True,
              help="Delete articles published (or first seen, if undated) over DAYS ago.")
@pass_app
def prune(app: App, days: int) -> None:
    """Delete old articles with their mentions, index entries and versions."""
    before = to_utc_iso(now_utc() - timedelta(days=days))
    assert before is not None
    result = app.store.prune(before)
    click.echo(f"pruned {result['articles']} article(s) and {result['stories']} empty "
               f"stor{'y' if result['stories'] == 1 else 'ies'} older than {days} days")
