"""HTML fragments (feed summaries, JSONL snippets) to text, with BeautifulSoup.

A fragment is not a page: there is no boilerplate to find, only markup to drop.
BeautifulSoup's lenient parsing suits these small, often broken, snippets. Block
elements become paragraph breaks, `<br>` a line break, scripts and styles vanish.
"""

from __future__ import annotations

from bs4 import BeautifulSoup, Comment

from monitor.clean.normalize import normalize_text

__all__ = ["html_fragment_to_text"]

BLOCK_TAGS = (
    "p", "div", "li", "ul", "ol", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6",
    "tr", "table", "section", "article", "header", "footer", "pre", "figure", "figcaption",
)
DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg")
MAX_FRAGMENT = 2_000_000  # characters; a "summary" larger than this is not one


def html_fragment_to_text(html: str) -> str:
    """Clean text of an HTML fragment: paragraphs separated by blank lines; never raises."""
    if not html:
        return ""
    if "<" not in html:
        return normalize_text(html)
    try:
        soup = BeautifulSoup(html[:MAX_FRAGMENT], "lxml")
        for tag in soup(DROP_TAGS):
            tag.decompose()
        for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
            comment.extract()
        for br in soup.find_all("br"):
            br.replace_with("\n")
        for block in soup.find_all(BLOCK_TAGS):
            block.insert_before("\n\n")
            block.insert_after("\n\n")
        text = soup.get_text()
    except Exception:  # bs4/lxml on hostile input: fall back to no markup at all
        return ""
    return normalize_text(text, lines_are_paragraphs=False)
