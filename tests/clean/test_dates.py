"""parse_date and the date finder follow PRODUCT.md "Dates"."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.clean import clean_item, parse_date
from monitor.clean.datefind import date_from_text, date_from_url
from monitor.clean.dates import read_date
from monitor.models import Body, DateContext, RawItem

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
KOLKATA = DateContext("Asia/Kolkata", NOW)
KARACHI_MDY = DateContext("Asia/Karachi", NOW, "MDY")


@pytest.mark.parametrize(
    ("value", "ctx", "expected"),
    [
        ("2019-09-01", KOLKATA, "2019-09-01T00:00:00+05:30"),  # date only: local midnight
        ("2019-09-01T10:00:00", KOLKATA, "2019-09-01T10:00:00+05:30"),  # zone-less: source zone
        ("2019-09-01T10:00:00Z", KOLKATA, "2019-09-01T10:00:00+00:00"),
        ("2019-09-01T10:00:00.123+01:00", KOLKATA, "2019-09-01T10:00:00+01:00"),  # no fraction
        ("2024-03-04", KARACHI_MDY, "2024-03-04T00:00:00+05:00"),  # ISO never flips
        ("03/04/2024", KOLKATA, "2024-04-03T00:00:00+05:30"),  # ambiguous: DMY default
        ("03/04/2024", KARACHI_MDY, "2024-03-04T00:00:00+05:00"),  # ambiguous: MDY source
        ("11/14/2020", KOLKATA, "2020-11-14T00:00:00+05:30"),  # unambiguous, read as is
        ("14.11.2020", KARACHI_MDY, "2020-11-14T00:00:00+05:00"),
        ("Sat, 31 Aug 2019 10:00:00 +0530", KOLKATA, "2019-08-31T10:00:00+05:30"),
        ("Sat, 31 Aug 2019 04:30:00 GMT", KOLKATA, "2019-08-31T04:30:00+00:00"),
        ("19 Sep 2024, 10:05 IST", KARACHI_MDY, "2024-09-19T10:05:00+05:30"),
        ("September 19, 2024 10:05 PM PKT", KOLKATA, "2024-09-19T22:05:00+05:00"),
        ("3/4/2024 11:17:13 PM", KARACHI_MDY, "2024-03-04T23:17:13+05:00"),
    ],
)
def test_parse_date(value: str, ctx: DateContext, expected: str) -> None:
    result = parse_date(value, ctx)
    assert result is not None and result.isoformat() == expected


@pytest.mark.parametrize(
    "value",
    ["", "   ", "yesterday", "Nov 2020", "19 Sep", "2024-13-45", "31/31/2024", "1700000000",
     "0000-00-00", "12:30", "2026-12-25", "x" * 500, None],
)
def test_unknown_or_rejected_is_none(value: str | None) -> None:
    assert parse_date(value, KOLKATA) is None


def test_future_within_a_day_is_kept() -> None:
    assert parse_date("2026-11-22T06:00:00+00:00", KOLKATA) is not None
    assert parse_date("2026-11-23T06:00:00+00:00", KOLKATA) is None


def test_unknown_zone_name_falls_back_to_utc() -> None:
    ctx = DateContext("Not/AZone", NOW)
    assert parse_date("2020-01-02", ctx) == datetime(2020, 1, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.example/2019/08/31/story-slug/", "2019-08-31"),
        ("https://x.example/news/2019-8-5-story", "2019-08-05"),
        ("https://x.example/story-20191118-abc.html", "2019-11-18"),
        ("https://x.example/2019/08/story", None),  # no day: unknown, not the 1st
        ("https://x.example/story/123456789", None),
        ("file:///data/2019/08/31/page.html", None),  # a folder is not a publication date
        (None, None),
    ],
)
def test_date_from_url(url: str | None, expected: str | None) -> None:
    assert date_from_url(url) == expected


def test_text_prefers_posted_over_updated_and_skips_crawl_stamp() -> None:
    text = "Updated: 19 Sep 2024, 10:05 IST\nPosted on: 11/14/2020\nBody.\n3/4/2024 11:17:13 PM"
    found = date_from_text(text, KOLKATA)
    assert found.value is not None and found.value.isoformat() == "2020-11-14T00:00:00+05:30"
    assert found.source == "text"


def test_crawl_stamp_alone_is_never_a_date() -> None:
    found = date_from_text("Some text.\n\n3/4/2024 11:17:13 PM\n", KOLKATA)
    assert found.value is None


def test_bare_date_line_near_top() -> None:
    found = date_from_text("Headline\nMonday, 18 November 2019\n\nText of the article.", KOLKATA)
    assert found.value is not None and found.value.isoformat() == "2019-11-18T00:00:00+05:30"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("अपडेटेड: 15 नवंबर 2024, 10:30 AM IST\nश्रीनगर में बर्फ।", "2024-11-15T10:30:00+05:30"),
        ("प्रकाशित: शुक्रवार, १५ नवम्बर २०२४\nअपडेट: 16 नवंबर 2024", "2024-11-15T00:00:00+05:30"),
        ("शीर्षक\n3 फ\u093cरवरी 2023\n\nखबर का पाठ।", "2023-02-03T00:00:00+05:30"),
        ("اشاعت: 15 نومبر 2024\nسری نگر میں برف باری۔", "2024-11-15T00:00:00+05:30"),
        ("شائع شدہ: جمعہ ۱۵ نومبر، ۲۰۲۴", "2024-11-15T00:00:00+05:30"),
    ],
)
def test_hindi_and_urdu_dates_in_text(text: str, expected: str) -> None:
    found = date_from_text(text, KOLKATA)
    assert found.value is not None and found.value.isoformat() == expected


def test_a_month_word_inside_another_word_is_no_date() -> None:
    assert date_from_text("15 جونیئر 2024 کھلاڑی", KOLKATA).value is None


def test_ambiguous_date_is_reported() -> None:
    found = date_from_text("Posted on: 03/04/2024", KOLKATA)
    assert found.value is not None and found.value.month == 4
    assert any("ambiguous" in p for p in found.problems)


def test_year_one_placeholder_is_refused() -> None:
    # CMS placeholders such as 0001-01-01T00:00:00Z must not become 2001.
    assert parse_date("0001-01-01T00:00:00Z", KOLKATA) is None
    assert parse_date("19-11-19", KOLKATA) is not None  # a real two-digit year still works


def _same_reading(a: datetime | None, b: datetime | None) -> bool:
    """Equal, and with the same kind of zone under the same name (not only the instant)."""
    if a is None or b is None:
        return a is b
    return (a, type(a.tzinfo), a.tzname(), a.utcoffset()) == (
        b, type(b.tzinfo), b.tzname(), b.utcoffset()
    )


def test_rfc_2822_fast_path_reads_as_dateutil_over_every_zone() -> None:
    # The fast path (issue 3) must give dateutil's datetime, zone object and all.
    from monitor.clean.dates import ZONE_ABBREVIATIONS, _by_dateutil, _rfc_2822

    zones = [*ZONE_ABBREVIATIONS, "XYZ", "ist", "A"]
    zones += [f"{sign}{h:02d}{m:02d}" for sign in "+-" for h in range(0, 26, 1)
              for m in (0, 15, 30, 45, 59, 60, 99)]
    fast = 0
    for zone in zones:
        for text in (f"02 Jan 2024 10:00:00 {zone}", f"2 Feb 2023 23:59 {zone}"):
            got = _rfc_2822(text)
            fast += got is not None
            assert got is None or _same_reading(got, _by_dateutil(text, "DMY")), text
    assert fast > 100  # the common zones do take the fast path


@pytest.mark.parametrize("order", ["DMY", "MDY"])
def test_rfc_2822_fast_path_reads_as_dateutil_over_every_field(order: str) -> None:
    from monitor.clean.dates import _by_dateutil, _rfc_2822

    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    days = ["1", "01", "9", "09", "10", "28", "29", "30", "31", "0", "00", "32"]
    for year in ("2024", "2023", "1900", "2100", "1899", "0999", "9999"):
        for month in months:
            for day in days:
                for clock in ("00:00:00", "23:59:59", "12:30", "24:00", "09:60", "9:05:00"):
                    text = f"{day} {month} {year} {clock} +0530"
                    got = _rfc_2822(text)
                    assert got is None or _same_reading(got, _by_dateutil(text, order)), text


def test_feed_dates_read_the_same_with_the_fast_path() -> None:
    from monitor.clean import dates

    ctx = DateContext("Asia/Kolkata", datetime(2024, 6, 1, tzinfo=UTC), "DMY")
    for value in ("Tue, 02 Jan 2024 10:00:00 +0530", "Sat, 30 Mar 2024 18:45:12 GMT",
                  "Mon, 1 Apr 2024 08:00:00 IST", "Thu, 29 Feb 2024 00:00:00 -0400",
                  "Sun, 31 Mar 2024 10:00:00 +0000", "31 Apr 2024 10:00:00 +0530"):
        fast = parse_date(value, ctx)
        slow = dates._by_dateutil(" ".join(value.split(", ", 1)[-1].split()), "DMY")
        if slow is not None and slow > ctx.now:
            slow = None
        assert _same_reading(fast, slow), value


@pytest.mark.parametrize("value", ["Mon, 14 Oct 2024 10:00:00 +2400",
                                   "Mon, 14 Oct 2024 10:00:00 -9900"])
def test_an_impossible_utc_offset_is_an_unknown_date_not_a_lost_article(value: str) -> None:
    """A feed date a day or more off UTC once made cleaning fail and the text vanish."""
    raw = RawItem("wire", Body.TEXT, "Shops reopened in Srinagar on Monday.", KOLKATA,
                  url="https://wire.example/a", title="Shops reopen", published=value)
    article = clean_item(raw)
    assert article.text == "Shops reopened in Srinagar on Monday."
    assert article.published is None
    assert "publication date unknown" in article.problems
    assert "no such UTC offset" in (read_date(value, KOLKATA).problem or "")
