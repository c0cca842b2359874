"""Running the service: run (the daemon), fetch, sources (pause/resume), status."""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

import click

from ..app import App
from ..errors import UsageError
from ..fetch import Fetcher
from ..timeutil import now_utc, parse_iso
from .group import _Lazy, cli, pass_app
from .output import echo_json, json_option

__all__ = ["source_record"]


@cli.command()
@click.pass_context
def run(ctx: click.Context) -> None:
    """The daemon: poll every source on its schedule, dispatch alerts, send the digest.

    Reloads the configuration on SIGHUP; stops cleanly on SIGTERM or SIGINT. A second
    daemon on the same database refuses to start (exit 1).
    """
    from ..daemon import Daemon
    from ..errors import ConfigError, MonitorError
    from ..process import settle_heap

    lazy: _Lazy = ctx.find_object(_Lazy)  # type: ignore[assignment]
    logging.getLogger("monitor").setLevel(min(logging.getLogger().level, logging.INFO))
    try:
        daemon = Daemon(lazy.config, lazy.db)
    except ConfigError as e:
        click.echo(f"Error: {e}", err=True)
        raise SystemExit(2) from None
    except MonitorError as e:
        click.echo(f"Error: {e}", err=True)
        raise SystemExit(1) from None
    settle_heap()
    daemon.run()
    sys.stdout.flush()
    sys.stderr.flush()
    logging.shutdown()
    # Worker threads still blocked on a slow request would be joined at interpreter
    # exit; everything is written and closed, so leave now (the 10 s stop promise).
    os._exit(daemon.exit_code)


@cli.command()
@click.option("--source", "names", multiple=True, metavar="NAME",
              help="Only this source (repeatable).")
@click.option("--no-alerts", is_flag=True, help="Queue no alerts for what this cycle finds.")
@pass_app
def fetch(app: App, names: tuple[str, ...], no_alerts: bool) -> None:
    """One fetch cycle now over all sources (or those named), one line per source.

    Exits 0 even when some sources failed: their lines say why.
    """
    sources = list(app.settings.sources)
    if names:
        unknown = [n for n in names if app.settings.source(n) is None]
        if unknown:
            known = ", ".join(s.name for s in sources) or "none configured"
            raise UsageError(f"--source: unknown source {', '.join(unknown)} (sources: {known})")
        sources = [s for s in sources if s.name in names]
    if not sources:
        click.echo("no sources configured (add [[sources]] to the configuration)")
        return
    fetcher = Fetcher(app, alerts=not no_alerts,
                      processes=(os.cpu_count() or 1) if len(sources) >= 20 else 0)
    try:
        results = fetcher.run_cycle(sources)
    finally:
        fetcher.close()
    for result in results:
        click.echo(result.line())
    queued = sum(r.alerts for r in results)
    if queued:
        click.echo(f"{queued} alert(s) queued: the daemon delivers them, or run "
                   "`monitor alerts send` now")


def source_record(row: dict[str, Any], last_log: dict[str, Any] | None) -> dict[str, Any]:
    """One source as `monitor sources --json` shows it (PRODUCT.md)."""
    error = None
    if row["last_error_kind"] and row["status"] != "ok":
        error = {"kind": row["last_error_kind"], "message": row["last_error_message"],
                 "at": row["last_error_at"]}
    warning = None
    if last_log and last_log.get("error_kind") is None and last_log.get("error_message"):
        warning = last_log["error_message"]
    return {
        "name": row["name"], "url": row["url"], "kind": row["kind"],
        "status": "paused" if row["paused"] else row["status"],
        "consecutive_failures": row["consecutive_failures"],
        "last_fetch_at": row["last_fetch_at"], "last_success_at": row["last_success_at"],
        "next_due_at": row["next_due_at"], "last_error": error, "articles": row["articles"],
        "configured_url": row["configured_url"], "redirected_from": row["redirected_from"],
        "redirect_pending": row["redirect_candidate"], "last_warning": warning,
    }


@cli.group(invoke_without_command=True)
@json_option
@click.pass_context
def sources(ctx: click.Context, as_json: bool) -> None:
    """Each source's health; `sources pause|resume NAME` stops or restarts one."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(_list_sources, as_json=as_json)


@pass_app
def _list_sources(app: App, as_json: bool) -> None:
    store = app.store
    store.sync_sources((s.name, s.url, s.kind) for s in app.settings.sources)
    logs = store.last_fetch_logs()
    rows = store.source_rows([s.name for s in app.settings.sources])
    records = [source_record(r, logs.get(r["name"])) for r in rows]
    if as_json:
        echo_json(records)
        return
    if not records:
        click.echo("no sources configured")
    for r in records:
        line = f"{r['name']:28} {r['status']:16} articles={r['articles']:<6} " \
               f"last ok {_ago(r['last_success_at'])}"
        if r["last_error"]:
            e = r["last_error"]
            line += f"  failures={r['consecutive_failures']} {e['kind']}: {e['message']}"
        click.echo(line)
        if r["redirected_from"]:
            click.echo(f"{'':28} moved: {r['redirected_from']} -> {r['url']}")
        if r["redirect_pending"]:
            click.echo(f"{'':28} permanent redirect seen, to be confirmed: "
                       f"{r['redirect_pending']}")
        if r["last_warning"]:
            click.echo(f"{'':28} warning: {r['last_warning']}")


def _ago(value: str | None) -> str:
    moment = parse_iso(value)
    if moment is None:
        return "never"
    seconds = int((now_utc() - moment).total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return f"{max(seconds, 0)}s ago"


def _pause(app: App, name: str, paused: bool) -> None:
    if app.settings.source(name) is None:
        known = ", ".join(s.name for s in app.settings.sources) or "none configured"
        raise UsageError(f"unknown source {name!r} (sources: {known})")
    app.store.sync_sources((s.name, s.url, s.kind) for s in app.settings.sources)
    app.store.set_paused(name, paused)
    click.echo(f"{name}: {'paused' if paused else 'resumed'}")


@sources.command()
@click.argument("name")
@pass_app
def pause(app: App, name: str) -> None:
    """Stop polling one source (kept across restarts)."""
    _pause(app, name, True)


@sources.command()
@click.argument("name")
@pass_app
def resume(app: App, name: str) -> None:
    """Poll one paused source again."""
    _pause(app, name, False)


@cli.command()
@json_option
@pass_app
def status(app: App, as_json: bool) -> None:
    """Is the daemon alive, when did each job last run, what needs attention.

    Exits 1 when no live daemon beats (used by Docker's HEALTHCHECK).
    """
    from ..daemon import daemon_status

    report = daemon_status(app)
    if as_json:
        echo_json(report)
    else:
        d = report["daemon"]
        state = "alive" if d["alive"] else "NOT RUNNING"
        click.echo(f"daemon     {state} (pid {d.get('pid', '-')}, last heartbeat "
                   f"{_ago(d.get('heartbeat_at'))})")
        for name, job in report["jobs"].items():
            if job:
                ok = "ok" if job["ok"] else f"FAILED: {job['error']}"
                click.echo(f"job        {name:18} last run {_ago(job['last_run'])} {ok}")
            else:
                click.echo(f"job        {name:18} never run")
        for name in report["sources_needing_attention"]:
            click.echo(f"attention  source {name} (see `monitor sources`)")
        for f in report["sources_failing"]:
            click.echo(f"failing    source {f['name']}: {f['error_kind']}: {f['error']} "
                       f"({f['failures']} in a row, last success "
                       f"{_ago(f['last_success_at'])})")
    if not report["healthy"]:
        raise SystemExit(1)
