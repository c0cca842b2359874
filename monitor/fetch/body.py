"""Reading a response body under a byte cap, decompressing it ourselves.

HTTP libraries that decompress for us (httpx, which fetched before `http.client` did)
inflate a whole network chunk at once: one 64 KB gzip chunk can become 64 MB before
anyone counts. Here every decoder is asked for at most `limit` bytes of output at a
time (zlib's `max_length`, brotli's `output_buffer_limit`), so a gzip or brotli bomb
stops at `max_bytes` with only a few chunks in memory (issue 3: "the cap enforced while
streaming and after decompression").

Content codings (RFC 9110 8.4.1): `gzip`, `x-gzip`, `deflate` (zlib-wrapped, or raw
as some servers send it), `br`, `identity`. Several codings are undone in reverse
order of listing.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator

import brotli

__all__ = ["SUPPORTED_CODINGS", "BodyTooLarge", "CorruptBody", "read_capped"]

STEP = 64 * 1024  # most output produced per decompression call


class BodyTooLarge(Exception):
    """More than the cap arrived (on the wire or after decompression)."""

    def __init__(self, limit: int, decoded: bool) -> None:
        self.limit = limit
        self.decoded = decoded
        where = "after decompression" if decoded else "on the wire"
        super().__init__(f"body larger than max_bytes={limit} ({where})")


class CorruptBody(Exception):
    """The compressed body could not be decompressed."""


class _Zlib:
    def __init__(self, wbits: int) -> None:
        self._wbits = wbits
        self._d = zlib.decompressobj(wbits)
        self._first = True

    def feed(self, data: bytes) -> Iterator[bytes]:
        try:
            yield from self._drain(data)
        except zlib.error as e:
            if self._first and self._wbits == zlib.MAX_WBITS:
                # "deflate" is often sent raw (no zlib header): retry as raw deflate.
                self._wbits, self._d, self._first = -zlib.MAX_WBITS, zlib.decompressobj(
                    -zlib.MAX_WBITS), False
                yield from self._drain(data)
                return
            raise CorruptBody(f"bad compressed data: {e}") from e
        self._first = False

    def _drain(self, data: bytes) -> Iterator[bytes]:
        out = self._d.decompress(data, STEP)
        while out:
            yield out
            out = self._d.decompress(self._d.unconsumed_tail, STEP)

    def finish(self) -> Iterator[bytes]:
        try:
            out = self._d.flush()
        except zlib.error as e:
            raise CorruptBody(f"bad compressed data: {e}") from e
        if out:
            yield out


class _Brotli:
    def __init__(self) -> None:
        self._d = brotli.Decompressor()

    def feed(self, data: bytes) -> Iterator[bytes]:
        try:
            out = self._d.process(data, output_buffer_limit=STEP)
            while True:
                if out:
                    yield out
                if self._d.can_accept_more_data():
                    return
                out = self._d.process(b"", output_buffer_limit=STEP)
        except brotli.error as e:
            raise CorruptBody(f"bad brotli data: {e}") from e

    def finish(self) -> Iterator[bytes]:
        return iter(())


class _Identity:
    def feed(self, data: bytes) -> Iterator[bytes]:
        if data:
            yield data

    def finish(self) -> Iterator[bytes]:
        return iter(())


SUPPORTED_CODINGS = {
    "gzip": lambda: _Zlib(zlib.MAX_WBITS | 16),
    "x-gzip": lambda: _Zlib(zlib.MAX_WBITS | 16),
    "deflate": lambda: _Zlib(zlib.MAX_WBITS),
    "br": _Brotli,
    "identity": _Identity,
}


def _chain(codings: list[str]) -> list[_Zlib | _Brotli | _Identity]:
    # Listed in the order applied; undo them last first (RFC 9110 8.4).
    decoders = []
    for name in reversed(codings):
        make = SUPPORTED_CODINGS.get(name)
        if make is None:
            raise CorruptBody(f"unsupported content coding {name!r}")
        decoders.append(make())
    return decoders


def _through(decoders: list, chunk: bytes) -> Iterator[bytes]:  # type: ignore[type-arg]
    """Push one chunk through the decoder chain, yielding bounded pieces."""
    if not decoders:
        yield chunk
        return
    head, rest = decoders[0], decoders[1:]
    for piece in head.feed(chunk):
        yield from _through(rest, piece)


def _finish(decoders: list) -> Iterator[bytes]:  # type: ignore[type-arg]
    for i, decoder in enumerate(decoders):
        for piece in decoder.finish():
            yield from _through(decoders[i + 1 :], piece)


def read_capped(
    raw_chunks: Iterable[bytes], content_encoding: str | None, limit: int
) -> tuple[bytes, int]:
    """The decoded body and the number of bytes read on the wire.

    Raises BodyTooLarge as soon as either count passes `limit`, CorruptBody when the
    compressed data is bad. Memory stays about `limit` plus a few `STEP`s.
    """
    codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    decoders = _chain(codings)
    out = bytearray()
    wire = 0
    for chunk in raw_chunks:
        wire += len(chunk)
        if wire > limit:
            raise BodyTooLarge(limit, decoded=False)
        for piece in _through(decoders, chunk):
            out += piece
            if len(out) > limit:
                raise BodyTooLarge(limit, decoded=True)
    for piece in _finish(decoders):
        out += piece
        if len(out) > limit:
            raise BodyTooLarge(limit, decoded=True)
    return bytes(out), wire
