"""Reading publication dates the way PRODUCT.md "Dates" says (issue 4).

Every date the cleaner returns is timezone-aware. A time without a zone takes the
source's zone (`DateContext.timezone`); a date without a time is midnight in that
zone. An ambiguous numeric date (03/04/2024) follows `DateContext.date_order`
(DMY or MDY); an unambiguous one (11/14/2020, 2020-11-14) is read as it is. A date
more than a day after `DateContext.now` is rejected. A string we cannot read with
confidence gives None: an unknown date is better than a wrong one, so month-only
("Nov 2020") and year-less ("19 Sep") strings are refused rather than completed.

Numeric layouts are parsed here, not by dateutil, because dateutil's `dayfirst`
also flips ISO dates (2024-03-04 becomes 3 April). dateutil only reads strings
with a month name (RFC 2822, "19 Sep 2024, 10:05 IST").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as du_parser
from dateutil import tz as du_tz

from monitor.models import DateContext

__all__ = ["DateReading", "parse_date", "read_date", "zone_of"]

# Zone abbreviations seen on the outlets we follow. IST is India (not Israel or
# Ireland): this is a South Asian news monitor. Offsets in seconds.
ZONE_ABBREVIATIONS: dict[str, int] = {
    "UTC": 0, "GMT": 0, "Z": 0, "UT": 0,
    "IST": 19800, "PKT": 18000, "NPT": 20700, "BST": 3600, "BDT": 21600,
    "CET": 3600, "CEST": 7200, "EET": 7200, "EEST": 10800, "GST": 14400,
    "EST": -18000, "EDT": -14400, "CST": -21600, "CDT": -18000,
    "MST": -25200, "MDT": -21600, "PST": -28800, "PDT": -25200,
    "JST": 32400, "KST": 32400, "AEST": 36000, "AEDT": 39600,
}
MAX_FUTURE = timedelta(days=1)
MIN_YEAR = 1900
MAX_INPUT = 120  # longer strings are not a date field; the text search handles prose

_TIME = (
    r"(?:[T\s,]+(?:at\s+)?(?P<h>\d{1,2})[:.](?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,]\d+)?)?"
    r"\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?)?"
)
_ZONE = r"\s*(?:\(?(?P<tz>Z|[+-]\d{2}:?\d{2}|[A-Za-z]{2,5})\)?)?"
_ISO = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})" + _TIME + _ZONE + r"\s*$")
_YMD = re.compile(r"(?P<y>\d{4})[/.](?P<m>\d{1,2})[/.](?P<d>\d{1,2})" + _TIME + _ZONE + r"\s*$")
_NUMERIC = re.compile(
    r"(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})"
    + _TIME
    + _ZONE
    + r"\s*$"
)
_HAS_MONTH_NAME = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\b", re.I
)
_LONE_TZ = re.compile(r"^[+-]\d{4}$")
_DATEUTIL_ZONES = {k: v for k, v in ZONE_ABBREVIATIONS.items() if k != "Z"}
_MONTHS = {m: i for i, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
)}
_RFC_2822 = re.compile(
    r"(0?[1-9]|[12]\d|3[01]) (" + "|".join(_MONTHS) + r") ([12]\d{3}) ([01]\d|2[0-3]):([0-5]\d)"
    r"(?::([0-5]\d))? (?:([+-])(\d\d)(\d\d)|([A-Z]{1,5}))",
    re.ASCII,
)

_TZ_OFFSETS: dict[tuple[str | None, int], tzinfo] = {}  # `_tzoffset`


@dataclass(frozen=True)
class DateReading:
    """A date read from one string: the value, or None and why not (for `problems`)."""

    value: datetime | None
    problem: str | None = None
    ambiguous: bool = False


def zone_of(ctx: DateContext) -> tzinfo:
    """The source's zone; UTC if the configured name is unknown (config checks it)."""
    try:
        return ZoneInfo(ctx.timezone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return UTC


def _zone(token: str | None) -> tzinfo | None:
    """A zone from an ISO offset or a known abbreviation; None if absent or unknown."""
    if not token:
        return None
    token = token.strip()
    if token.upper() in ZONE_ABBREVIATIONS:
        return timezone(timedelta(seconds=ZONE_ABBREVIATIONS[token.upper()]))
    if token[0] in "+-" and token[1:].replace(":", "").isdigit():
        digits = token[1:].replace(":", "")
        minutes = int(digits[:2]) * 60 + int(digits[2:4])
        if minutes > 18 * 60:
            return None
        sign = -1 if token[0] == "-" else 1
        return timezone(timedelta(minutes=sign * minutes))
    return None


def _hour(match: re.Match[str]) -> tuple[int, int, int]:
    """Hour, minute, second from the `_TIME` groups (12-hour clock folded)."""
    if match.group("h") is None:
        return 0, 0, 0
    hour, minute = int(match.group("h")), int(match.group("mi"))
    second = int(match.group("s") or 0)
    ampm = (match.group("ampm") or "").lower().replace(".", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    return hour, minute, second


def _build(y: int, m: int, d: int, match: re.Match[str]) -> datetime | None:
    """A naive or aware datetime from parsed parts; None if the parts are no date."""
    if len(match["y"]) == 2:  # '19 -> 2019, '85 -> 1985; "0001" stays year 1 (refused)
        y += 2000 if y < 70 else 1900
    try:
        h, mi, s = _hour(match)
        tz_token = match.group("tz")
        zone = _zone(tz_token)
        if tz_token and zone is None:
            return None  # a zone we do not know: do not guess the hour
        return datetime(y, m, d, h, mi, s, tzinfo=zone)
    except ValueError:
        return None


def _numeric(text: str, order: str) -> tuple[datetime | None, bool] | None:
    """Numeric layouts: ISO, Y/M/D, and D/M/Y or M/D/Y by evidence or `order`."""
    if match := _ISO.match(text) or _YMD.match(text):
        y, m, d = int(match["y"]), int(match["m"]), int(match["d"])
        return _build(y, m, d, match), False
    if match := _NUMERIC.match(text):
        a, b, y = int(match["a"]), int(match["b"]), int(match["y"])
        if a > 12 >= b:
            day, month, ambiguous = a, b, False
        elif b > 12 >= a:
            day, month, ambiguous = b, a, False
        else:
            ambiguous = a != b
            day, month = (b, a) if order.upper() == "MDY" else (a, b)
        return _build(y, month, day, match), ambiguous
    return None


def _with_month_name(text: str, order: str) -> datetime | None:
    """RFC 2822 or prose dates with a month name; None unless day and year are given."""
    rfc = _RFC_2822.fullmatch(text)  # holds a month name: no need to search for one
    if rfc is None and not _HAS_MONTH_NAME.search(text):
        return None
    parsed = _from_rfc_2822(rfc) if rfc is not None else None
    return parsed or _by_dateutil(text, order)


def _rfc_2822(text: str) -> datetime | None:
    """A feed's RFC 2822 date ("02 Jan 2024 10:00:00 +0530", the weekday gone), read
    as `_by_dateutil` reads it; None for anything else, or anything it might read
    otherwise (an unknown zone, an offset over 14 hours, a date that does not exist).

    RSS gives every entry's date in this form, and dateutil, twice over, costs
    ~0.2 ms (issue 3: as much as analysing a 100-word summary). The fields are all
    there, so the two readings agree; the zone is built as dateutil builds it: an
    abbreviation of ZONE_ABBREVIATIONS by name, an offset without one.
    tests/clean/test_dates.py compares the two over every zone and field edge.
    """
    match = _RFC_2822.fullmatch(text)
    return None if match is None else _from_rfc_2822(match)


def _from_rfc_2822(match: re.Match[str]) -> datetime | None:
    """`_rfc_2822` of the text `match` (of `_RFC_2822`) matched in full."""
    day, month, year, hour, minute, second, sign, zh, zm, name = match.groups()
    if name is not None:
        if name == "Z":
            name = "UTC"  # dateutil's reading of Z, then looked up like the others
        if name not in _DATEUTIL_ZONES:
            return None
        zone = _tzoffset(name, _DATEUTIL_ZONES[name])
    else:
        offset = int(zh) * 3600 + int(zm) * 60
        if int(zh) > 14 or int(zm) > 59:
            return None
        if not offset:  # dateutil calls a zero offset UTC, then looks that name up
            if "UTC" not in _DATEUTIL_ZONES:
                return None
            zone = _tzoffset("UTC", _DATEUTIL_ZONES["UTC"])
        else:
            zone = _tzoffset(None, -offset if sign == "-" else offset)
    try:
        return datetime(
            int(year), _MONTHS[month], int(day), int(hour), int(minute), int(second or 0),
            tzinfo=zone,
        )
    except ValueError:
        return None


def _tzoffset(name: str | None, seconds: int) -> tzinfo:
    """`dateutil.tz.tzoffset(name, seconds)`, kept once made: dateutil's factory takes
    a lock and updates two caches on every call, a fifth of reading a feed's date
    (issue 3). The pairs `_from_rfc_2822` asks for are bounded (its zone names, and
    offsets up to 14:59 either way)."""
    zone = _TZ_OFFSETS.get((name, seconds))
    if zone is None:
        zone = _TZ_OFFSETS[(name, seconds)] = du_tz.tzoffset(name, seconds)
    return zone


def _by_dateutil(text: str, order: str) -> datetime | None:
    """`text` read by dateutil with two different defaults: a field that changes
    was never in the text, and the date is refused."""
    dayfirst = order.upper() != "MDY"
    results = []
    for default in (datetime(2001, 1, 1), datetime(2002, 2, 2)):
        try:
            results.append(
                du_parser.parse(text, default=default, dayfirst=dayfirst, tzinfos=_DATEUTIL_ZONES)
            )
        except (ValueError, OverflowError, TypeError, LookupError):
            return None
    first, second = results
    if first.year != second.year or first.day != second.day or first.month != second.month:
        return None
    return first


def read_date(value: str | None, ctx: DateContext) -> DateReading:
    """Read one date string under the source's rules (see the module docstring)."""
    if value is None:
        return DateReading(None)
    text = " ".join(str(value).split())
    if not text or len(text) > MAX_INPUT or _LONE_TZ.match(text):
        return DateReading(None, f"unreadable date {text[:40]!r}" if text else None)
    ambiguous = False
    numeric = _numeric(text, ctx.date_order)
    if numeric is not None:
        parsed, ambiguous = numeric
    else:
        parsed = _with_month_name(text, ctx.date_order)
    if parsed is None or parsed.year < MIN_YEAR:
        return DateReading(None, f"unreadable date {text[:40]!r}")
    try:
        offset = parsed.utcoffset()
    except ValueError:  # "+2400": a zone a day or more off UTC does not exist
        return DateReading(None, f"unreadable date {text[:40]!r}: no such UTC offset")
    if offset is None:
        parsed = parsed.replace(tzinfo=zone_of(ctx))
    now = ctx.now if ctx.now.tzinfo else ctx.now.replace(tzinfo=zone_of(ctx))
    if parsed > now + MAX_FUTURE:
        return DateReading(None, f"date {text[:40]!r} is in the future; ignored")
    return DateReading(parsed, None, ambiguous)


def parse_date(value: str | None, ctx: DateContext) -> datetime | None:
    """Parse a feed or JSONL date string; None when unknown, unreadable or in the future."""
    return read_date(value, ctx).value
