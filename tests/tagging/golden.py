"""Texts and expected tagger output for the golden test (`test_golden.py`).

Written to make the tagger's output a fixed reference while its code is made faster
(issue 6): every mention (concept, surface, field, offsets, sentence), the concepts,
`related`, `relevance` and `explain_article`'s verdicts, for texts in English, Hindi
and Urdu that go through every path of the engine:

- generated texts that mix filler words with every alias, block phrase and rule
  word of the shipped taxonomy, in random case, quoted, hyphenated, with
  abbreviations, initials, blank lines, long words and punctuation runs (the
  proximity windows' edges), Urdu letter variants and harakat, Devanagari nukta
  and soft hyphens (the folded-to-original index);
- the throughput benchmark's generated 600-word articles (`bench/tagging_speed.py`);
- the rule cases written in `test_rules.py`.

The texts are stored in the fixture with their results, so the fixture does not
depend on this generator. Regenerate only after a deliberate change of the shipped
taxonomy or of what tagging returns (which also bumps `ENGINE_VERSION`):

    python -m tests.tagging.golden        # rewrites data/golden.expected.json
"""

from __future__ import annotations

import json
import random
import sys
import tomllib
from pathlib import Path
from typing import Any

from monitor.tagging import Taxonomy, explain_article, load_taxonomy, tag_article

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "config" / "taxonomy.toml"
FRUIT = Path(__file__).resolve().parent / "data" / "fruit.toml"  # concepts near/before/after
TAXONOMIES = {"shipped": SHIPPED, "fruit": FRUIT}
FIXTURE = Path(__file__).resolve().parent / "data" / "golden.expected.json"

FILLER = {
    "en": " ".join(
        ["the government said on Monday that officials would meet again next week in",
         "several districts where traders and workers demanded funds of roads a of"]
    ),
    "hi": "सरकार ने सोमवार को कहा कि अधिकारी अगले सप्ताह फिर से बैठक करेंगे के में",
    "ur": "حکومت نے پیر کو کہا کہ حکام اگلے ہفتے دوبارہ ملاقات کریں گے کے میں",
}  # fmt: skip
STOPS = [". ", ". ", "! ", "? ", "। ", "۔ ", "\n", "\n\n", ".\n", '." ', " \n \n", "? ("]
ODD = [
    "Art.", "Dr.", "J. K.", "U.S.", "-", "\u2013", "\u2014", "(", ")", ",", ";", ":", "'s",
    "\u2019s", "x" * 45, "=" * 44, "- - - - - - - - - - - - - - - - - - - - - -",
    "\u00ad", "\u200b", "&", "#", "/", "\u00a0",
]  # fmt: skip
QUOTES = [('"', '"'), ("\u201c", "\u201d"), ("'", "'"), ("\u00ab", "\u00bb")]
URDU_VARIANTS = str.maketrans({"\u06cc": "\u064a", "\u06a9": "\u0643", "\u06c1": "\u0647"})


def _rule_words(node: Any) -> list[str]:
    """Every `words` entry anywhere in the taxonomy file."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "words":
                found += [w.rstrip("*") for w in value]
            else:
                found += _rule_words(value)
    elif isinstance(node, list):
        for item in node:
            found += _rule_words(item)
    return found


def vocabulary(taxonomy: Taxonomy, path: Path) -> tuple[list[str], list[str]]:
    """(aliases and block phrases as written, rule words) of `taxonomy`, read from `path`."""
    names = sorted({e.alias for group in taxonomy.entries.values() for e in group})
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return names, sorted(set(_rule_words(data)))


def _dress(rng: random.Random, word: str) -> str:
    """A name or word as a text might write it."""
    roll = rng.random()
    if roll < 0.08:
        word = word.upper()
    elif roll < 0.14:
        word = word.lower()
    elif roll < 0.18:
        word = word.title()
    elif roll < 0.22:
        word = word.replace(" ", "-")
    elif roll < 0.26:
        word = word.translate(URDU_VARIANTS)
    elif roll < 0.29 and len(word) > 2:
        word = word[:2] + "\u064e" + word[2:]  # a haraka (removed by folding)
    elif roll < 0.32:
        word = word.replace("\u091c", "\u091c\u093c").replace("\u092b", "\u095e")  # nukta
    if rng.random() < 0.08:
        opening, closing = rng.choice(QUOTES)
        word = opening + word + closing
    return word


def make_text(rng: random.Random, names: list[str], words: list[str], sentences: int) -> str:
    out = []
    rate = rng.choice([0.03, 0.08, 0.2])  # a name per word: sparse texts leave rules unmet
    for _ in range(sentences):
        lang = rng.choice(["en", "en", "hi", "ur"])
        sentence = []
        for _ in range(rng.randint(3, 18)):
            roll = rng.random()
            if roll < rate:
                sentence.append(_dress(rng, rng.choice(names)))
            elif roll < rate + 0.2:
                sentence.append(_dress(rng, rng.choice(words)))
            elif roll < rate + 0.26:
                sentence.append(rng.choice(ODD))
            else:
                sentence.append(rng.choice(FILLER[lang].split()))
        if sentence and rng.random() < 0.7:
            sentence[0] = sentence[0][:1].upper() + sentence[0][1:]
        glue = "" if rng.random() < 0.05 else " "
        out.append(glue.join(sentence) + rng.choice(STOPS))
    return "".join(out)


def cases(taxonomies: dict[str, Taxonomy]) -> list[dict[str, str | None]]:
    """The golden inputs: taxonomy ("shipped" or "fruit"), title (or None) and text."""
    sys.path.insert(0, str(ROOT))
    from bench.tagging_speed import make_stream
    from tests.tagging.test_rules import CASES

    rng = random.Random(20261121)
    out: list[dict[str, str | None]] = []
    for name, count in (("shipped", 260), ("fruit", 60)):
        names, words = vocabulary(taxonomies[name], TAXONOMIES[name])
        for i in range(count):
            title = make_text(rng, names, words, 1).strip() if i % 3 == 0 else None
            text = make_text(rng, names, words, rng.randint(1, 12))
            out.append({"taxonomy": name, "title": title, "text": text})
    for kind, count in (("on-topic", 6), ("mixed", 4)):
        out += [{"title": None, "text": text} for text in make_stream(kind, count, seed=21)]
    out += [{"title": None, "text": text} for _, text, _ in CASES]
    out += [
        {"title": "Kashmir", "text": ""},
        {"title": "   ", "text": "Srinagar"},
        {"title": "Srinagar\u00ad talks", "text": "Kashmir\r\nJ&K\r\n\r\nthe Valley"},
        {"title": None, "text": "x" * 60 + " Kashmir " + "y" * 60 + " Singh."},
        {"title": None, "text": "The band ------------------------------------------ Kashmir."},
    ]
    return out


def tagged(taxonomy: Taxonomy, title: str | None, text: str) -> dict[str, Any]:
    """Everything the golden test compares, as JSON-ready data."""
    tagging = tag_article(title, text, taxonomy)
    return {
        "mentions": [
            [m.concept, m.surface, m.field, m.start, m.end, m.sentence] for m in tagging.mentions
        ],
        "concepts": list(tagging.concepts),
        "related": tagging.related,
        "relevance": tagging.relevance,
        "explain": [
            [e.concept, e.alias, e.surface, e.field, e.start, e.end, e.counted, e.reason]
            for e in explain_article(title, text, taxonomy)
        ],
    }


def main() -> int:
    taxonomies = {name: load_taxonomy(path) for name, path in TAXONOMIES.items()}
    records = []
    for case in cases(taxonomies):
        case.setdefault("taxonomy", "shipped")
        taxonomy = taxonomies[str(case["taxonomy"])]
        records.append(dict(case, expected=tagged(taxonomy, case["title"], case["text"] or "")))
    lines = [json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in records]
    FIXTURE.write_text("[\n" + ",\n".join(lines) + "\n]\n", encoding="utf-8")
    mentions = sum(len(r["expected"]["mentions"]) for r in records)
    print(f"{FIXTURE}: {len(records)} texts, {mentions} mentions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
