"""Time helpers shared by every layer: aware datetimes in, ISO 8601 with offset out.

Stored times are ISO 8601 strings. `*_utc` columns hold UTC with a `+00:00` offset so
that they sort and compare as text; user-facing times keep the offset they had.
Parsing messy dates from pages and feeds is the cleaner's job (`monitor.clean.dates`);
this module only reads the strict forms the CLI and the store use.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "day_bounds",
    "iso",
    "now_utc",
    "parse_cli_date",
    "parse_iso",
    "retry_after_seconds",
    "to_utc_iso",
    "zone",
]


def now_utc() -> datetime:
    return datetime.now(UTC)


def zone(name: str) -> ZoneInfo:
    """The IANA zone `name`; raises ValueError with a readable message if unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise ValueError(
            f"unknown time zone {name!r} (use an IANA name such as Asia/Kolkata)"
        ) from e


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 with its offset, seconds precision; None stays None."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("naive datetime reached the store; every time must carry a zone")
    return moment.isoformat(timespec="seconds")  # drops (never rounds) the microseconds


def to_utc_iso(moment: datetime | None) -> str | None:
    """The same instant in UTC, as sortable text."""
    if moment is None:
        return None
    return iso(moment.astimezone(UTC))


def parse_iso(value: str | None) -> datetime | None:
    """Read back what `iso` wrote."""
    if not value:
        return None
    return datetime.fromisoformat(value)


def parse_cli_date(value: str, tz: str, *, end_of_day: bool = False) -> datetime:
    """A `--since`/`--until`/`--date` value: `YYYY-MM-DD` or a full ISO 8601 time.

    A bare date is the start of that local day in `tz`, or, with `end_of_day`, its
    last instant, so that `--until 2024-03-05` includes the whole day (PRODUCT.md:
    inclusive bounds). A time without a zone is read in `tz`.
    """
    text = value.strip()
    out_of_range = ValueError(f"{value!r} is out of the range of dates")
    try:
        if len(text) == 10:
            start, end = day_bounds(date.fromisoformat(text), tz)
            moment = end - timedelta(microseconds=1) if end_of_day else start
        else:
            moment = datetime.fromisoformat(text)
    except OverflowError as e:  # 9999-12-31: its end is past the last date there is
        raise out_of_range from e
    except ValueError as e:
        raise ValueError(f"{value!r} is not a date: use YYYY-MM-DD or an ISO 8601 time") from e
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone(tz))
    try:
        moment.astimezone(UTC)  # filters compare in UTC: 0001-01-01 in +05:30 has none
    except OverflowError as e:
        raise out_of_range from e
    return moment


def day_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    """[start, end) of a local calendar day, DST-safe (a 23- or 25-hour day stays one day)."""
    zi = zone(tz)
    start = datetime.combine(day, time.min, tzinfo=zi)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zi)
    return start, end


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """A Retry-After header as seconds from now (RFC 9110 10.2.3), or None if unreadable.

    Either delta-seconds or an HTTP-date; HTTP-dates are GMT, so one without a zone
    is read as UTC. A date in the past means "now" (0).
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or now_utc())).total_seconds())
