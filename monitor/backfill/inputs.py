"""Backfill inputs: find them, detect their kind once, read each into `InputItem`s.

Each reader turns one input into items with a stable key (the checkpoint that makes a
rerun skip what is done) and either a `RawItem` or the reason it could not be read.
The readers share nothing but this shape, so a new input kind is one function and
one line in `READERS` (STYLE.md 4).
"""

from __future__ import annotations

import codecs
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from ..models import Body, RawItem
from .items import InputContext, InputItem, host_source
from .warc import count_warc, read_warc

__all__ = ["READERS", "InputContext", "InputItem", "count_items", "discover", "read_input"]


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=8).hexdigest()


def _decode(data: bytes) -> tuple[str | None, str | None]:
    """Text of a file, or why it is not text. UTF-16 by its BOM, else UTF-8 (BOM or
    not), then Windows-1252."""
    binary = "not a text file (binary content)"
    # Windows saves "Unicode" text as UTF-16 with a BOM, half of its bytes NUL: the BOM,
    # not the NULs, says what such a file is.
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")  # the BOM gives the byte order
        except UnicodeDecodeError:
            return None, binary
        return (None, binary) if "\x00" in text[:4096] else (text, None)
    if b"\x00" in data[:4096]:
        return None, binary
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), None


def _file_item(path: Path, body: Body, ctx: InputContext) -> Iterator[InputItem]:
    where = str(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        yield InputItem(f"{path}|unreadable", where, error=f"cannot read: {e.strerror or e}")
        return
    text, error = _decode(data)
    key = f"{path.resolve()}|{_digest(data)}"
    if text is None:
        yield InputItem(key, where, error=error)
        return
    source = ctx.source or "local"
    yield InputItem(
        key,
        where,
        RawItem(
            source=source,
            body=body,
            content=text,
            dates=ctx.dates(ctx.source),
            url=path.resolve().as_uri(),
            origin="file",
        ),
    )


def read_txt(path: Path, ctx: InputContext) -> Iterator[InputItem]:
    """A .txt is one article: the desk's format or a page saved as text."""
    return _file_item(path, Body.TEXT_PAGE, ctx)


def read_html(path: Path, ctx: InputContext) -> Iterator[InputItem]:
    return _file_item(path, Body.HTML, ctx)


def _optional_str(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _jsonl_item(line: bytes, where: str, key: str, ctx: InputContext) -> InputItem:
    try:
        record = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        return InputItem(key, where, error=f"not valid JSON: {e}")
    if not isinstance(record, dict):
        return InputItem(key, where, error="a line must be a JSON object")
    text, html = _optional_str(record, "text"), _optional_str(record, "html")
    if not (text and text.strip()) and not (html and html.strip()):
        return InputItem(key, where, error="needs a non-empty `text` or `html` field")
    url = _optional_str(record, "url")
    source = _optional_str(record, "source") or ctx.source or host_source(url) or "local"
    raw = RawItem(
        source=source,
        body=Body.TEXT if text and text.strip() else Body.HTML,
        content=text if text and text.strip() else html or "",
        dates=ctx.dates(source),
        url=url,
        title=_optional_str(record, "title"),
        published=_optional_str(record, "published"),
        author=_optional_str(record, "author"),
        language=_optional_str(record, "language"),
        origin="jsonl",
    )
    return InputItem(key, where, raw)


def read_jsonl(path: Path, ctx: InputContext) -> Iterator[InputItem]:
    """One article a line; a bad line is reported with its number and the rest go on."""
    try:
        handle = path.open("rb")
    except OSError as e:
        yield InputItem(f"{path}|unreadable", str(path), error=f"cannot read: {e.strerror or e}")
        return
    base = str(path.resolve())
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            yield _jsonl_item(line, where, f"{base}#{number}|{_digest(line)}", ctx)


Reader = Callable[[Path, InputContext], Iterable[InputItem]]

# File endings -> readers. Longer endings first (".warc.gz" before ".gz").
READERS: dict[str, Reader] = {
    ".txt": read_txt,
    ".html": read_html,
    ".htm": read_html,
    ".jsonl": read_jsonl,
    ".warc": read_warc,
    ".warc.gz": read_warc,
}


def _reader_for(path: Path) -> Reader | None:
    name = path.name.lower()
    for ending in sorted(READERS, key=len, reverse=True):
        if name.endswith(ending):
            return READERS[ending]
    return None


def discover(inputs: Iterable[str]) -> Iterator[tuple[str, Path | None, str | None]]:
    """(input as given, file path or None, problem or None), folders walked in order.

    A file reached twice (a folder and a file in it, two spellings of one path) is
    read once: the first time. Checkpoints alone would not do, since a JSONL line
    without a `url` would be stored twice in one run.
    """
    seen: set[Path] = set()
    for given, path, problem in _walk(inputs):
        if path is not None and problem is None:  # problems: each link or name as given
            real = path.resolve()
            if real in seen:
                continue
            seen.add(real)
        yield given, path, problem


def _walk(inputs: Iterable[str]) -> Iterator[tuple[str, Path | None, str | None]]:
    for given in inputs:
        path = Path(given)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_symlink() and not child.exists():
                    yield given, child, "broken link (its target does not exist)"
                elif child.is_file() and _reader_for(child) is not None:
                    yield given, child, None
        elif path.is_file():
            if _reader_for(path) is None:
                yield given, path, f"unsupported file type (known: {', '.join(READERS)})"
            else:
                yield given, path, None
        else:
            yield given, None, "no such file or folder"


def read_input(path: Path, ctx: InputContext) -> Iterable[InputItem]:
    reader = _reader_for(path)
    if reader is None:
        return [InputItem(f"{path}|unsupported", str(path), error="unsupported file type")]
    return reader(path, ctx)


def count_items(paths: Iterable[Path]) -> int:
    """A cheap total for the progress bar: files, JSONL lines, WARC pages."""
    total = 0
    for path in paths:
        name = path.name.lower()
        if name.endswith((".warc", ".warc.gz")):
            total += count_warc(path)
        elif name.endswith(".jsonl"):
            try:
                with path.open("rb") as handle:
                    total += sum(1 for line in handle if line.strip())
            except OSError:
                total += 1
        else:
            total += 1
    return total
