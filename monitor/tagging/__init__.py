"""The tagging stage: which taxonomy concepts an article mentions, where, and how much.

    taxonomy = load_taxonomy(Path("config/taxonomy.toml"))   # ConfigError on any problem
    tagging = tag_article(article.title, article.text, taxonomy)

`Taxonomy` is picklable (ship it to worker processes), exposes `fingerprint` (changes
with the taxonomy's content or the engine version: `monitor retag` compares it),
`concept_names` and `kind_of(concept)`. Nothing here knows about Kashmir: the topic,
its concepts, aliases and context rules all live in the taxonomy file (issue 6).

`explain_article` says, for one article, which names counted and which rule
cancelled the others (for `monitor show` and for people editing the taxonomy).

Modules: `taxonomy` (load, validate, compile), `schema` (file format), `folding`
(case/script folding with offsets), `matcher` (the automaton), `rules` (context
rules), `words` (their word lists), `sentences`, `relevance`, `tagger` (the
pipeline of those), `explain`.
"""

from __future__ import annotations

from monitor.tagging.explain import Explanation, explain_article
from monitor.tagging.tagger import tag_article
from monitor.tagging.taxonomy import ENGINE_VERSION, Taxonomy, load_taxonomy

__all__ = [
    "ENGINE_VERSION",
    "Explanation",
    "Taxonomy",
    "explain_article",
    "load_taxonomy",
    "tag_article",
]
