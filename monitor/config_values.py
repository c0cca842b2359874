"""Values in the configuration: durations, time zones, URLs, and the base of every table.

Split from config.py, which declares the keys; these are the parsers and checks the
declarations use, with no knowledge of any particular key.
"""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from email.utils import getaddresses, parseaddr
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .timeutil import zone

__all__ = [
    "Duration",
    "Section",
    "check_address",
    "check_clock",
    "check_zone",
    "parse_duration",
    "shown",
    "url_problem",
]

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
_MAX_DURATION = 100 * 366 * 86400


def parse_duration(value: str | int | float) -> timedelta:
    """`"15m"`, `"1h30m"`, `"20s"`, `"500ms"`, `"2d"`, or a number of seconds."""
    if isinstance(value, bool):
        raise ValueError("a duration is a string such as \"15m\" or a number of seconds")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        text = value.strip().lower().replace(" ", "")
        parts = _DURATION.findall(text)
        if not text or "".join(n + u for n, u in parts) != text:
            raise ValueError(f"{value!r} is not a duration: use e.g. \"90s\", \"15m\", \"1h30m\"")
        seconds = sum(float(n) * _UNITS[u] for n, u in parts)
    if not seconds > 0:  # nan too (TOML has nan and inf)
        raise ValueError(f"{value!r}: a duration must be positive")
    # inf, 1e20 overflow timedelta; "3000000d" holds, but now + it is past year 9999
    # when the next poll is scheduled. A century is longer than any wish.
    if seconds > _MAX_DURATION:
        raise ValueError(f"{value!r}: a duration must be at most 100 years")
    return timedelta(seconds=seconds)


Duration = Annotated[timedelta, Field(json_schema_extra={"format": "duration"})]


# annotation -> (accepted types, is a bool, what to say)
_SCALARS: dict[object, tuple[type | tuple[type, ...], bool, str]] = {
    bool: (bool, True, "true or false"),
    int: (int, False, "a whole number"),
    int | None: (int, False, "a whole number"),
    float: ((int, float), False, "a number"),
    str: (str, False, "text in quotes"),
    str | None: (str, False, "text in quotes"),
}


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _typed(cls, value: Any, info: Any) -> Any:
        """Durations from text; scalars exactly as TOML typed them.

        pydantic would turn "yes" into True and "16" into 16; a configuration that
        says `concurrency = "16"` is more likely a mistake than a wish, so it is an
        error (PRODUCT.md: a wrong type is a configuration error).
        """
        field = cls.model_fields.get(info.field_name)
        if field is None or value is None:
            return value
        annotation = field.annotation
        if annotation in (timedelta, timedelta | None):
            return value if isinstance(value, timedelta) else parse_duration(value)
        expected = _SCALARS.get(annotation)  # type: ignore[arg-type]
        if expected is not None and (
            not isinstance(value, expected[0]) or isinstance(value, bool) != expected[1]
        ):
            # `concurrency = "16"`: the number is right, the quotes are the mistake.
            quotes = " without quotes" if isinstance(value, str) else ""
            raise ValueError(f"must be {expected[2]}{quotes}, got {shown(value)}")
        return value


def shown(value: object) -> str:
    """A value as the user wrote it in TOML, not as Python spells it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, date | time):  # TOML dates and times; datetime is a date
        return value.isoformat()
    return repr(value)


_CLOCK = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


def check_clock(value: str) -> str:
    """A local time of day, `"08:00"`; said in words (a pattern means nothing to a user)."""
    if not _CLOCK.fullmatch(value):
        raise ValueError(f"expected HH:MM (24-hour), got {value!r}")
    return value


def check_address(value: str) -> str:
    """One email address, bare or with a display name ("Desk <desk@example.org>").

    A sender without an @ passed the config and later made a Message-ID
    `<...@monitor>` that servers reject. parseaddr alone is too forgiving: it keeps
    the first of "a@x, b@x" and glues "a@x junk" into "a@xjunk", so the address must
    stand in the value as written, alone.
    """
    address = parseaddr(value)[1]
    local, at, domain = address.rpartition("@")
    if not (at and local and domain) or address not in value or len(getaddresses([value])) != 1:
        raise ValueError('expected one email address, such as desk@example.org or '
                         f'"Desk Monitor <desk@example.org>", got {value!r}')
    return value


def check_zone(value: str | None) -> str | None:
    if value is not None:
        zone(value)
    return value


def url_problem(value: str) -> str | None:
    """Why a channel's URL cannot be posted to, or None."""
    if any(ch.isspace() or not ch.isprintable() for ch in value):
        return "the URL holds a space or control character (a stray newline?)"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 -- raises on a bad port
    except ValueError as e:
        return f"not a URL: {e}"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "not an http:// or https:// URL with a host"
    return None
