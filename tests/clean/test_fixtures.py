"""Each fixture under data/ is cleaned and checked against its `.expected.json`.

A fixture is `<case>.<txt|html>` plus `<case>.expected.json` with two objects:
`raw` (how to build the RawItem: body kind, url, feed title/date, timezone,
date_order, now) and `expected` (fields of the CleanArticle, and checks on its
text). All fixtures were written for this project.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from monitor.clean import clean_item
from monitor.models import Body, DateContext, RawItem

DATA = Path(__file__).parent / "data"
NOW = "2026-11-21T12:00:00+00:00"
CASES = sorted(p.name.removesuffix(".expected.json") for p in DATA.glob("*.expected.json"))


def load_case(case: str) -> tuple[RawItem, dict[str, Any]]:
    """The RawItem a fixture describes, and what cleaning it must give."""
    spec = json.loads((DATA / f"{case}.expected.json").read_text(encoding="utf-8"))
    raw = spec["raw"]
    source = next(p for p in DATA.glob(f"{case}.*") if not p.name.endswith(".json"))
    ctx = DateContext(
        timezone=raw.get("timezone", "Asia/Kolkata"),
        now=datetime.fromisoformat(raw.get("now", NOW)),
        date_order=raw.get("date_order", "DMY"),
    )
    item = RawItem(
        source=raw.get("source", "fixture"),
        body=Body(raw["body"]),
        content=source.read_text(encoding="utf-8"),
        dates=ctx,
        url=raw.get("url"),
        title=raw.get("title"),
        published=raw.get("published"),
        language=raw.get("language"),
    )
    return item, spec["expected"]


@pytest.mark.parametrize("case", CASES)
def test_fixture(case: str) -> None:
    raw, expected = load_case(case)
    article = clean_item(raw)
    for field in ("title", "author", "published_from", "language", "page_canonical_url"):
        if field in expected:
            assert getattr(article, field) == expected[field], field
    if "published" in expected:
        want = expected["published"]
        got = article.published.isoformat() if article.published else None
        assert got == want, article.problems
    text = article.text
    if "paragraphs" in expected:
        assert len(text.split("\n\n")) == expected["paragraphs"], text
    assert text.startswith(expected.get("text_startswith", "")), text[:200]
    assert text.endswith(expected.get("text_endswith", "")), text[-200:]
    for needle in expected.get("text_contains", []):
        assert needle in text, needle
    for needle in expected.get("text_excludes", []):
        assert needle not in text, needle
    for needle in expected.get("problems_contain", []):
        assert any(needle in p for p in article.problems), article.problems
