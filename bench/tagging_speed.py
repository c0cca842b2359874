"""Tagging throughput on generated 600-word articles with the full taxonomy (issue 6).

    python bench/tagging_speed.py [--articles 2000] [--rounds 5]

Articles are generated, not taken from any corpus: news-register filler words with
taxonomy aliases sprinkled in at about one word in 50 (some of them look-alikes
that rules must cancel, such as "Kashmir Singh" or "letter of credit (LoC)"), 80%
English, 10% Hindi and 10% Urdu. Each round tags every article once on one core;
the best round is reported (the machine is shared, so the best is the least
disturbed), along with the median.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.tagging import load_taxonomy, tag_article  # noqa: E402


def _words(text: str) -> list[str]:
    return text.split()


FILLER = {
    "en": _words(
        "the government said on Monday that officials would meet again next week to "
        "discuss the plan after protests in several districts where traders and workers "
        "had demanded more funds for roads schools and hospitals while the opposition "
        "called the decision a failure and police said the situation was under control "
        "as markets reopened and buses returned to the main highway in the morning"
    ),
    "hi": _words(
        "सरकार ने सोमवार को कहा कि अधिकारी अगले सप्ताह फिर से बैठक करेंगे और योजना पर "
        "चर्चा करेंगे जबकि विपक्ष ने फैसले की आलोचना की और पुलिस ने कहा कि स्थिति नियंत्रण "
        "में है बाजार फिर से खुल गए और बसें मुख्य सड़क पर लौट आईं"
    ),
    "ur": _words(
        "حکومت نے پیر کو کہا کہ حکام اگلے ہفتے دوبارہ ملاقات کریں گے اور منصوبے پر بات "
        "کریں گے جبکہ اپوزیشن نے فیصلے پر تنقید کی اور پولیس نے کہا کہ صورتحال قابو میں ہے "
        "بازار دوبارہ کھل گئے اور بسیں مرکزی سڑک پر واپس آ گئیں"
    ),
}
NAMES = {
    "en": [
        "Srinagar",
        "Jammu and Kashmir",
        "J&K",
        "Article 370",
        "Kashmir Singh",
        "letter of credit (LoC)",
        "the Valley",
        "Omar Abdullah",
        "National Conference",
        "Kupwara",
        "Line of Control",
        "Kashmiri chilli",
        "PoK",
        "Ladakh",
        "Samba",
        "Uri Geller",
        "Gilgit-Baltistan",
        "abrogation",
        "Mehbooba Mufti",
        "Kashmir",
    ],
    "hi": ["जम्मू-कश्मीर", "श्रीनगर", "अनुच्छेद 370", "कश्मीरी गेट", "लद्दाख", "पीओके"],
    "ur": ["آزاد کشمیر", "مظفرآباد", "کنٹرول لائن", "گلگت بلتستان", "کشمیری چائے"],
}


def make_article(rng: random.Random, words: int = 600) -> str:
    """One generated article of about `words` words, in sentences of 12-25 words."""
    lang = rng.choices(["en", "hi", "ur"], weights=[8, 1, 1])[0]
    stop = {"en": ".", "hi": "।", "ur": "۔"}[lang]
    out: list[str] = []
    count = 0
    while count < words:
        length = rng.randint(12, 25)
        sentence = []
        for _ in range(length):
            if rng.random() < 0.02:
                sentence.append(rng.choice(NAMES[lang]))
            else:
                sentence.append(rng.choice(FILLER[lang]))
        sentence[0] = sentence[0][:1].upper() + sentence[0][1:]
        out.append(" ".join(sentence) + stop)
        count += length
    return " ".join(out)


def run_speed(taxonomy_path: Path, articles: int = 2000, rounds: int = 5) -> int:
    """Print build time, alias count and articles/s (best and median of `rounds`)."""
    t0 = time.perf_counter()
    taxonomy = load_taxonomy(taxonomy_path)
    _ = taxonomy.matcher
    build = time.perf_counter() - t0
    rng = random.Random(6)
    texts = [make_article(rng) for _ in range(articles)]
    mentions = sum(len(tag_article(None, t, taxonomy).mentions) for t in texts[:200]) / 200
    rates = []
    for _ in range(rounds):
        start = time.perf_counter()
        for text in texts:
            tag_article(None, text, taxonomy)
        rates.append(articles / (time.perf_counter() - start))
    print(
        f"taxonomy: {len(taxonomy.concept_names)} concepts, {len(taxonomy.entries)} alias keys, "
        f"loaded and compiled in {build * 1000:.0f} ms"
    )
    print(f"articles: {articles} x ~600 words, {mentions:.1f} accepted mentions per article")
    print(
        f"tagging_speed best={max(rates):.0f}/s median={statistics.median(rates):.0f}/s "
        f"rounds={rounds} (one core)"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--taxonomy", type=Path, default=ROOT / "config" / "taxonomy.toml")
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args(argv)
    return run_speed(args.taxonomy, args.articles, args.rounds)


if __name__ == "__main__":
    sys.exit(main())
