"""Properties that must hold for any input: idempotent URLs, total fingerprints (issue 5)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.dedupe import canonical_url, estimated_jaccard, fingerprint
from monitor.dedupe.fingerprint import BANDS, NUM_PERM
from monitor.models import FACT_MASK_BITS, fact_mask

hosts = st.sampled_from(["example.com", "www.example.com", "m.example.co.in", "amp.news.example"])
segments = st.lists(st.sampled_from(["news", "amp", "story-1", "index.html", "", "Kashmir"]),
                    max_size=4)
params = st.lists(st.tuples(st.sampled_from(["utm_source", "id", "fbclid", "amp", "page"]),
                            st.sampled_from(["1", "x", ""])), max_size=3)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["http", "https", "HTTPS"]), hosts, segments, params,
       st.sampled_from(["", "#top"]))
def test_canonical_form_is_idempotent(scheme, host, path, query, fragment) -> None:
    qs = "&".join(f"{k}={v}" for k, v in query)
    url = f"{scheme}://{host}/{'/'.join(path)}" + (f"?{qs}" if qs else "") + fragment
    once = canonical_url(url)
    assert once is not None and canonical_url(once) == once
    assert once.startswith("https://") and "#" not in once and "utm_" not in once


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=400))
def test_any_text_gives_a_valid_fingerprint(text: str) -> None:
    fp = fingerprint(text)
    assert all(0 <= v < 2**32 for v in fp.signature)
    assert all(-(2**63) <= k < 2**63 for k in fp.band_keys)
    if fp.signature:
        assert len(fp.signature) >= NUM_PERM and len(fp.band_keys) == BANDS
        assert estimated_jaccard(fp.signature, fp.signature) == 1.0


def test_hindi_copy_with_furniture_is_the_same_text() -> None:
    body = (
        "श्रीनगर में सोमवार को भारी बर्फबारी के कारण हवाई अड्डे से सभी उड़ानें रद्द कर दी गईं। "
        "अधिकारियों ने बताया कि रनवे से बर्फ हटाने का काम जारी है।\n\n"
        "मौसम विभाग ने अगले दो दिनों तक और बर्फबारी का अनुमान जताया है।"
    )
    dressed = f"Advertisement\n\n{body}\n\nFollow us on Google News"
    assert fingerprint(body).content_hash == fingerprint(dressed).content_hash
    other = fingerprint("जम्मू में मंगलवार को बाजार खुले रहे और यातायात सामान्य रहा, पुलिस ने कहा।")
    assert estimated_jaccard(fingerprint(body).signature, other.signature) < 0.2


# Hashes from a small range collide on the mask's bits often: the bound's hard case.
fact_sets = st.frozensets(st.integers(0, 3 * FACT_MASK_BITS), max_size=64)


@settings(max_examples=300, deadline=None)
@given(fact_sets, fact_sets)
def test_the_fact_mask_never_undercounts_shared_facts(a, b) -> None:
    """The story stage drops a candidate when this bound is below what it needs: the
    bound must never be below the facts really shared, or a story would be missed."""
    (bits_a, collided_a), (bits_b, collided_b) = fact_mask(a), fact_mask(b)
    assert len(a & b) <= (bits_a & bits_b).bit_count() + min(collided_a, collided_b)
