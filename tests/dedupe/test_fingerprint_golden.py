"""Fingerprints are stored: the same text must give the same bits across releases.

Signatures and band keys live in the corpus (issue 5), so a change to tokens, facts
or hashing that moves any of them needs a re-index; a speed-up must not. The
expected values in data/fingerprints.json were computed before the speed work of
issue 8 and are compared bit for bit (content hash, shingle count, and digests of
the signature and band keys).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import xxhash

from monitor.dedupe import fingerprint

DATA = Path(__file__).resolve().parent / "data"
CLEAN_DATA = Path(__file__).resolve().parents[1] / "clean" / "data"
GOLDEN = DATA / "fingerprints.json"

# Short texts that exercise the token and fact rules: datelines, agency tags,
# figures with separators, Unicode punctuation, scripts without case.
EXTRA = {
    "dateline-figures": "SRINAGAR, Jan 8 (PTI): The council approved Rs 1,00,000 for 3.5 km "
    "of road, up 12% on 2023. Officials said work starts on Monday.\n\nPTI BPG DHA",
    "unicode-punct": "“We will reopen it,” said Omar Abdullah – the chief minister… It cost "
    "₹12 crore, 40 pc more than planned.",
    "hindi": "श्रीनगर में सोमवार को इस मौसम की पहली बर्फबारी हुई, जिससे शहर की कई सड़कों "
    "पर यातायात धीमा हो गया। 12 उड़ानें रद्द हुईं।",
    "urdu": "سری نگر میں پیر کے روز اس موسم کی پہلی برف باری ہوئی جس سے شہر کی کئی "
    "سڑکوں پر ٹریفک سست ہو گئی۔ 12 پروازیں منسوخ ہوئیں۔",
    "short-with-title": "Snow closed the road.",
    "empty": "",
}


def _texts() -> dict[str, str]:
    texts = {p.stem: p.read_text("utf-8") for p in sorted(DATA.glob("*.txt"))}
    texts |= {f"clean-{p.stem}": p.read_text("utf-8") for p in sorted(CLEAN_DATA.glob("*.txt"))}
    return texts | EXTRA


def _summary(text: str) -> dict[str, object]:
    fp = fingerprint(text, "Mughal Road closed after snow")
    return {
        "content_hash": fp.content_hash,
        "shingles": fp.shingles,
        "values": len(fp.signature),
        "signature": xxhash.xxh3_64_hexdigest(repr(fp.signature).encode()),
        "band_keys": xxhash.xxh3_64_hexdigest(repr(fp.band_keys).encode()),
    }


@pytest.mark.parametrize("name", sorted(_texts()))
def test_fingerprint_bits_are_unchanged(name: str) -> None:
    expected = json.loads(GOLDEN.read_text("utf-8"))
    assert _summary(_texts()[name]) == expected[name]


if __name__ == "__main__":  # regenerate (only with a re-index of stored corpora)
    summaries = {name: _summary(text) for name, text in sorted(_texts().items())}
    GOLDEN.write_text(json.dumps(summaries, indent=1, ensure_ascii=False) + "\n", "utf-8")
