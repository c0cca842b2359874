"""Bytes to text: the charset from the BOM, the header, the XML prolog or a meta tag.

Order (after WHATWG "encoding sniffing" and XML 1.0 appendix F): a byte-order mark
wins; then the HTTP `charset` parameter; then `<?xml ... encoding=...?>`; then
`<meta charset>` / `<meta http-equiv content-type>` in the first 4 KB (UTF-16
declared in the document itself means UTF-8, as in WHATWG's prescan). A declared
charset that fails to decode is a wrong declaration: we try the next candidate,
then UTF-8. When nothing decodes strictly, a body that is UTF-8 but for a few bad
bytes (a CMS that cut a summary mid-character) is read as UTF-8 with U+FFFD for
those bytes: one cut character must not turn a whole Hindi feed into mojibake.
Only a body that is not mostly UTF-8 (real legacy 8-bit text) falls back to
windows-1252 with replacement, which always succeeds. So decoding never raises.

Trade-off: a body declared Latin-1 (or windows-1252, or ASCII) that is valid UTF-8
with non-ASCII bytes is read as UTF-8. Real Latin-1 text is almost never valid
UTF-8, while UTF-8 served with a stale Latin-1 header is common.
"""

from __future__ import annotations

import codecs
import re

__all__ = ["declared_charsets", "decode_body", "to_utf8_xml"]

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_XML_PROLOG = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([\w.:-]+)[\"']", re.I)
_META = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_XML_DECL = re.compile(r"^(\s*<\?xml[^>]*?encoding\s*=\s*)([\"'])[\w.:-]+\2", re.I)
_LATIN = {"iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii", "windows-1252", "cp1252"}
_WIDE = ("utf-16", "utf-32")  # codec names as codecs.lookup gives them


def _known(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


_LATIN_CODECS = frozenset(filter(None, map(_known, _LATIN)))


def declared_charsets(body: bytes, content_type: str | None) -> list[str]:
    """Candidate charsets in order of authority (normalised codec names, no repeats)."""
    found: list[str] = []
    for bom, name in _BOMS:
        if body.startswith(bom):
            return [name]
    if content_type and (m := _HEADER_CHARSET.search(content_type)):
        found.append(m.group(1))
    head = body[:4096]
    in_document: list[str] = []
    if m := _XML_PROLOG.match(head):
        in_document.append(m.group(1).decode("ascii"))
    if m := _META.search(head):
        in_document.append(m.group(1).decode("ascii"))
    # A declaration we could read as ASCII bytes cannot be in a UTF-16 (or UTF-32)
    # document, and a real one starts with a BOM (handled above): WHATWG's prescan
    # rule reads such a declaration as UTF-8, rather than garbling the page.
    found += ["utf-8" if (_known(n.lower()) or "").startswith(_WIDE) else n
              for n in in_document]
    out: list[str] = []
    for name in found:
        codec = _known(name.lower())
        if codec and codec not in out:
            out.append(codec)
    return out


def decode_body(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """(text, charset used); never raises."""
    candidates = declared_charsets(body, content_type)
    if (candidates and candidates[0] in _LATIN_CODECS and not body.isascii()
            and _mostly_utf8(body, declared=False)):
        # UTF-8 behind a stale Latin-1 header (see the trade-off above), even when a
        # CMS cut one of its characters: Latin-1 would "succeed" and garble it all
        return _utf8(body), "utf-8"
    for name in [*candidates, "utf-8"]:
        try:
            text = body.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        return text.lstrip("\ufeff"), name
    if _mostly_utf8(body, declared="utf-8" in candidates):
        return _utf8(body), "utf-8"
    return body.decode("windows-1252", errors="replace"), "windows-1252"


def _utf8(body: bytes) -> str:
    return body.decode("utf-8", errors="replace").lstrip("\ufeff")


def _mostly_utf8(body: bytes, *, declared: bool) -> bool:
    """Whether the body is UTF-8, allowing a few invalid bytes.

    Legacy 8-bit text almost never forms valid multi-byte UTF-8 sequences, so nearly
    all its non-ASCII characters come out invalid; UTF-8 cut mid-character has only
    the cut bytes invalid among many good characters. When the document says UTF-8
    a clear majority of good characters is enough; otherwise it must be overwhelming.
    """
    # Every page of a legacy-charset site comes through here: C passes only (a strict
    # decode that succeeds, else one with U+FFFD counted), no regex over the body.
    try:
        body.decode("utf-8")
        return True
    except UnicodeDecodeError:
        pass
    ratio = 2 if declared else 10
    # The opening first: legacy text shows what it is there (one cut character at the
    # 64 KB mark is one bad byte, lost in any page with enough text to matter). An
    # opening of plain ASCII (64 KB of inline script before the text) says nothing.
    head = body[:65536]
    if len(head) < len(body):
        good, bad = _counts(head)
        if bad and good < ratio * bad:
            return False
    good, bad = _counts(body)
    return good > 0 and good >= ratio * bad


def _counts(body: bytes) -> tuple[int, int]:
    """(good non-ASCII characters, invalid bytes) of `body` read as UTF-8."""
    text = body.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    return len(text) - len(text.encode("ascii", "ignore")) - bad, bad


def to_utf8_xml(text: str) -> bytes:
    """Re-encode decoded XML as UTF-8, its prolog saying so (for XML parsers)."""
    return _XML_DECL.sub(r"\1\2utf-8\2", text, count=1).encode("utf-8")
