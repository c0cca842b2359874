"""`monitor demo`: an offline tour of the whole service on sample outlets served on loopback.

The sample site (`data/samples/site/`, written for the project) has four fictional
outlets: an RSS feed, an Atom feed, a Hindi RSS feed and an Urdu JSON Feed, with
article pages carrying the usual navigation, cookie banner and footer. One wire story
runs in two outlets (a syndicated copy), one page is a Led Zeppelin look-alike, one
is unrelated sport. The demo serves them on 127.0.0.1, runs one real fetch cycle into
its own database, delivers the alerts to the console and writes today's digest.
"""

from __future__ import annotations

import mimetypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .app import App
from .config import Settings
from .fetch import Fetcher, SourceResult
from .notify import build_digest, dispatch_pending, render_digest
from .timeutil import now_utc, zone

__all__ = ["SITE", "DemoReport", "demo_settings", "run_demo", "serve_site"]

SITE = Path(__file__).resolve().parent.parent / "data" / "samples" / "site"

# (name, path on the site, timezone of its dates)
SOURCES = (
    ("valley-herald", "valley-herald/rss.xml", "Asia/Kolkata"),
    ("frontier-times", "frontier-times/atom.xml", "Asia/Karachi"),
    ("sarhad-samachar", "sarhad-samachar/rss.xml", "Asia/Kolkata"),
    ("wadi-news", "wadi-news/feed.json", "Asia/Karachi"),
)


# The oldest sample item, in hours before now (`{{ISO:-8}}`), with a margin.
OLDEST_HOURS = 9.0


def _hours_scale(timezone: str, now: datetime) -> float:
    """How much to shrink "N hours ago" so that every sample item is of the desk's
    current local day: the digest is today's, and in the first hours after local
    midnight "8 hours ago" would be yesterday (the demo's digest came out empty)."""
    local = now.astimezone(zone(timezone))
    since_midnight = (local - local.replace(hour=0, minute=0, second=0, microsecond=0))
    return min(1.0, since_midnight.total_seconds() / 3600 / OLDEST_HOURS)


def _fill(text: str, base: str, timezone: str = "UTC", now: datetime | None = None) -> str:
    """Replace `{{BASE}}`, `{{RFC822:-N}}` and `{{ISO:-N}}` (N hours ago, or less just
    after the desk's midnight: `_hours_scale`)."""
    now = (now or now_utc()).replace(microsecond=0)
    scale = _hours_scale(timezone, now)
    out, rest = [], text
    while "{{" in rest:
        head, _, tail = rest.partition("{{")
        token, _, rest = tail.partition("}}")
        out.append(head)
        if token == "BASE":
            out.append(base)
        else:
            kind, _, hours = token.partition(":")
            moment = now + timedelta(hours=float(hours or 0) * scale)
            out.append(format_datetime(moment) if kind == "RFC822" else moment.isoformat())
    out.append(rest)
    return "".join(out)


class _Handler(BaseHTTPRequestHandler):
    site: Path = SITE
    base: str = ""
    timezone: str = "UTC"  # the desk's: its local day is the digest's

    def do_GET(self) -> None:
        path = (self.site / self.path.split("?", 1)[0].lstrip("/")).resolve()
        if not path.is_file() or self.site.resolve() not in path.parents:
            self.send_error(404)
            return
        body = _fill(path.read_text(encoding="utf-8"), self.base, self.timezone).encode("utf-8")
        kind = {".xml": "application/xml", ".json": "application/feed+json"}.get(
            path.suffix, mimetypes.guess_type(path.name)[0] or "text/html")
        self.send_response(200)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the demo prints its own account


@contextmanager
def serve_site(site: Path = SITE, timezone: str = "UTC") -> Iterator[str]:
    """Serve the sample site on an ephemeral loopback port; yields its base URL.
    Its items are dated within the current local day of `timezone`."""
    handler = type("SiteHandler", (_Handler,), {"site": site, "timezone": timezone})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    handler.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="demo-site", daemon=True)
    thread.start()
    try:
        yield handler.base
    finally:
        server.shutdown()
        server.server_close()


def demo_settings(base: str, database: Path, taxonomy: Path, timezone: str) -> Settings:
    """A configuration for the sample outlets, alerting and digesting to the console."""
    return Settings.model_validate({
        "monitor": {"database": str(database), "taxonomy": str(taxonomy), "timezone": timezone,
                    "user_agent": "kashmir-monitor-demo/0.1"},
        "fetch": {"allow_private_addresses": True, "host_spacing": "50ms", "per_host": 4},
        "sources": [{"name": n, "url": f"{base}/{p}", "timezone": tz} for n, p, tz in SOURCES],
        "channels": [{"name": "console", "kind": "console"}],
        "alerts": [{"name": "kashmir", "concepts": [
            "Article 370", "Line of Control", "Jammu and Kashmir", "Kashmir Valley",
            "Pakistan-administered Kashmir", "Gilgit-Baltistan", "Srinagar"],
            "min_relevance": 0.2, "channels": ["console"]}],
        "digest": {"channels": ["console"]},
    })


@dataclass(frozen=True)
class DemoReport:
    results: tuple[SourceResult, ...]
    alerts_sent: int
    digest_path: Path
    figures: dict[str, Any]


def run_demo(database: Path, digest_path: Path, taxonomy: Path, timezone: str) -> DemoReport:
    """Serve, fetch one cycle, deliver alerts to the console, write today's digest."""
    for stale in (database, database.with_name(database.name + "-wal"),
                  database.with_name(database.name + "-shm")):
        stale.unlink(missing_ok=True)
    with serve_site(timezone=timezone) as base:
        app = App(demo_settings(base, database, taxonomy, timezone))
        try:
            fetcher = Fetcher(app)
            try:
                results = tuple(fetcher.run_cycle())
            finally:
                fetcher.close()
            report = dispatch_pending(app)
            today = now_utc().astimezone(zone(timezone)).date()
            digest = build_digest(app, today)
            digest_path.parent.mkdir(parents=True, exist_ok=True)
            digest_path.write_text(render_digest(digest, "html"), encoding="utf-8")
            figures = app.store.stats()
        finally:
            app.close()
    return DemoReport(results, getattr(report, "sent", 0), digest_path, figures)
