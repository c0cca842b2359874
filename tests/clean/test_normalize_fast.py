"""`normalize.paragraphs`' ASCII path gives what `squash` on every block gives (issue 8)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.clean import normalize
from monitor.clean.normalize import paragraphs, squash

# Words, every kind of ASCII whitespace and control character, entities (which
# `_scrub` decodes, one of them to a non-ASCII character).
_PIECES = [*"ab .,\n\t\r\x00\x07\x0b\x0c\x1f\x7f&;", "&amp;", "&nbsp;", "\n\n", "  ", "word"]
_ASCII = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)


def _reference(text: str, lines_are_paragraphs: bool | None) -> list[str]:
    """`paragraphs` as written before the ASCII path: `squash` on every block."""
    text = normalize._scrub(text)
    if lines_are_paragraphs is None:
        lines_are_paragraphs = normalize._BLANK_LINE.search(text) is None
    blocks = text.split("\n") if lines_are_paragraphs else normalize._BLANK_LINE.split(text)
    return [p for p in map(squash, blocks) if p]


@settings(max_examples=500, deadline=None)
@given(_ASCII, st.sampled_from([None, True, False]))
def test_ascii_paragraphs_are_those_of_squash(text: str, lines: bool | None) -> None:
    assert paragraphs(text, lines_are_paragraphs=lines) == _reference(text, lines)


def test_non_ascii_text_still_squashed() -> None:
    text = "Srinagar\u00a0 police\u2003said.\n\n  कश्मीर \t घाटी  "
    assert paragraphs(text) == _reference(text, None) == ["Srinagar police said.", "कश्मीर घाटी"]
