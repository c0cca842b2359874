"""Operating the service: check (and, as they arrive, run, fetch, sources, status, demo)."""

from __future__ import annotations

import click

from ..app import App
from ..config import resolve_secret
from ..errors import ConfigError
from .group import cli, pass_app

_SECRET_KEYS = ("webhook_url", "password", "username", "secret", "url")


@cli.command()
@pass_app
def check(app: App) -> None:
    """Validate the configuration and taxonomy and say what would run; exit 2 on error."""
    s = app.settings
    taxonomy = app.taxonomy  # loads and validates the taxonomy
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
        every = src.interval or s.fetch.interval
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
