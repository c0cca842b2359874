"""JSONL files in byte ranges: planned in the main process, parsed in the workers.

The main process only finds line ends, numbers the lines and hashes them (the
checkpoint key needs path, line number and a hash of the line: a few microseconds a
line); it hands the workers `(path, offset, length, first line)` chunks, and they
read, parse and analyse the lines themselves. Parsing the JSON, building `RawItem`s
and pickling them to the workers used to cost the main process, which also runs the
ordered writer, about 1 ms an article (BENCHMARKS.md "Backfill").

Keys, line numbers and messages are those of `inputs.read_jsonl`: a line is what
iterating the file in binary mode yields (up to and including b"\\n").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..models import DateContext
from ..timeutil import now_utc
from .inputs import _digest, _jsonl_item
from .items import InputContext, InputItem

__all__ = ["CHUNK_LINES", "JsonlChunk", "SourceDates", "plan_jsonl", "read_chunk"]

CHUNK_LINES = 16  # non-blank lines a chunk: the workers' unit, as for other inputs


@dataclass(frozen=True)
class JsonlChunk:
    """Lines `first`.. of a JSONL file, `length` bytes from `offset`; `skip` holds the
    numbers of lines a previous run already checkpointed (counted in the main process)."""

    path: str  # as given, for messages (path:line)
    base: str  # resolved path, for keys
    offset: int
    length: int
    first: int
    skip: frozenset[int] = frozenset()


@dataclass(frozen=True)
class SourceDates:
    """A picklable `InputContext.dates` for the workers: each configured source's zone
    and date order, and the monitor's for any other name (`App.date_context`)."""

    sources: dict[str, tuple[str, str]]
    default: tuple[str, str]
    given: str | None  # --source: the zone of items that name no source

    def __call__(self, name: str | None, now: datetime | None = None) -> DateContext:
        if name:
            tz, order = self.sources.get(name, self.default)
        else:
            tz, order = self.sources.get(self.given, self.default) if self.given else self.default
        return DateContext(timezone=tz, now=now or now_utc(), date_order=order)


def plan_jsonl(path: Path) -> Iterator[tuple[JsonlChunk, list[str]]]:
    """Chunks of up to CHUNK_LINES non-blank lines, each with its lines' keys in order.
    An unreadable file yields nothing here: `read_jsonl` reports it."""
    base = str(path.resolve())
    with path.open("rb") as handle:
        start = offset = 0
        first = 1
        keys: list[str] = []
        for number, line in enumerate(handle, start=1):
            offset += len(line)
            if line.strip():
                keys.append(f"{base}#{number}|{_digest(line)}")
            if len(keys) == CHUNK_LINES:
                yield JsonlChunk(str(path), base, start, offset - start, first), keys
                start, first, keys = offset, number + 1, []
        if keys:
            yield JsonlChunk(str(path), base, start, offset - start, first), keys


def _lines(data: bytes) -> Iterator[bytes]:
    """The lines of `data` as binary file iteration yields them."""
    pieces = data.split(b"\n")
    for piece in pieces[:-1]:
        yield piece + b"\n"
    if pieces[-1]:
        yield pieces[-1]


def read_chunk(chunk: JsonlChunk, ctx: InputContext) -> list[InputItem]:
    """The chunk's items not yet checkpointed (in a worker), as `read_jsonl` builds them."""
    with open(chunk.base, "rb") as handle:
        handle.seek(chunk.offset)
        data = handle.read(chunk.length)
    items = []
    for number, line in enumerate(_lines(data), start=chunk.first):
        if not line.strip() or number in chunk.skip:
            continue
        key = f"{chunk.base}#{number}|{_digest(line)}"
        items.append(_jsonl_item(line, f"{chunk.path}:{number}", key, ctx))
    return items
