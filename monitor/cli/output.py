"""Printing helpers shared by the commands: JSON, CSV, dates from options."""

from __future__ import annotations

import codecs
import io
import json
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any, TextIO, TypeVar

import click

from ..errors import UsageError
from ..timeutil import parse_cli_date

__all__ = ["echo_json", "json_option", "option_date", "utf8_stdout"]

F = TypeVar("F", bound=Callable[..., Any])


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(func)


def utf8_stdout() -> TextIO:
    """stdout writing UTF-8, for data (JSON, JSON Lines, CSV) rather than messages.

    A pipe or file takes the locale's encoding (cp1252 on Windows, latin-1 where so
    set), in which Hindi and Urdu text raise UnicodeEncodeError; JSON is UTF-8 (RFC 8259).
    """
    out = sys.stdout
    if isinstance(out, io.TextIOWrapper) and codecs.lookup(out.encoding).name != "utf-8":
        out.reconfigure(encoding="utf-8")
    return out


def echo_json(value: Any) -> None:
    utf8_stdout().write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


def option_date(
    value: str | None, tz: str, option: str, *, end_of_day: bool = False
) -> datetime | None:
    """A --since/--until/--date value in the monitor's zone, or a usage error naming it."""
    if value is None:
        return None
    try:
        return parse_cli_date(value, tz, end_of_day=end_of_day)
    except ValueError as e:
        raise UsageError(f"{option}: {e}") from None
