"""Time helpers: CLI dates, local days across DST, Retry-After."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from monitor.timeutil import day_bounds, parse_cli_date, retry_after_seconds


def test_a_dst_day_is_one_calendar_day():
    start, end = day_bounds(date(2024, 3, 31), "Europe/London")
    assert (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() == 23 * 3600
    assert start.isoformat() == "2024-03-31T00:00:00+00:00"


def test_until_a_date_includes_the_whole_day():
    end = parse_cli_date("2024-03-05", "Asia/Kolkata", end_of_day=True)
    assert end.isoformat().startswith("2024-03-05T23:59:59.999999+05:30")
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_cli_date("05/03/2024", "Asia/Kolkata")


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("120", 120.0), ("Sat, 21 Nov 2026 10:00:30 GMT", 30.0), ("Sat, 21 Nov 2026 09:00:00 GMT",
                                                             0.0), ("soon", None), (None, None)],
)
def test_retry_after_header_forms(header, seconds):
    now = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
    assert retry_after_seconds(header, now) == seconds
