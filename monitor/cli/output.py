"""Printing helpers shared by the commands: JSON, CSV, dates from options."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import click

from ..errors import UsageError
from ..timeutil import parse_cli_date

__all__ = ["echo_json", "json_option", "option_date"]

F = TypeVar("F", bound=Callable[..., Any])


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(func)


def echo_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


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
