"""Tagging throughput on generated 600-word articles with the full taxonomy (issue 6).

    python bench/tagging_speed.py [--articles 2000] [--rounds 5]
    TAGGING_CODE=/tmp/before python bench/tagging_speed.py   # another tree's `monitor`

`TAGGING_CODE` names a folder holding another version of the `monitor` package (for
example `git archive <commit> monitor | tar -x -C /tmp/before`): the same streams
then measure that code, for before/after figures run alternately on a busy machine.

Articles are generated, not taken from any corpus: news-register filler words in
sentences of 12-25 words, 80% English, 10% Hindi and 10% Urdu, with names from
`NAMES` (taxonomy aliases and look-alikes that rules must cancel, such as "Kashmir
Singh" or "letter of credit (LoC)") sprinkled in. Two streams are measured:

- `on-topic`: every article carries a name in about one word in 50 (about ten
  accepted mentions each): the worst case, a feed of nothing but Kashmir news;
- `mixed`: what a monitor sees: 70% of articles carry no name at all, 10% one
  look-alike, 20% are on-topic as above;
- `unrelated`: no name at all, the floor (folding and one automaton pass).

`--extra-aliases N` appends N made-up aliases (pseudo-words, in concepts of 10) to
the taxonomy, to show that the cost does not grow with the number of aliases: the
automaton makes one pass over the text whatever it holds.

Each round tags every article once in this process (one core); the rate uses CPU
time (`time.process_time`), which other processes on a shared machine disturb
less than wall time, and the best of the rounds is reported with the median.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import string
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, os.environ.get("TAGGING_CODE", str(ROOT)))

from monitor.tagging import Taxonomy, load_taxonomy, tag_article  # noqa: E402


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


def make_article(rng: random.Random, words: int = 600, rate: float = 0.02) -> str:
    """One article of about `words` words; a word is a name with probability `rate`."""
    lang = rng.choices(["en", "hi", "ur"], weights=[8, 1, 1])[0]
    stop = {"en": ".", "hi": "।", "ur": "۔"}[lang]
    out: list[str] = []
    count = 0
    while count < words:
        length = rng.randint(12, 25)
        sentence = []
        for _ in range(length):
            if rng.random() < rate:
                sentence.append(rng.choice(NAMES[lang]))
            else:
                sentence.append(rng.choice(FILLER[lang]))
        sentence[0] = sentence[0][:1].upper() + sentence[0][1:]
        out.append(" ".join(sentence) + stop)
        count += length
    return " ".join(out)


def make_stream(kind: str, articles: int, seed: int = 6) -> list[str]:
    """`on-topic`, `mixed` or `unrelated` articles (see the module docstring)."""
    rng = random.Random(seed)
    if kind == "on-topic":
        return [make_article(rng) for _ in range(articles)]
    if kind == "unrelated":
        return [make_article(rng, rate=0.0) for _ in range(articles)]
    out = []
    for _ in range(articles):
        roll = rng.random()
        rate = 0.02 if roll < 0.2 else 0.002 if roll < 0.3 else 0.0
        out.append(make_article(rng, rate=rate))
    return out


def _rates(texts: list[str], taxonomy: Taxonomy, rounds: int) -> list[float]:
    rates = []
    for _ in range(rounds):
        start = time.process_time()
        for text in texts:
            tag_article(None, text, taxonomy)
        rates.append(len(texts) / max(time.process_time() - start, 1e-9))
    return rates


def with_extra_aliases(taxonomy_path: Path, extra: int, folder: Path) -> Path:
    """A copy of the taxonomy with `extra` made-up aliases appended."""
    rng = random.Random(2026)
    lines = [taxonomy_path.read_text(encoding="utf-8")]
    for c in range(0, extra, 10):
        names = {
            "".join(rng.choices(string.ascii_lowercase, k=rng.randint(6, 11))).title()
            for _ in range(min(10, extra - c))
        }
        aliases = ", ".join(f'"{n}"' for n in sorted(names))
        lines.append(f'\n[[concepts]]\nname = "Extra {c}"\nkind = "place"\naliases = [{aliases}]\n')
    path = folder / "taxonomy-extra.toml"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def run_speed(
    taxonomy_path: Path, articles: int = 2000, rounds: int = 5, extra_aliases: int = 0
) -> int:
    """Print build time, alias count and articles/s per stream (best and median)."""
    if extra_aliases:
        folder = Path(tempfile.mkdtemp(prefix="bench-tagging-"))
        taxonomy_path = with_extra_aliases(taxonomy_path, extra_aliases, folder)
    t0 = time.perf_counter()
    taxonomy = load_taxonomy(taxonomy_path)
    _ = taxonomy.matcher
    build = time.perf_counter() - t0
    code = Path(sys.modules["monitor"].__file__ or "").parent.parent
    print(f"code: {code}")
    print(
        f"taxonomy: {len(taxonomy.concept_names)} concepts, {len(taxonomy.entries)} alias keys, "
        f"loaded and compiled in {build * 1000:.0f} ms"
    )
    for kind in ("mixed", "on-topic", "unrelated"):
        texts = make_stream(kind, articles)
        sample = texts[:300]
        mentions = sum(len(tag_article(None, t, taxonomy).mentions) for t in sample)
        words = sum(len(t.split()) for t in sample) / len(sample)
        rates = _rates(texts, taxonomy, rounds)
        print(
            f"tagging_speed stream={kind} articles={articles} words={words:.0f} "
            f"mentions/article={mentions / len(sample):.1f} best={max(rates):.0f}/s "
            f"median={statistics.median(rates):.0f}/s rounds={rounds} (one core, CPU time)"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--taxonomy", type=Path, default=ROOT / "config" / "taxonomy.toml")
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--extra-aliases", type=int, default=0, help="made-up aliases to add")
    args = ap.parse_args(argv)
    return run_speed(args.taxonomy, args.articles, args.rounds, args.extra_aliases)


if __name__ == "__main__":
    sys.exit(main())
