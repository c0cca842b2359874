"""Backfill from local files: input rules, summary, reruns, bad input, interruption."""

from __future__ import annotations

import sqlite3
import sys

import pytest

from .conftest import DATA, kill_then_rerun, write_jsonl

DESK = DATA / "desk"


def test_desk_corpus_dates_text_and_concepts(run, export):
    run("backfill", str(DESK))
    records = export()
    assert [r["published"] for r in records] == [
        "2019-09-01T00:00:00+05:30",
        "2022-03-23T00:00:00+05:30",
    ]
    first, second = records
    assert first["text"].startswith("Srinagar, Sept 1:")
    assert "date 2019" not in first["text"]
    assert first["kashmir_related"] and second["kashmir_related"]
    assert "Article 370" in first["concepts"]
    assert first["url"].startswith("file:///") and first["source"] == "local"


def test_second_run_adds_nothing(run, export):
    first = run("backfill", str(DESK)).stdout
    assert "new 2" in first
    again = run("backfill", str(DESK)).stdout
    assert "new 0" in again
    assert len(export()) == 2


def test_same_files_under_another_run_are_updates_not_new_articles(run, export):
    run("backfill", str(DESK))
    out = run("backfill", str(DESK), "--source", "desk-archive").stdout
    assert "new 0" in out  # same canonical URL (the file): the same article again
    assert len(export()) == 2


def test_malformed_inputs_are_reported_and_the_run_goes_on(tmp_path, run, export):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(" date 2024-01-05 Jammu, Jan 5: A good article.\n")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02garbage")
    (folder / "bad.jsonl").write_text(
        '{"url": "https://x.example/1", "text": "Fine text about Ladakh."}\n'
        "{not json\n"
        '{"url": "https://x.example/2"}\n'
        "[1, 2]\n"
    )
    result = run("backfill", str(folder), str(tmp_path / "missing.txt"))
    out = result.stdout
    assert "new 2" in out
    assert f"{folder / 'bad.jsonl'}:2: not valid JSON" in out
    assert f"{folder / 'bad.jsonl'}:3: needs a non-empty `text` or `html`" in out
    assert f"{folder / 'bad.jsonl'}:4: a line must be a JSON object" in out
    assert "binary.txt: not a text file" in out
    assert "missing.txt: no such file or folder" in out
    assert len(export()) == 2


def test_nothing_readable_exits_1(tmp_path, run):
    (tmp_path / "x.jsonl").write_text("{broken\n")
    result = run("backfill", str(tmp_path / "x.jsonl"), expect=1)
    assert "not valid JSON" in result.stdout


def test_jsonl_fields_source_and_dates(tmp_path, run, export):
    write_jsonl(tmp_path / "a.jsonl", [
        {"url": "https://news.example.com/a?utm_source=x", "title": "LoC villages",
         "published": "2024-03-02T10:00:00", "text": "Villages near the Line of Control."},
        {"url": "https://other.example.org/b", "source": "Other Daily", "title": None,
         "published": None, "html": "<html><body><article><p>Schools in Kupwara reopened "
         "after the winter break on Monday, officials said.</p></article></body></html>"},
    ])
    run("backfill", str(tmp_path / "a.jsonl"))
    a, b = export()
    assert a["source"] == "news.example.com"  # no source given: the host name
    assert a["published"] == "2024-03-02T10:00:00+05:30"  # zone-less: the monitor's zone
    assert b["source"] == "Other Daily"
    assert b["published"] is None
    assert "Kupwara" in b["text"] and "<p>" not in b["text"]


def test_since_until_filter_keeps_undated(tmp_path, run, export):
    write_jsonl(tmp_path / "d.jsonl", [
        {"url": f"https://d.example/{i}", "published": day, "text": f"Report number {i} on Leh."}
        for i, day in enumerate(["2024-01-01", "2024-02-10", "2024-03-20", None])
    ])
    out = run("backfill", str(tmp_path / "d.jsonl"), "--since", "2024-02-01",
              "--until", "2024-02-28").stdout
    assert "new 2" in out and "outside --since/--until" in out
    urls = sorted(r["url"] for r in export())
    assert urls == ["https://d.example/1", "https://d.example/3"]
    assert [r["url"] for r in export("--since", "2024-01-01")] == ["https://d.example/1"]


@pytest.mark.timeout(180)
def test_killed_backfill_resumes_without_loss_or_doubles(tmp_path, db):
    n = 600
    write_jsonl(tmp_path / "many.jsonl", [
        {"url": f"https://bulk.example/{i}", "published": "2024-04-01",
         "text": f"Item {i}: council {i * 7919 % 10007} met in Srinagar about ward {i}. "
                 f"It discussed budget line {i * 104729 % 99991} and roads {i}."}
        for i in range(n)
    ])
    cmd = [sys.executable, "-m", "monitor", "--db", str(db), "backfill",
           str(tmp_path / "many.jsonl"), "--jobs", "1"]
    partial, summary = kill_then_rerun(cmd, tmp_path, db)
    assert 0 < partial < n, "the kill should land mid-run"
    assert summary["skipped"].get("already loaded", 0) >= partial
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT count(*), count(DISTINCT url) FROM articles").fetchone()
        versions = conn.execute("SELECT count(*) FROM article_versions").fetchone()[0]
    assert rows == (n, n)
    assert versions == 0


SAVED_PAGE = """Home | News | Politics | Sports | Contact Us
Call us: +91 194 000 0000 | editor@valleypost.example
Power supply to improve in Kupwara, says department
Power supply to improve in Kupwara, says department
Posted on: 03/04/2024

Kupwara: The power development department said on Monday that new feeder lines in Kupwara
district would cut the length of scheduled outages during the coming winter.

Engineers said the work on two receiving stations would be finished within a month.

Share on Facebook | Share on Twitter
Also Read: Snowfall closes Gurez road
3/9/2024 11:17:13 PM
"""


@pytest.mark.parametrize(("order", "published"), [
    (None, "2024-04-03T00:00:00+05:30"),
    ("MDY", "2024-03-04T00:00:00+05:30"),
])
def test_saved_page_date_order_and_crawl_stamp(tmp_path, run, export, order, published):
    (tmp_path / "page.txt").write_text(SAVED_PAGE, encoding="utf-8")
    config = tmp_path / "monitor.toml"
    config.write_text(f'[monitor]\ndate_order = "{order}"\n' if order else "", encoding="utf-8")
    run("backfill", str(tmp_path / "page.txt"), config=config)
    (record,) = export()
    assert record["published"] == published  # never the crawl stamp of 9 March
    assert "Share on Facebook" not in record["text"] and "Call us" not in record["text"]
    assert "3/9/2024" not in record["text"]
    assert record["text"].startswith("Kupwara: The power development department")


@pytest.mark.parametrize("stamp", ["3/4/2024 11:17 PM", "2024-03-15 10:00", "3/9/2024 11:17:13 PM"])
def test_a_trailing_crawl_stamp_is_never_the_date(tmp_path, run, export, stamp):
    (tmp_path / "p.txt").write_text(
        "Leh, Jan 9: The council met on Tuesday about water supply in the old town.\n\n"
        f"It will meet again next week.\n{stamp}\n", encoding="utf-8")
    run("backfill", str(tmp_path / "p.txt"))
    (record,) = export()
    assert record["published"] is None
    assert stamp not in record["text"]


def test_desk_header_alone_on_its_line_and_a_headline_after_it(tmp_path, run, export):
    (tmp_path / "a.txt").write_text(
        " date 2024-01-05\nThe council met in Leh on Friday about water supply.\n",
        encoding="utf-8")
    (tmp_path / "b.txt").write_text(
        " date 2024-01-09 Highway to Srinagar reopens\n\nThe highway reopened on Tuesday "
        "after snow was cleared from the tunnel approach.\n", encoding="utf-8")
    run("backfill", str(tmp_path))
    a, b = export()
    assert a["published"] == "2024-01-05T00:00:00+05:30"
    assert a["text"] == "The council met in Leh on Friday about water supply."
    assert b["title"] == "Highway to Srinagar reopens"
    assert b["text"].startswith("The highway reopened")


def test_a_broken_link_in_a_folder_is_reported(tmp_path, run):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ok.txt").write_text(" date 2024-01-05 Jammu, Jan 5: A good article.\n")
    (folder / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    out = run("backfill", str(folder)).stdout
    assert "new 1" in out and "gone.txt: broken link" in out


def test_a_correction_of_one_word_is_a_new_version(tmp_path, run, export):
    record = {"url": "https://u.example/a", "title": "Road reopens",
              "text": "The Mughal road reopened on Saturday after snow clearance, officials said."}
    write_jsonl(tmp_path / "v1.jsonl", [record])
    write_jsonl(tmp_path / "v2.jsonl", [{**record, "text": record["text"].replace(
        "Saturday", "Sunday")}])
    run("backfill", str(tmp_path / "v1.jsonl"))
    assert "updated 1" in run("backfill", str(tmp_path / "v2.jsonl")).stdout
    (stored,) = export()
    assert "Sunday" in stored["text"]


def test_an_html_line_without_url_takes_its_canonical_link(tmp_path, run, export):
    write_jsonl(tmp_path / "c.jsonl", [{"html": (
        '<html><head><link rel="canonical" href="https://canon.example/story-1"></head>'
        "<body><article><p>Shops in Kargil opened late on Monday as the cold wave "
        "continued across the district, traders said.</p></article></body></html>")}])
    run("backfill", str(tmp_path / "c.jsonl"))
    (stored,) = export()
    assert stored["url"] == "https://canon.example/story-1"
    assert stored["source"] == "local"


def test_a_file_given_twice_in_one_command_is_read_once(tmp_path, run, export):
    folder = tmp_path / "in"
    folder.mkdir()
    # No `url`: nothing but the checkpoint would tell the second reading from new lines.
    write_jsonl(folder / "notes.jsonl", [
        {"title": "Ferry timetable", "text": "The lake ferry runs twice a day from April."},
        {"title": "Library hours", "text": "The town library opens at nine on weekdays."},
    ])
    out = run("backfill", str(folder), str(folder / "notes.jsonl"),
              str(folder / ".." / "in" / "notes.jsonl")).stdout
    assert "read 2, new 2" in out and "duplicates 0" in out and "failed 0" in out, out
    assert len(export()) == 2


@pytest.mark.parametrize("encoding,bom", [("utf-16-le", "\ufeff"), ("utf-16-be", "\ufeff"),
                                          ("utf-8", "\ufeff")])
def test_a_text_file_is_decoded_by_its_bom(tmp_path, run, export, encoding, bom):
    # Windows' "Unicode" is UTF-16 with a BOM: full of NUL bytes, and still text.
    text = " date 2024-01-05 Gurez, Jan 5: The valley's only bakery reopened after the snow.\n"
    (tmp_path / "note.txt").write_bytes((bom + text).encode(encoding))
    (tmp_path / "blob.txt").write_bytes(b"\x00\x01\x02\x03garbage")
    out = run("backfill", str(tmp_path)).stdout
    assert "new 1" in out and "blob.txt: not a text file (binary content)" in out, out
    (stored,) = export()
    assert stored["text"].startswith("Gurez, Jan 5: The valley's only bakery")
    assert stored["published"] == "2024-01-05T00:00:00+05:30"
