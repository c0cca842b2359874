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
