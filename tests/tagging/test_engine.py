"""The engine on another topic, sentences and relevance: nothing here is Kashmir."""

from __future__ import annotations

from itertools import pairwise

from monitor.models import Mention
from monitor.tagging import Taxonomy, tag_article
from monitor.tagging.relevance import relevance
from monitor.tagging.sentences import sentence_spans


def concepts(taxonomy: Taxonomy, text: str, title: str | None = None) -> set[str]:
    return set(tag_article(title, text, taxonomy).concepts)


def test_another_topic_needs_no_code(fruit: Taxonomy) -> None:
    assert fruit.topic == "Orchards"
    assert fruit.kind_of("Apple") == "fruit"
    assert concepts(fruit, "Apples were cheap this week.") == {"Apple"}
    assert concepts(fruit, "सेब और سیب") == {"Apple"}


def test_exclude_after_a_word_and_a_prefix(fruit: Taxonomy) -> None:
    assert concepts(fruit, "Apple Inc. reported results.") == set()
    assert concepts(fruit, "She bought an Apple iPhones case.") == set()
    assert concepts(fruit, "An apple a day.") == {"Apple"}


def test_exclude_by_a_phrase_in_the_sentence(fruit: Taxonomy) -> None:
    assert concepts(fruit, "Tim Cook said the apple logo stays. Apples are cheap.") == {"Apple"}
    tagging = tag_article(None, "Tim Cook said the apple logo stays. Apples are cheap.", fruit)
    assert [m.surface for m in tagging.mentions] == ["Apples"]


def test_require_a_concept_within_n_words(fruit: Taxonomy) -> None:
    assert concepts(fruit, "The orchard harvest began.") == {"Orchard", "Harvest"}
    assert concepts(fruit, "The harvest in old orchards began.") == {"Orchard", "Harvest"}
    far = "The harvest of votes began early this year, long before anyone saw the orchard."
    assert concepts(fruit, far) == {"Orchard"}
    assert concepts(fruit, "The harvest began.") == set()


def test_and_conditions_and_exact_case(fruit: Taxonomy) -> None:
    both = "The PB met pear growers. Apple prices fell."
    assert concepts(fruit, both) == {"Pear Board", "Apple"}
    assert concepts(fruit, "The PB met pear growers.") == set()  # no fruit concept
    assert concepts(fruit, "The PB met growers. Apple prices fell.") == {"Apple"}  # no pear
    assert concepts(fruit, "The Pb met pear growers. Apple prices fell.") == {"Apple"}


def test_or_alternatives(fruit: Taxonomy) -> None:
    assert concepts(fruit, "Apples make good cider.") == {"Apple", "Cider"}
    assert concepts(fruit, "A dry cider, please.") == {"Cider"}
    assert concepts(fruit, "The cider house rules.") == set()


def test_unless(fruit: Taxonomy) -> None:
    assert concepts(fruit, "Orchard apples.") == {"Orchard", "Apple"}
    assert concepts(fruit, "Vineyard orchard talk.") == set()  # "vineyard", no apple
    assert concepts(fruit, "Vineyard orchard with apples.") == {"Orchard", "Apple"}


def test_weak_mentions_never_confirm_each_other(fruit: Taxonomy) -> None:
    assert concepts(fruit, "Apples: the cider press is old.") == {"Apple", "Cider"}


def test_unrelated_concepts_do_not_make_an_article_related(fruit: Taxonomy) -> None:
    tagging = tag_article(None, "Hail and frost again.", fruit)
    assert tagging.concepts == ("Weather",)
    assert not tagging.related
    assert tag_article(None, "Hail hit the orchard.", fruit).related


def test_sentence_spans() -> None:
    text = (
        "Art. 370 was discussed by Dr. Rao in J. K. Nagar! Next?\n"
        "Headline\nकश्मीर में बर्फ। अगले दिन बारिश। کشمیر میں برف۔ اگلے دن"
    )
    sentences = [text[a:b].strip() for a, b in sentence_spans(text)]
    assert sentences == [
        "Art. 370 was discussed by Dr. Rao in J. K. Nagar!",
        "Next?",
        "Headline",
        "कश्मीर में बर्फ।",
        "अगले दिन बारिश।",
        "کشمیر میں برف۔",
        "اگلے دن",
    ]
    spans = sentence_spans(text)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in pairwise(spans))


def mention(field: str, start: int, concept: str = "X") -> Mention:
    return Mention(concept, "x", field, start, start + 1, "x")


def test_relevance_weighs_title_and_lead_above_a_passing_mention() -> None:
    body = "word " * 600
    assert relevance([], body) == 0.0
    title = relevance([mention("title", 0)], body)
    lead = relevance([mention("text", 10)], body)
    bottom = relevance([mention("text", 2900)], body)
    assert 1.0 >= title > lead > bottom > 0.0
    # a 0.5 alert threshold: a title mention clears it, a lone lead mention needs
    # company, a lone passing mention at the bottom is far below
    assert title >= 0.5 > lead
    assert relevance([mention("text", 10, "A"), mention("text", 20, "B")], body) >= 0.5
    assert bottom < 0.3


def test_relevance_grows_with_density_and_breadth() -> None:
    body = "word " * 600
    one = relevance([mention("text", 1000)], body)
    many = relevance([mention("text", 1000 + i) for i in range(8)], body)
    broad = relevance([mention("text", 1000 + i, f"C{i}") for i in range(8)], body)
    assert one < many < broad <= 1.0
