"""WARC and WARC.gz archives written by the tests with warcio's own writer."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from .conftest import article_html, make_article

UNDATED = """<!doctype html><html><head><title>Orchard road reopens | Ledger</title></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a></nav><article>
<h1>Orchard road reopens</h1>
<p>The road through the apple orchards above Sopore reopened to lorries after crews
cleared three landslides, the public works department said.</p>
<p>Growers had warned that fruit would rot in storage if the road stayed shut, and a
convoy of sixty trucks left for the plains within an hour of the reopening.</p>
</article><footer>Contact the desk</footer></body></html>"""


def _record(writer: WARCWriter, uri: str, body: bytes, *, status: str = "200 OK",
            ctype: str = "text/html; charset=utf-8", date: str = "2024-06-01T10:00:00Z",
            kind: str = "response") -> None:
    headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
    record = writer.create_warc_record(uri, kind, payload=BytesIO(body), http_headers=headers,
                                       warc_headers_dict={"WARC-Date": date})
    writer.write_record(record)


def write_warc(path: Path, gzip: bool) -> tuple[str, str]:
    dated = make_article(201)
    dated_url = "https://ledger.example/news/orchards-201"
    undated_url = "https://ledger.example/news/orchard-road"
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=gzip)
        _record(writer, dated_url, article_html(dated, dated_url, size=30_000).encode())
        _record(writer, undated_url, UNDATED.encode(), date="2024-06-02T11:30:00Z")
        _record(writer, "https://ledger.example/missing", b"<html>gone</html>",
                status="404 Not Found")
        _record(writer, "https://ledger.example/logo.png", b"\x89PNG....", ctype="image/png")
        _record(writer, "https://ledger.example/old", b"", status="301 Moved Permanently")
        req = writer.create_warc_record(dated_url, "request", payload=BytesIO(
            b"GET /news/orchards-201 HTTP/1.1\r\nHost: ledger.example\r\n\r\n"))
        writer.write_record(req)
    return dated_url, undated_url


@pytest.mark.parametrize("name,gzip", [("crawl.warc.gz", True), ("crawl.warc", False)])
def test_warc_html_responses_become_articles(tmp_path, run, export, name, gzip):
    dated_url, undated_url = write_warc(tmp_path / name, gzip)
    out = run("backfill", str(tmp_path / name)).stdout
    assert "read 2, new 2" in out and "failed 0" in out
    records = {r["url"]: r for r in export()}
    assert set(records) == {dated_url, undated_url}
    dated, undated = records[dated_url], records[undated_url]
    assert dated["published"] == f"{make_article(201).published}T09:30:00+05:30"
    assert dated["fetched_at"] == "2024-06-01T10:00:00+00:00"
    assert dated["source"] == "ledger.example"
    # The WARC-Date is when the page was fetched, never when it was published.
    assert undated["published"] is None
    assert undated["fetched_at"] == "2024-06-02T11:30:00+00:00"
    assert "sixty trucks" in undated["text"] and "Contact the desk" not in undated["text"]
    assert "new 0" in run("backfill", str(tmp_path / name)).stdout


def test_damaged_warc_is_reported(tmp_path, run):
    (tmp_path / "bad.warc").write_text("a text file, not an archive\n")
    out = run("backfill", str(tmp_path / "bad.warc"), expect=1).stdout
    assert "bad.warc: not a readable WARC file" in out


def _write_three(path: Path, gzip: bool) -> list[tuple[str, int, int]]:
    """Three article pages; (url, start, end) of each record in the file."""
    spans = []
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=gzip)
        for number in (211, 212, 213):
            url = f"https://ledger.example/news/orchards-{number}"
            start = handle.tell()
            _record(writer, url, article_html(make_article(number), url, size=20_000).encode())
            spans.append((url, start, handle.tell()))
    return spans


@pytest.mark.parametrize("name,gzip", [("cut.warc.gz", True), ("cut.warc", False)])
@pytest.mark.parametrize("cut_in,where", [(1, "page"), (2, "page"), (1, "headers")])
def test_truncated_warc_keeps_what_came_before_and_says_so(tmp_path, run, export, name,
                                                           gzip, cut_in, where):
    path = tmp_path / name
    spans = _write_three(path, gzip)
    _, start, end = spans[cut_in]
    cut = (start + end) // 2 if where == "page" else start + 100  # in its WARC headers
    path.write_bytes(path.read_bytes()[:cut])
    out = run("backfill", str(path)).stdout  # exit 0: some of the input was read
    assert f"new {cut_in}" in out and "failed 1" in out, out
    assert f"failed: {path}: not a readable WARC file: truncated" in out, out
    assert f"at offset {start}" in out, out
    # The records before the cut are stored whole; the cut one is not stored at all.
    assert [r["url"] for r in export()] == [u for u, _, _ in spans[:cut_in]]


@pytest.mark.parametrize("keep", [4, 12])
def test_warc_gz_cut_in_its_gzip_trailer_is_reported(tmp_path, run, export, keep):
    # The page itself is whole, but the gzip member did not end: the file is damaged.
    path = tmp_path / "cut.warc.gz"
    spans = _write_three(path, True)
    path.write_bytes(path.read_bytes()[:-keep])
    out = run("backfill", str(path)).stdout
    assert "new 2" in out and "failed 1" in out, out
    assert f"not a readable WARC file: truncated or damaged at offset {spans[2][1]}" in out, out


def test_corrupt_warc_gz_is_one_short_readable_line(tmp_path, run, export):
    path = tmp_path / "flipped.warc.gz"
    spans = _write_three(path, True)
    data = bytearray(path.read_bytes())
    middle = (spans[1][1] + spans[1][2]) // 2
    data[middle:middle + 40] = bytes(b ^ 0xFF for b in data[middle:middle + 40])
    path.write_bytes(bytes(data))
    result = run("backfill", str(path))
    failed = [line for line in result.stdout.splitlines() if "failed:" in line]
    assert len(failed) == 1 and failed[0].isprintable() and len(failed[0]) < 300 + len(
        str(path)), failed
    assert "not a readable WARC file" in failed[0] and "offset" in failed[0], failed
    assert [r["url"] for r in export()] == [spans[0][0]]  # the record before the damage
    assert result.stderr == ""


def test_text_named_warc_gz_leaves_no_library_warnings(tmp_path, run):
    # Neither gzip nor WARC: warcio reads such lines as old ARC headers and warns.
    lines = "".join(f'{{"title": "Ferry notice {n}", "text": "The ferry runs at {n}."}}\n'
                    for n in range(30))
    (tmp_path / "notes.warc.gz").write_text(lines)
    result = run("backfill", str(tmp_path / "notes.warc.gz"), expect=1)
    assert "notes.warc.gz: not a readable WARC file" in result.stdout
    assert result.stderr == ""


def test_other_threads_writing_to_stderr_do_not_make_an_archive_damaged(tmp_path):
    """warcio's warnings are caught for the reading thread only: the progress bar
    redrawing itself on stderr from its own thread meanwhile is not a warning."""
    import sys
    import threading

    from monitor.backfill.warc import html_responses

    path = tmp_path / "whole.warc.gz"
    spans = _write_three(path, True)
    stop = threading.Event()

    def redraw() -> None:
        while not stop.wait(0.0005):
            sys.stderr.write("\rbackfill ━━━━━━━━━━ 1/3\n")

    painter = threading.Thread(target=redraw, daemon=True)
    painter.start()
    try:
        urls = [record.rec_headers.get_header("WARC-Target-URI")
                for _ in range(20) for _, record, _ in html_responses(path)]
    finally:
        stop.set()
        painter.join(5)
    assert urls == [u for u, _, _ in spans] * 20


@pytest.mark.parametrize("tail", [b"\n", b"\r\n\r\n"])
def test_a_newline_after_the_last_gzip_member_is_no_damage(tmp_path, run, export, tail):
    # `echo >> archive.warc.gz`, or a copy in text mode: the archive is whole.
    path = tmp_path / "tail.warc.gz"
    spans = _write_three(path, True)
    path.write_bytes(path.read_bytes() + tail)
    out = run("backfill", str(path)).stdout
    assert "new 3" in out and "failed 0" in out, out
    assert [r["url"] for r in export()] == [u for u, _, _ in spans]
