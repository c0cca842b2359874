"""Fingerprints: what the store keeps, what they ignore, how fast (issue 5)."""

from __future__ import annotations

import time

from monitor.dedupe import estimated_jaccard, fingerprint
from monitor.dedupe.fingerprint import BANDS, NUM_PERM, fact_overlap
from monitor.dedupe.text import body_paragraphs

from .conftest import text


def test_shape_of_a_fingerprint() -> None:
    fp = fingerprint(text("wire-original"))
    assert len(fp.signature) > NUM_PERM  # MinHash values, then the fact sketch
    assert all(0 <= v < 2**32 for v in fp.signature)
    assert len(fp.band_keys) == BANDS
    assert all(-(2**63) <= k < 2**63 for k in fp.band_keys)
    assert len(set(fp.band_keys)) == BANDS  # the band index is part of every key
    assert fp.content_hash and fp.shingles > 0


def test_fingerprint_is_deterministic() -> None:
    assert fingerprint(text("wire-original")) == fingerprint(text("wire-original"))


def test_empty_text_has_no_signature() -> None:
    fp = fingerprint("")
    assert fp.signature == () and fp.band_keys == () and fp.shingles == 0


def test_furniture_and_spelling_variants_do_not_change_the_hash() -> None:
    body = "The council approved the plan on Monday, officials said.\n\nIt costs Rs 12 crore."
    dressed = (
        "Listen to this article\n\nSRINAGAR: The council approved the plan Monday, officials "
        "said.\n\nAdvertisement\n\nIt costs ₹12 crore.\n\nAlso Read | Another story\n\n"
        "With inputs from PTI\n\nFollow Some Paper on Google News for the latest updates."
    )
    assert fingerprint(body).content_hash == fingerprint(dressed).content_hash


def test_datelines_and_agency_codes_are_furniture() -> None:
    paras = body_paragraphs(text("wire-original"))
    assert paras[0].startswith("A 220-metre steel bridge")
    assert not any(p.startswith("PTI") for p in paras)


def test_a_syndicated_copy_is_near_and_another_event_is_not() -> None:
    original = fingerprint(text("wire-original"))
    copy = fingerprint(text("wire-syndicated"))
    other = fingerprint(text("report-agency-a"))
    assert estimated_jaccard(original.signature, copy.signature) > 0.6
    assert estimated_jaccard(original.signature, other.signature) < 0.05
    assert set(original.band_keys) & set(copy.band_keys)


def test_two_reports_of_one_event_share_facts_not_wording() -> None:
    a, b = fingerprint(text("report-agency-a")), fingerprint(text("report-own-b"))
    assert estimated_jaccard(a.signature, b.signature) < 0.1
    jaccard, _, shared = fact_overlap(a.signature, b.signature)
    assert jaccard > 0.3 and shared >= 5


def test_speed_is_in_the_thousands_per_second() -> None:
    # Issue 5 asks >= 2,000 articles/s; this test only guards against a collapse
    # (a shared CI core), bench/dedup.py measures it properly.
    article = "\n\n".join([text("wire-original"), text("report-agency-a"), text("market-day1"),
                           text("encounter-kulgam")] * 2)
    start = time.process_time()  # CPU time: other jobs on the machine do not count
    for _ in range(200):
        fingerprint(article)
    assert 200 / (time.process_time() - start) > 300
