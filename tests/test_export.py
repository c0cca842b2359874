"""`monitor export`: every field of PRODUCT.md, in JSONL and CSV; show, search, stats."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

from .conftest import ROOT, env_without_monitor, write_jsonl

FIELDS = [
    "id", "url", "canonical_url", "source", "title", "author", "published", "fetched_at",
    "language", "text", "duplicate_of", "dedup", "coverage", "story_id", "kashmir_related",
    "relevance", "concepts", "mentions",
]

STORY = (
    "Srinagar, March 3: The Jammu and Kashmir administration on Sunday ordered the "
    "reopening of schools in the Kashmir Valley after a week of heavy snowfall closed roads "
    "across the region.\n\n"
    "The order said classes would resume on Monday in Srinagar, Baramulla and Anantnag, "
    "while schools in higher reaches would stay shut until roads were cleared.\n\n"
    "Parents welcomed the decision but asked for heating in classrooms, saying temperatures "
    "at night were still well below freezing in most districts.\n\n"
    "The education department said it would review the situation again on Friday."
)


def _load(tmp_path, run):
    write_jsonl(tmp_path / "in.jsonl", [
        {"url": "https://valley.example.com/news/schools-reopen?utm_source=tw", "source":
         "Valley Daily", "title": "Schools to reopen in Kashmir Valley after snowfall",
         "author": "Staff Reporter", "published": "2024-03-03T18:30:00+05:30", "text": STORY},
        {"url": "https://copy.example.net/kashmir/schools", "source": "Copy Times",
         "title": "Kashmir schools reopen Monday", "published": "2024-03-03T20:00:00+05:30",
         "text": STORY + "\n\nWith inputs from agencies."},
        {"url": "https://other.example.org/markets", "source": "Other Daily",
         "title": "Stock markets close higher", "published": "2024-03-04",
         "text": "Stock markets closed higher on Monday as banking shares gained."},
    ])
    run("backfill", str(tmp_path / "in.jsonl"))


def test_every_export_field(tmp_path, run, export):
    _load(tmp_path, run)
    first, copy, other = export()
    for record in (first, copy, other):
        assert list(record) == FIELDS
    assert isinstance(first["id"], int)
    assert first["canonical_url"] == "https://valley.example.com/news/schools-reopen"
    assert first["author"] == "Staff Reporter"
    assert first["published"] == "2024-03-03T18:30:00+05:30"
    assert first["fetched_at"].endswith("+00:00")
    assert first["language"] == "en"
    assert first["text"].startswith("Srinagar, March 3:")
    assert "\n\n" in first["text"]  # paragraphs kept
    assert first["duplicate_of"] is None and first["dedup"] is None
    assert copy["duplicate_of"] == first["id"]
    assert copy["dedup"]["method"] in ("exact", "minhash")
    assert 0 < copy["dedup"]["similarity"] <= 1
    assert first["coverage"] == copy["coverage"] == 2
    assert other["coverage"] == 1
    assert copy["story_id"] == first["story_id"] != other["story_id"]
    assert first["kashmir_related"] is True and other["kashmir_related"] is False
    assert 0 < first["relevance"] <= 1 and other["relevance"] == 0
    assert first["concepts"] == sorted(set(first["concepts"]))
    assert {"Jammu and Kashmir", "Kashmir Valley", "Srinagar"} <= set(first["concepts"])
    for m in first["mentions"]:
        assert list(m) == ["concept", "surface", "field", "start", "end", "sentence"]
        field = first["title"] if m["field"] == "title" else first["text"]
        assert field[m["start"]:m["end"]] == m["surface"]
        assert m["surface"] in m["sentence"]
    assert other["mentions"] == [] and other["concepts"] == []


def test_csv_has_the_same_columns(tmp_path, run):
    _load(tmp_path, run)
    out = run("export", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == FIELDS
    assert len(rows) == 3
    assert "; " in rows[0]["concepts"]
    mentions = json.loads(rows[0]["mentions"])
    assert mentions and mentions[0]["concept"]
    assert json.loads(rows[1]["dedup"])["method"] in ("exact", "minhash")
    assert rows[0]["dedup"] == ""


def test_show_search_stats_stories(tmp_path, run):
    _load(tmp_path, run)
    shown = run("show", "2").stdout
    assert "duplicate  of #1" in shown and "Copy Times" in shown
    assert "no article with id 99" in run("show", "99", expect=1).output
    hits = json.loads(run("search", "snowfall schools", "--json").stdout)
    assert {h["id"] for h in hits} == {1, 2}
    assert "[" in hits[0]["snippet"]
    assert json.loads(run("search", "J&K \"", "--json").stdout) == []  # odd syntax is no error
    assert json.loads(run("search", "snowfall", "--concept", "Srinagar", "--json").stdout)
    stats = json.loads(run("stats", "--json").stdout)
    assert stats["articles"] == 3 and stats["duplicates"] == 1
    stories = json.loads(run("stories", "--json").stdout)
    biggest = stories[0]
    assert len(biggest["articles"]) == 2 and biggest["outlets"] == ["Copy Times", "Valley Daily"]


def test_stories_of_a_day_are_those_published_that_local_day(tmp_path, run):
    write_jsonl(tmp_path / "days.jsonl", [
        {"url": f"https://d.example/{i}", "title": f"Report {i} from Leh", "published": day,
         "text": f"Report {i}: the council in Leh met about roads number {i * 37}."}
        for i, day in enumerate(["2024-05-01T23:00:00+05:30", "2024-05-02T00:30:00+05:30",
                                 "2024-05-02T23:59:00+05:30", "2024-05-03T00:00:00+05:30"])
    ])
    run("backfill", str(tmp_path / "days.jsonl"))
    stories = json.loads(run("stories", "--date", "2024-05-02", "--json").stdout)
    titles = sorted(s["title"] for s in stories)
    assert titles == ["Report 1 from Leh", "Report 2 from Leh"]


def test_digest_out_to_a_missing_folder_is_a_clear_error(tmp_path, run):
    out = run("digest", "--date", "2024-05-02", "--out", str(tmp_path / "no" / "d.html"),
              expect=2).output
    assert "--out" in out and "cannot write" in out and "Traceback" not in out


def test_stories_date_given_as_a_time_is_that_instant_local_day(tmp_path, run):
    # 20:00 UTC on 5 May is 01:30 on 6 May in Asia/Kolkata, the monitor's zone: the
    # stories of 6 May, as `digest --date` reads the same value.
    write_jsonl(tmp_path / "days.jsonl", [
        {"url": f"https://d.example/{i}", "title": f"Report {i} from Kargil", "published": day,
         "text": f"Report {i}: the council in Kargil met about water number {i * 41}."}
        for i, day in enumerate(["2024-05-05T12:00:00+05:30", "2024-05-06T12:00:00+05:30"])
    ])
    run("backfill", str(tmp_path / "days.jsonl"))
    stories = json.loads(run("stories", "--date", "2024-05-05T20:00:00Z", "--json").stdout)
    assert [s["title"] for s in stories] == ["Report 1 from Kargil"]


def test_stats_first_and_last_published_are_by_instant_not_by_text(tmp_path, run):
    # As text "2024-03-06T00:00:00+05:30" sorts after "2024-03-05T20:00:00+00:00", but
    # it is 18:30 UTC on 5 March, the earlier instant of the two.
    write_jsonl(tmp_path / "zones.jsonl", [
        {"url": f"https://z.example/{i}", "title": f"Note {i} from Skardu", "published": when,
         "text": f"Note {i}: the road to Skardu was cleared, crew number {i * 53} said."}
        for i, when in enumerate(["2024-03-06T00:00:00+05:30", "2024-03-05T20:00:00+00:00",
                                  "2024-03-05T08:00:00-05:00"])
    ])
    run("backfill", str(tmp_path / "zones.jsonl"))
    stats = json.loads(run("stats", "--json").stdout)
    assert stats["first_published"] == "2024-03-05T08:00:00-05:00"  # 13:00 UTC
    assert stats["last_published"] == "2024-03-05T20:00:00+00:00"


def test_dates_at_the_ends_of_the_calendar_are_usage_errors(run):
    # The end of 9999-12-31 and the UTC instant of 0001-01-01 in Asia/Kolkata do not
    # exist as datetimes: this was an OverflowError traceback with exit 1.
    for args in (["export", "--until", "9999-12-31"], ["export", "--since", "0001-01-01"],
                 ["search", "Leh", "--since", "0001-01-01T00:00:00"],
                 ["stories", "--date", "9999-12-31"], ["digest", "--date", "9999-12-31"],
                 ["backfill", "x.jsonl", "--until", "9999-12-31"]):
        result = run(*args, expect=2)
        assert "out of the range of dates" in result.output and args[-2] in result.output
        assert "Traceback" not in result.output


def test_show_of_an_id_beyond_sqlite_integers_is_no_article(run):
    # SQLite integers are 64-bit: this id was an OverflowError traceback.
    out = run("show", "99999999999999999999", expect=1).output
    assert "no article with id 99999999999999999999" in out and "Traceback" not in out


def test_export_and_json_are_utf8_whatever_the_locale(tmp_path, run, db):
    # A pipe's encoding follows the locale (cp1252 on Windows, or as set here): the Hindi
    # title was a UnicodeEncodeError traceback. JSON Lines and CSV files are UTF-8.
    title = "डल झील पर पर्यटक"
    write_jsonl(tmp_path / "hi.jsonl", [{"url": "https://h.example/1", "title": title,
                                         "text": "श्रीनगर में पर्यटकों की संख्या बढ़ी।"}])
    run("backfill", str(tmp_path / "hi.jsonl"))
    env = {**env_without_monitor(), "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "latin-1"}
    for args in (["export"], ["export", "--format", "csv"], ["search", "पर्यटक", "--json"]):
        done = subprocess.run([sys.executable, "-m", "monitor", "--db", str(db), *args],
                              env=env, cwd=tmp_path, capture_output=True, timeout=120)
        assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
        assert title in done.stdout.decode("utf-8")


def test_a_digest_too_close_to_the_first_date_is_a_usage_error(run):
    # Its 14-day chart reached back before 0001-01-01: an OverflowError traceback.
    result = run("digest", "--date", "0001-01-02", expect=2)
    assert "--date 0001-01-02: too early" in result.output
    assert "Traceback" not in result.output
    assert "Kashmir digest for" in run("digest", "--date", "0001-01-20").stdout
