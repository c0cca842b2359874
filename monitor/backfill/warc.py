"""WARC and WARC.gz archives: the HTML pages a crawler saved, read with warcio.

Only `response` records of HTTP status 200 with an HTML content type become items;
requests, metadata, redirects, images and scripts are skipped silently (they are
not articles). The record's `WARC-Target-URI` is the page's URL and its
`WARC-Date` the time it was fetched: it becomes `fetched_at` and is never taken for
the publication date (PRODUCT.md "Dates"), which the cleaner reads from the page.

Each item's checkpoint key is the archive path, the record's offset and a hash of
its payload, so a rerun skips what is done and a changed archive is read again.
"""

from __future__ import annotations

import hashlib
import io
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import warcio.archiveiterator
import warcio.bufferedreaders
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from ..fetch.charset import decode_body
from ..models import Body, RawItem
from .items import InputContext, InputItem, host_source

__all__ = ["count_warc", "html_responses", "read_warc"]

TRUNCATED = "truncated or damaged at offset"
ONE_STREAM = "non-chunked gzip"  # in warcio's error for a .warc.gz not gzipped by record
HTML_TYPES = ("text/html", "application/xhtml+xml")


class _WarcioSys:
    """What warcio's readers see as `sys`: the real module, but `stderr` is a buffer of
    our own in a thread that is reading an archive here (`_warnings_into`).

    warcio writes its warnings straight to sys.stderr (a record that does not end where
    its Content-Length says, a gzip member it cannot inflate), binary bytes and all.
    Swapping the process's sys.stderr (`contextlib.redirect_stderr`) also took in what
    other threads wrote meanwhile, such as the progress bar's refreshes, which then
    read as warnings about a whole archive.
    """

    def __init__(self) -> None:
        self.local = threading.local()

    def __getattr__(self, name: str) -> Any:
        return getattr(sys, name)

    @property
    def stderr(self) -> Any:
        return getattr(self.local, "sink", None) or sys.stderr


_WARCIO_SYS = _WarcioSys()
for _module in (warcio.archiveiterator, warcio.bufferedreaders):
    _module.sys = _WARCIO_SYS  # type: ignore[attr-defined]


@contextmanager
def _warnings_into(sink: io.StringIO) -> Iterator[None]:
    """warcio's warnings in this thread go to `sink` (nowhere else is touched)."""
    _WARCIO_SYS.local.sink = sink
    try:
        yield
    finally:
        _WARCIO_SYS.local.sink = None


def _is_html_page(record: Any) -> bool:
    if record.rec_type != "response" or record.http_headers is None:
        return False
    if record.http_headers.get_statuscode() != "200":
        return False
    ctype = (record.http_headers.get_header("Content-Type") or "").lower()
    return ctype.split(";")[0].strip() in HTML_TYPES


def _warc_date(record: Any) -> datetime | None:
    value = record.rec_headers.get_header("WARC-Date")
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _readable(message: str) -> str:
    """warcio's message as one short printable line: it quotes the line it could not
    parse whole, binary bytes and all, and explains a one-stream .warc.gz at length."""
    if ONE_STREAM in message:
        return "one gzip stream for the whole file, not one per record " \
               "(`warcio recompress` rewrites it)"
    head, sep, line = message.partition("first line: ")
    line = line.strip()
    if sep and not line.isprintable():
        message = f"{head}{sep}{line[:60]!r}"
    elif sep and len(line) > 60:
        message = f"{head}{sep}{line[:60]}…"
    message = " ".join(message.split())
    return message if len(message) <= 200 else message[:199] + "…"


def _parsed(records: ArchiveIterator, caught: io.StringIO) -> Iterator[Any]:
    """warcio's records, its failures past a WARC record given the offset, and its
    slips on a damaged header made ArchiveLoadFailed (a record cut before its
    WARC-Target-URI raises AttributeError from inside warcio)."""
    seen = False
    while True:
        try:
            with _warnings_into(caught):
                record = next(records)
        except StopIteration:
            return
        except ArchiveLoadFailed as e:
            if not seen or ONE_STREAM in str(e):  # not an archive / not about one place
                raise
            raise ArchiveLoadFailed(f"{TRUNCATED} {records.offset}: {_readable(str(e))}") from e
        except (AttributeError, TypeError, IndexError, KeyError) as e:
            raise ArchiveLoadFailed(f"{TRUNCATED} {records.offset} (a record's headers are "
                                    "incomplete)") from e
        seen = seen or record.format.startswith("warc")
        yield record


def _cut_short(records: ArchiveIterator, record: Any) -> bool:
    """Whether the record just read ended before its end: warcio stops quietly at the
    end of the file, handing back whatever part of the last record is there."""
    declared = record.rec_headers.get_header("Content-Length") or ""
    if record.format.startswith("warc") and not declared.strip().isdigit():
        return True  # its header block was cut before (or in) its Content-Length
    if getattr(record.raw_stream, "limit", 0) > 0:  # fewer bytes than its Content-Length
        return True
    # A .warc.gz record is one gzip member, whose end (and checksum) must be there too;
    # nothing may follow it in the member (warcio reports that case itself).
    # (warcio internals, pinned in pyproject.toml; absent, the check is skipped)
    inflate = getattr(getattr(records, "reader", None), "decompressor", None)
    return (inflate is not None and not getattr(inflate, "eof", True)
            and not getattr(records, "next_line", None))


def _blank_from(handle: Any, offset: int) -> bool:
    """Whether the file holds only whitespace from `offset` on: a `.warc.gz` that got a
    newline or CRLF after its last gzip member (`echo >>`, a copy in text mode) is
    whole, though warcio takes those bytes for the start of a record."""
    here = handle.tell()
    try:
        handle.seek(offset)
        rest = handle.read(4097)
        return len(rest) <= 4096 and not rest.strip()
    finally:
        handle.seek(here)


def html_responses(path: Path) -> Iterator[tuple[int, Any, bytes]]:
    """(offset, record, payload) of each HTML 200 response.

    Raises OSError or ArchiveLoadFailed when the file is not an archive, and
    ArchiveLoadFailed too when it holds no WARC record at all (warcio reads some
    text files as old ARC archives) or when a record is cut short (a truncated file):
    the records before it have been yielded, that one is not.
    """
    records_seen = 0
    # A warning of warcio's about a WARC record (`_WarcioSys`) means it is damaged.
    caught = io.StringIO()
    with path.open("rb") as handle:
        records = ArchiveIterator(handle)
        for record in _parsed(records, caught):
            records_seen += record.format.startswith("warc")
            html = _is_html_page(record)
            with _warnings_into(caught):
                payload = record.content_stream().read() if html else b""  # de-chunked
                offset = records.get_record_offset()  # reads the record to its end
            if _cut_short(records, record):
                if _blank_from(handle, offset):  # a newline added after the last member
                    break
                raise ArchiveLoadFailed(f"{TRUNCATED} {offset} (the record there ends early)")
            warning = caught.getvalue().strip().partition("\n")[0].removeprefix("WARNING: ")
            caught.seek(0)
            caught.truncate()
            if warning and record.format.startswith("warc"):
                raise ArchiveLoadFailed(f"{TRUNCATED} {offset} ({_readable(warning)})")
            if html:
                yield offset, record, payload
        if not records_seen:
            raise ArchiveLoadFailed("no WARC records in it")
        # warcio takes a record cut inside its headers for the end of the file.
        if (records.offset < os.fstat(handle.fileno()).st_size
                and not _blank_from(handle, records.offset)):
            raise ArchiveLoadFailed(f"{TRUNCATED} {records.offset} (a record's headers are "
                                    "incomplete)")


def read_warc(path: Path, ctx: InputContext) -> Iterator[InputItem]:
    """One item per HTML page in the archive; an unreadable archive is one failure."""
    base = str(path.resolve())
    try:
        for offset, record, payload in html_responses(path):
            url = record.rec_headers.get_header("WARC-Target-URI")
            ctype = record.http_headers.get_header("Content-Type") or "text/html"
            digest = hashlib.blake2b(payload, digest_size=8).hexdigest()
            source = ctx.source or host_source(url) or "local"
            raw = RawItem(source=source, body=Body.HTML, content=decode_body(payload, ctype)[0],
                          dates=ctx.dates(ctx.source), url=url, origin="warc")
            yield InputItem(f"{base}@{offset}|{digest}", f"{path}@{offset}", raw,
                            fetched_at=_warc_date(record))
    except (OSError, ArchiveLoadFailed, ValueError) as e:
        yield InputItem(f"{base}|unreadable", str(path),
                        error=f"not a readable WARC file: {_readable(str(e))}")


def count_warc(path: Path) -> int:
    """How many HTML pages the archive holds (for the progress bar); 1 if unreadable.

    Reads headers only: warcio skips the payloads nobody reads.
    """
    try:
        with path.open("rb") as handle:
            pages = _parsed(ArchiveIterator(handle), io.StringIO())  # read_warc says it
            return sum(1 for record in pages if _is_html_page(record))
    except (OSError, ArchiveLoadFailed, ValueError):
        return 1
