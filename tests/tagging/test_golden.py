"""The tagger's output on a fixed set of texts does not change (issue 6 speed work).

`data/golden.expected.json` holds texts in English, Hindi and Urdu with what the
tagger returned for them (see `golden.py`, which also regenerates it): every
mention with its offsets and sentence, the concepts, `related`, `relevance` and the
explanations. A faster engine must return exactly the same.
"""

from __future__ import annotations

import json

import pytest

from monitor.tagging import Taxonomy
from tests.tagging.golden import FIXTURE, tagged

RECORDS = json.loads(FIXTURE.read_text(encoding="utf-8"))


def test_the_fixture_covers_the_three_scripts_and_both_fields() -> None:
    texts = " ".join(r["text"] for r in RECORDS)
    assert "\u0915\u0936\u094d\u092e\u0940\u0930" in texts  # कश्मीर
    assert "\u06a9\u0634\u0645\u06cc\u0631" in texts  # کشمیر
    fields = {m[2] for r in RECORDS for m in r["expected"]["mentions"]}
    assert fields == {"title", "text"}
    assert sum(len(r["expected"]["mentions"]) for r in RECORDS) > 1500


@pytest.mark.parametrize("i", range(len(RECORDS)))
def test_same_output_as_recorded(shipped: Taxonomy, fruit: Taxonomy, i: int) -> None:
    record = RECORDS[i]
    taxonomy = {"shipped": shipped, "fruit": fruit}[record["taxonomy"]]
    assert tagged(taxonomy, record["title"], record["text"]) == record["expected"]
