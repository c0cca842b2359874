"""`monitor backfill`: load history from files, folders, URL lists, feeds and archives."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from ..app import App
from ..backfill import BackfillOptions, Summary, run_backfill
from ..errors import UsageError
from ..process import settle_heap
from .group import cli, pass_app
from .output import echo_json, option_date


class _Progress:
    """A rich progress bar on a terminal; a plain line every few seconds otherwise."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.bar = None
        self.task = None
        self.started = time.monotonic()
        self.last = self.started  # plain lines only for runs longer than a few seconds

    def __call__(self, summary: Summary, total: int | None) -> None:
        if self.tty:
            if self.bar is None:
                from rich.console import Console
                from rich.progress import (
                    BarColumn,
                    MofNCompleteColumn,
                    Progress,
                    TextColumn,
                    TimeRemainingColumn,
                )

                # On stderr, the terminal tested above: stdout holds the result (--json).
                self.bar = Progress(TextColumn("backfill"), BarColumn(), MofNCompleteColumn(),
                                    TextColumn("{task.fields[rate]}/s"), TimeRemainingColumn(),
                                    TextColumn("new {task.fields[new]}"), transient=True,
                                    console=Console(stderr=True))
                self.bar.start()
                self.task = self.bar.add_task("backfill", total=total, rate=0, new=0)
            rate = int(summary.read / max(time.monotonic() - self.started, 1e-6))
            self.bar.update(self.task, completed=summary.read, total=total, rate=rate,
                            new=summary.new)
            return
        now = time.monotonic()
        if now - self.last >= 5:
            self.last = now
            rate = summary.read / max(now - self.started, 1e-6)
            click.echo(f"backfill: {summary.read}/{total or '?'} read, {summary.new} new, "
                       f"{len(summary.failed)} failed ({rate:.0f}/s)", err=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


@cli.command()
@click.argument("inputs", nargs=-1)
@click.option("--urls", "urls_file", type=click.Path(dir_okay=False),
              help="A file of URLs, one a line.")
@click.option("--since", help="Only articles published on or after (YYYY-MM-DD).")
@click.option("--until", help="Only articles published on or before (inclusive).")
@click.option("--source", help="Source name for inputs that name none.")
@click.option("--alerts", is_flag=True, help="Queue alerts for matching articles (off by default).")
@click.option("--jobs", type=click.IntRange(1, 64), help="Worker processes [default: cores].")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@pass_app
def backfill(app: App, inputs: tuple[str, ...], urls_file: str | None, since: str | None,
             until: str | None, source: str | None, alerts: bool, jobs: int | None,
             as_json: bool) -> None:
    """Load history: folders, .txt/.html/.jsonl/.warc(.gz) files, URLs.

    A URL may be a feed, a sitemap or sitemap index (news sitemaps too), a site's
    root (its robots.txt `Sitemap:` lines are read) or an article page; fetches
    follow the [fetch] rules (politeness, robots.txt, private addresses).

    Safe to interrupt and run again with the same arguments: it continues where it
    stopped. Never sends alerts unless --alerts.
    """
    items = list(inputs)
    if urls_file:
        try:
            # utf-8-sig: a list saved by Notepad or Excel starts with a BOM, which would
            # stick to the first URL and make it "no such file or folder".
            lines = Path(urls_file).read_text(encoding="utf-8-sig").splitlines()
        except OSError as e:
            raise UsageError(f"--urls {urls_file}: cannot read: {e.strerror or e}") from None
        except UnicodeDecodeError as e:  # a traceback otherwise
            raise UsageError(f"--urls {urls_file}: not UTF-8 text (byte {e.start})") from None
        items += [u.strip() for u in lines if u.strip() and not u.lstrip().startswith("#")]
    if not items:
        raise UsageError("backfill needs at least one input (a file, a folder or --urls FILE)")
    tz = app.settings.monitor.timezone
    options = BackfillOptions(
        inputs=tuple(items),
        since=option_date(since, tz, "--since"),
        until=option_date(until, tz, "--until", end_of_day=True),
        source=source,
        alerts=alerts,
        jobs=jobs,
    )
    progress = _Progress()
    settle_heap()
    try:
        summary = run_backfill(app, options, progress)
    finally:
        progress.close()
    if as_json:
        echo_json(summary.as_dict())
    else:
        _print_summary(summary)
    if summary.interrupted:
        sys.exit(130)
    nothing_read = summary.read == 0 or (
        len(summary.failed) >= summary.read and not sum(summary.outcomes.values())
        and not sum(summary.skipped.values()))
    if nothing_read and summary.failed:
        sys.exit(1)


def _print_summary(summary: Summary) -> None:
    d = summary.as_dict()
    skipped = sum(summary.skipped.values())
    click.echo(f"read {d['read']}, new {d['new']}, updated {d['updated']}, duplicates "
               f"{d['duplicates']}, unchanged {d['unchanged']}, skipped {skipped}, failed "
               f"{len(summary.failed)} in {d['seconds']}s")
    for reason, n in sorted(summary.skipped.items()):
        click.echo(f"  skipped {n}: {reason}")
    if summary.failed_by:
        reasons = ", ".join(f"{k} {n}" for k, n in summary.failed_by.most_common())
        click.echo(f"  failed by reason: {reasons}")
    if summary.fetches:
        click.echo(f"  {summary.fetches} HTTP request(s)")
    for where, reason in summary.failed[:50]:
        click.echo(f"  failed: {where}: {reason}")
    if len(summary.failed) > 50:
        click.echo(f"  ... and {len(summary.failed) - 50} more failures")
    if summary.alerts:
        click.echo(f"  {summary.alerts} alert(s) queued")
    if summary.interrupted:
        click.echo("interrupted: run the same command again to continue where it stopped")
