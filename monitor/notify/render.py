"""Templates and the escaping each channel needs.

Titles and snippets come from the open web: each form escapes them for where it
goes. HTML templates (`*.html.j2`) autoescape; Markdown uses `|md`; Slack's mrkdwn
uses `|mrkdwn` (`&`, `<`, `>` only: Slack's own rule, api.slack.com "Escaping
text"). Headlines carry a direction: `rtl` for Urdu and other right-to-left
languages, else `auto`, so a headline whose language is unknown still reads in its
own script's direction.
"""

from __future__ import annotations

import re
import shlex
from datetime import datetime
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from ..timeutil import parse_iso, zone

__all__ = ["direction", "environment", "local_time", "md", "md_url", "mrkdwn", "render"]

RTL_LANGUAGES = {"ur", "ar", "fa", "ps", "sd", "he", "yi", "ug", "ks"}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")
# What ends or garbles a Markdown link target: whitespace, brackets, parentheses,
# quotes, a backslash (an escape there). Percent-encoded, the URL leads to the same page.
_MD_URL_UNSAFE = re.compile(r'[\s<>()\[\]\\"`\x00-\x1f\x7f]')


def mrkdwn(value: Any) -> str:
    """Escape Slack mrkdwn's control characters."""
    text = "" if value is None else str(value)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn_link(url: str | None, label: Any) -> str:
    """A Slack link; `|` cannot be escaped inside a label, so it becomes a look-alike."""
    text = mrkdwn(label).replace("|", "\u2223")
    if not url:
        return text
    return f"<{mrkdwn(url).replace('|', '%7C')}|{text}>"


def md(value: Any) -> str:
    """Escape Markdown's inline syntax so a title stays text."""
    text = "" if value is None else str(value)
    return _MD_SPECIAL.sub(r"\\\1", text.replace("\n", " "))


def md_url(url: Any) -> str:
    """A URL safe as a Markdown link target `[title](url)`: unsafe characters encoded."""
    text = "" if url is None else str(url)
    return _MD_URL_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m[0].encode("utf-8")),
                              text)


def direction(language: str | None) -> str:
    """`rtl` for right-to-left languages, else `auto` (the script decides)."""
    return "rtl" if (language or "").split("-")[0].lower() in RTL_LANGUAGES else "auto"


def local_time(value: datetime | str | None, tz: str, fmt: str = "%Y-%m-%d %H:%M %Z") -> str:
    """A stored time shown in the monitor's zone."""
    moment = parse_iso(value) if isinstance(value, str) else value
    if moment is None:
        return "date unknown"
    return moment.astimezone(zone(tz)).strftime(fmt)


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("monitor.notify", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(mrkdwn=mrkdwn, mrkdwn_link=mrkdwn_link, md=md, md_url=md_url,
                       direction=direction,
                       shquote=shlex.quote)  # commands shown to be pasted into a shell
    return env


def render(name: str, **context: Any) -> str:
    """Render one template from `monitor/notify/templates`."""
    return environment().get_template(name).render(**context)
