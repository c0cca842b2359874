"""Commands that deliver: `monitor alerts`, `monitor alerts send`, `monitor digest`."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import click

from ..app import App
from ..errors import MonitorError, UsageError
from ..notify import build_digest, dispatch_pending, render_digest, send_digest
from ..notify.digest import BASELINE_DAYS, CHART_DAYS
from ..timeutil import now_utc, zone
from .group import cli, pass_app
from .output import echo_json, json_option, option_date

__all__ = ["alerts", "digest"]


@cli.group(invoke_without_command=True)
@click.option("--pending", is_flag=True, help="Only deliveries not yet sent (or in flight).")
@click.option("--rule", help="Only this alert rule's deliveries (`source-health` for health).")
@click.option("--limit", type=click.IntRange(1, 100000), default=200, show_default=True)
@json_option
@click.pass_context
def alerts(ctx: click.Context, pending: bool, rule: str | None, limit: int,
           as_json: bool) -> None:
    """List alert deliveries, newest first; `monitor alerts send` delivers what is due.

    Status: pending, sent, failed (gave up; last_error says why) or suppressed (held
    back by storm control; one summary row, without article, reported them).
    """
    if ctx.invoked_subcommand is None:
        _list_alerts(pending=pending, rule=rule, limit=limit, as_json=as_json)


@pass_app
def _list_alerts(app: App, *, pending: bool, rule: str | None, limit: int,
                 as_json: bool) -> None:
    rows = app.store.deliveries(pending=pending, rule=rule, limit=limit)
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo("no alert deliveries")
    for r in rows:
        click.echo(_alert_line(r))


def _alert_line(r: dict[str, Any]) -> str:
    what = f"article #{r['article_id']}" if r["article_id"] else r["kind"]
    when = r["sent_at"] or r["created_at"]
    line = (f"#{r['id']:<6} {r['status']:<10} {r['rule'] or '-':<22} {r['channel']:<14} "
            f"{what:<16} attempts {r['attempts']}  {when}")
    if r["last_error"] and r["status"] != "sent":
        line += f"\n        last error ({r['last_error']['kind']}): {r['last_error']['message']}"
    return line


@alerts.command("send")
@pass_app
def alerts_send(app: App) -> None:
    """Deliver what is pending now (alerts, summaries, health alerts, digests to retry)."""
    report = dispatch_pending(app)
    click.echo(f"sent {report.sent}, retrying later {report.retrying}, failed {report.failed}, "
               f"suppressed {report.suppressed}, recovered after a crash {report.recovered}")


def _day(app: App, value: str | None) -> date:
    tz = app.settings.monitor.timezone
    if value is None:
        return now_utc().astimezone(zone(tz)).date() - timedelta(days=1)
    moment = option_date(value, tz, "--date")
    assert moment is not None
    day = moment.astimezone(zone(tz)).date()
    looks_back = max(CHART_DAYS, BASELINE_DAYS) + 1  # and a day for the zone's offset
    if day < date.min + timedelta(days=looks_back):
        raise UsageError(f"--date {value}: too early (the digest looks at the "
                         f"{looks_back - 1} days before it)")
    return day


@cli.command()
@click.option("--date", "day", help="The local day (YYYY-MM-DD) [default: yesterday].")
@click.option("--format", "fmt", type=click.Choice(["text", "html", "markdown"]),
              default="text", show_default=True, help="Preview format.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the preview to this file instead of stdout.")
@click.option("--send", is_flag=True, help="Deliver to the digest channels (once per day).")
@click.option("--channel", "channels", multiple=True, metavar="NAME",
              help="With --send: only this channel (repeatable) [default: [digest].channels].")
@click.option("--force", is_flag=True, help="With --send: send again even if already sent.")
@pass_app
def digest(app: App, day: str | None, fmt: str, out: Path | None, send: bool,
           channels: tuple[str, ...], force: bool) -> None:
    """Build the digest of a local calendar day; preview it, or deliver it with --send."""
    if (channels or force) and not send:
        raise UsageError("--channel and --force go with --send")
    when = _day(app, day)
    built = build_digest(app, when)
    if out is not None or not send:
        text = render_digest(built, fmt)
        if out is None:
            click.echo(text, nl=False)
        else:
            try:
                out.write_text(text, encoding="utf-8")
            except OSError as e:
                raise UsageError(f"--out {out}: cannot write: {e.strerror or e}") from None
            click.echo(f"wrote the {fmt} digest of {when} to {out}", err=send)
    if not send:
        return
    outcomes = send_digest(app, when, channels=channels or None, force=force, digest=built)
    for o in outcomes:
        click.echo(f"{when} {o.channel}: {o.status}" + (f" ({o.detail})" if o.detail else ""))
    if any(o.status == "failed" for o in outcomes):
        raise MonitorError("the digest could not be delivered on every channel (see above)")
