"""Text normalisation shared by every cleaner (issue 4).

One function decides what "clean text" means for the whole project: Unicode NFC,
HTML entities decoded, control characters and invisible junk removed, whitespace
collapsed inside a paragraph, and paragraphs kept as blocks separated by one blank
line. Punctuation (curly quotes, dashes) and the joiners that Devanagari and Urdu
need (U+200C ZWNJ, U+200D ZWJ) are kept as they are.

Contains no extraction logic: callers decide what the paragraphs are.
"""

from __future__ import annotations

import html
import re
import unicodedata

__all__ = ["normalize_text", "paragraphs", "squash"]

# Invisible characters that carry no meaning in running text. ZWNJ/ZWJ are *not* here:
# they change how Devanagari and Arabic-script words are written.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff\u00ad\ufffe\uffff"), None)
# C0/C1 control characters except tab and newline (binary bodies, stray NULs).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ASCII_CONTROL = bytes([*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F])
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v\u00a0\u2000-\u200a\u3000]*\n")


def squash(text: str) -> str:
    """Collapse every run of whitespace (newlines included) to one space; strip the ends."""
    # Printable text has no whitespace but the ASCII space (every other kind is a
    # control or separator character), so most paragraphs are checked, not rebuilt.
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    # str.split() and the regex \s agree on what is whitespace (both Py_UNICODE_ISSPACE),
    # and splitting is several times faster than substituting every single space.
    return " ".join(text.split())


def _scrub(text: str) -> str:
    """Decode entities, drop invisible and control characters, repair lone surrogates."""
    if "&" in text:
        text = html.unescape(text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.isascii():
        # Most text: no surrogates, invisible characters or non-NFC forms are possible;
        # control characters are found by a byte pass rather than a regex scan.
        raw = text.encode("ascii")
        if len(raw.translate(None, _ASCII_CONTROL)) != len(raw):
            text = _CONTROL.sub(" ", text)
        return text
    # Lone surrogates (from surrogateescape decoding) would break any later encode().
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = text.translate(_INVISIBLE)
    text = _CONTROL.sub(" ", text)
    return unicodedata.normalize("NFC", text)


def paragraphs(text: str, *, lines_are_paragraphs: bool | None = None) -> list[str]:
    """Split `text` into normalised, non-empty paragraphs.

    With `lines_are_paragraphs` None the text decides: if it has any blank line,
    blank lines separate paragraphs and single newlines are mere wrapping; otherwise
    every line is a paragraph (extractor output, JSONL text written one line per
    paragraph). The trade-off: a hard-wrapped text without blank lines comes out one
    line per paragraph, which loses nothing but layout.
    """
    text = _scrub(text)
    if lines_are_paragraphs is None:
        lines_are_paragraphs = _BLANK_LINE.search(text) is None
    blocks = text.split("\n") if lines_are_paragraphs else _BLANK_LINE.split(text)
    if text.isascii():
        return _ascii_paragraphs(blocks)
    out = []
    for block in blocks:
        para = squash(block)
        if para:
            out.append(para)
    return out


def _ascii_paragraphs(blocks: list[str]) -> list[str]:
    """`squash` of each block of a scrubbed ASCII text, the empty ones left out.

    `_scrub` left no control character in it but tab and newline, so a block
    without those is printable: two `in` tests (memchr) instead of `isprintable`,
    which looks each character up in the Unicode tables (a fifth of cleaning a
    500-word text, issue 8).
    """
    out = []
    for block in blocks:
        if (
            "\n" in block or "\t" in block or "  " in block
            or block[:1] == " " or block[-1:] == " "
        ):
            block = " ".join(block.split())
        if block:
            out.append(block)
    return out


def normalize_text(text: str, *, lines_are_paragraphs: bool | None = None) -> str:
    """Return `text` as clean paragraphs joined by one blank line (see `paragraphs`)."""
    return "\n\n".join(paragraphs(text, lines_are_paragraphs=lines_are_paragraphs))
