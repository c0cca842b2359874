"""Operating the service: check the configuration, and the offline demo.

The daemon's commands (run, fetch, sources, status) are in `daemon_cmds.py`.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..app import App
from ..config import check_rule_concepts, resolve_secret
from ..errors import ConfigError
from .group import cli, pass_app

_SECRET_KEYS = ("webhook_url", "password", "username", "secret", "url")


@cli.command()
@pass_app
def check(app: App) -> None:
    """Validate the configuration and taxonomy and say what would run; exit 2 on error."""
    s = app.settings
    taxonomy = app.taxonomy  # loads and validates the taxonomy
    check_rule_concepts(s, taxonomy.concept_names)
    problems: list[str] = []
    for channel in s.channels:
        for key in _SECRET_KEYS:
            try:
                resolve_secret(s, channel, key)
            except ConfigError as e:
                problems.append(str(e))
    click.echo(f"configuration  {s.path or '(embedded defaults)'}")
    click.echo(f"database       {s.monitor.database}")
    click.echo(f"timezone       {s.monitor.timezone}")
    click.echo(f"taxonomy       {s.monitor.taxonomy} ({len(taxonomy.concept_names)} concepts)")
    click.echo(f"sources        {len(s.sources)}")
    for src in s.sources:
        every = s.interval_of(src)
        click.echo(f"  {src.name:24} {src.kind:8} every {every}  {src.url}")
    click.echo(f"channels       {', '.join(f'{c.name} ({c.kind})' for c in s.channels) or '-'}")
    for rule in s.alerts:
        what = ", ".join(rule.concepts) or ""
        if rule.query:
            what += f"{' + ' if what else ''}query {rule.query!r}"
        click.echo(f"alert rule     {rule.name}: {what or 'any related article'} "
                   f"(relevance >= {rule.min_relevance}) -> {', '.join(rule.channels)}")
    click.echo(f"digest         at {s.digest.at} -> {', '.join(s.digest.channels) or 'no channel'}")
    click.echo(f"health alerts  -> {', '.join(s.health.channels) or 'no channel'}")
    if problems:
        for p in problems:
            click.echo(f"Error: {p}", err=True)
        raise SystemExit(2)
    click.echo("ok")


@cli.command()
@click.option("--db", "demo_db", type=click.Path(dir_okay=False), default="data/demo.db",
              show_default=True, help="The demo's own database (recreated).")
@click.option("--digest", "digest_out", type=click.Path(dir_okay=False),
              default="data/demo-digest.html", show_default=True, help="Where the digest goes.")
@pass_app
def demo(app: App, demo_db: str, digest_out: str) -> None:
    """An offline tour: sample outlets on loopback, one full cycle, alerts and a digest.

    Serves the feeds and pages under data/samples/site on 127.0.0.1, fetches them into
    a separate database, prints the alerts (console channel) and writes today's digest.
    """
    from ..demo import run_demo

    click.echo("Serving four sample outlets on 127.0.0.1 and running one fetch cycle...")
    report = run_demo(Path(demo_db), Path(digest_out), app.settings.monitor.taxonomy,
                      app.settings.monitor.timezone)
    click.echo("")
    click.echo("Sources:")
    for result in report.results:
        click.echo(f"  {result.line()}")
    f = report.figures
    click.echo(f"\nCorpus: {f['articles']} articles, {f['duplicates']} duplicate(s), "
               f"{f['stories']} stories, {f['related']} related to the topic")
    click.echo(f"Alerts delivered to the console above: {report.alerts_sent}")
    click.echo(f"Digest written to {report.digest_path}")
    click.echo(f"Explore: monitor --db {demo_db} stories | search Kashmir | show 1 | export")
