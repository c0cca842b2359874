"""Load `config/taxonomy.toml` into a compiled, picklable `Taxonomy`.

Loading does all the checking once: TOML syntax, the schema (`schema.py`), then the
things a schema cannot see (two concepts with one name, a rule naming a concept that
does not exist, one alias given to two concepts, an alias with no letters). Any
problem is a `ConfigError` naming the file, the key path and what is wrong.

The compiled taxonomy keeps plain data (forms, alias entries) and builds its
automaton lazily, so pickling it for a worker process ships only that data and each
process builds its own automaton once (a few milliseconds for thousands of aliases).
"""

from __future__ import annotations

import hashlib
import json
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from monitor.errors import ConfigError
from monitor.tagging.folding import fold, fold_alias, is_word
from monitor.tagging.matcher import BLOCK, AliasEntry, Matcher
from monitor.tagging.rules import Condition, Form, Words, describe, merge_exclusions
from monitor.tagging.schema import ConceptSpec, ConditionSpec, TaxonomySpec, first_error

__all__ = ["ENGINE_VERSION", "Taxonomy", "load_taxonomy"]

# Part of the fingerprint: bump it when a code change alters what tagging returns,
# so `monitor retag` re-tags articles tagged by the older code too.
ENGINE_VERSION = "2"


@dataclass(frozen=True)
class ConceptInfo:
    """What the rest of the service asks about a concept."""

    name: str
    kind: str
    related: bool
    description: str


def load_taxonomy(path: Path) -> Taxonomy:
    """Read, validate and compile a taxonomy file; any problem is a ConfigError."""
    where = str(path)
    try:
        raw = Path(path).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(where, None, f"cannot read the taxonomy: {e}") from e
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(where, None, f"not valid TOML: {e}") from e
    try:
        spec = TaxonomySpec.model_validate(data)
    except ValidationError as e:
        key, message = first_error(e)
        raise ConfigError(where, key, message) from None
    return Taxonomy(spec, where)


class Taxonomy:
    """A validated taxonomy, ready for `tag_article`."""

    def __init__(self, spec: TaxonomySpec, path: str = "<taxonomy>") -> None:
        self.path = path
        self.topic = spec.topic.name
        self._concepts: dict[str, ConceptInfo] = {}
        self.forms: list[Form] = []
        self.entries: dict[str, list[AliasEntry]] = {}
        self._owner: dict[str, str] = {}  # alias key -> concept (or "block:<concept>")
        self._named: list[tuple[str, str]] = []  # (key, concept) named by a condition
        # one object per distinct condition and word list, so that what a tagger
        # caches per article about one is shared by every form using it (issue 6)
        self._same: dict[Condition | Words, Any] = {}
        self._check_names(spec)
        for i, concept in enumerate(spec.concepts):
            self._add_concept(i, concept)
        self._check_anchors()
        del self._named, self._same
        self._related = frozenset(c.name for c in self._concepts.values() if c.related)
        dumped = spec.model_dump(by_alias=True)
        payload = json.dumps([ENGINE_VERSION, dumped], sort_keys=True, ensure_ascii=False)
        self.fingerprint = hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]
        self._matcher: Matcher | None = None

    # -- what callers ask -------------------------------------------------------

    @property
    def concept_names(self) -> tuple[str, ...]:
        """Canonical names in file order."""
        return tuple(self._concepts)

    def kind_of(self, concept: str) -> str:
        """The kind of a concept (region, place, person, party, ...); KeyError if unknown."""
        return self._concepts[concept].kind

    def is_related(self, concept: str) -> bool:
        """Whether a mention of `concept` makes an article concern the topic."""
        return self._concepts[concept].related

    @property
    def related_concepts(self) -> frozenset[str]:
        """The concepts for which `is_related` is true."""
        return self._related

    def info(self, concept: str) -> ConceptInfo:
        return self._concepts[concept]

    @property
    def matcher(self) -> Matcher:
        """The automaton over every alias, built on first use in each process."""
        if self._matcher is None:
            self._matcher = Matcher(self.entries, _document_probes(self.forms))
        return self._matcher

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_matcher"] = None  # rebuilt where it is used
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __repr__(self) -> str:
        return f"<Taxonomy {self.topic!r} {len(self._concepts)} concepts {self.fingerprint}>"

    # -- compiling ----------------------------------------------------------------

    def _error(self, key: str, message: str) -> ConfigError:
        return ConfigError(self.path, key, message)

    def _check_names(self, spec: TaxonomySpec) -> None:
        seen: dict[str, int] = {}
        for i, concept in enumerate(spec.concepts):
            norm = " ".join(unicodedata.normalize("NFKC", concept.name).casefold().split())
            if norm in seen:
                raise self._error(
                    f"concepts[{i}].name",
                    f"duplicate concept {concept.name!r} (also concepts[{seen[norm]}])",
                )
            seen[norm] = i
            self._concepts[concept.name] = ConceptInfo(
                concept.name, concept.kind, concept.related, concept.description
            )

    def _check_anchors(self) -> None:
        """A condition may only name concepts that can be confirmed on their own.

        Conditions on concepts are decided against mentions that need no other
        concept (`rules`), so naming a concept whose every form needs one would
        be a rule that can never hold: say so at load time, not in silence.
        """
        strong = {form.concept for form in self.forms if not form.second_pass}
        for key, name in self._named:
            if name not in strong:
                raise self._error(
                    key,
                    f"{name!r} has only aliases that need other concepts, so it can never "
                    "confirm or cancel a mention; give it an alias without such a rule",
                )

    def _add_concept(self, i: int, concept: ConceptSpec) -> None:
        here = f"concepts[{i}]"
        groups = []
        if concept.aliases:
            groups.append((here, concept.aliases, concept.case, concept.require, concept.exclude))
        for f, spec in enumerate(concept.forms):
            groups.append(
                (f"{here}.forms[{f}]", spec.aliases, spec.case, spec.require, spec.exclude)
            )
        for key, aliases, case, require, exclude in groups:
            excluded = merge_exclusions(
                [self._condition(f"{key}.exclude[{j}]", c) for j, c in enumerate(exclude)]
            )
            form = Form(
                concept.name,
                tuple(self._condition(f"{key}.require[{j}]", c) for j, c in enumerate(require)),
                tuple(self._same.setdefault(c, c) for c in excluded),
            )
            self.forms.append(form)
            for a, alias in enumerate(aliases):
                self._add_alias(
                    f"{key}.aliases[{a}]", alias, len(self.forms) - 1, case, concept.name
                )
        for b, phrase in enumerate(concept.block):
            self._add_alias(f"{here}.block[{b}]", phrase, BLOCK, "proper", concept.name)

    def _add_alias(self, key: str, alias: str, form: int, case: str, concept: str) -> None:
        folded_key = fold_alias(alias)
        if not any(is_word(ch) for ch in folded_key):
            raise self._error(key, f"{alias!r} has no letters or digits")
        owner = concept if form != BLOCK else f"block:{concept}"
        previous = self._owner.setdefault(folded_key, owner)
        if previous != owner:
            what = "a block phrase of" if previous.startswith("block:") else "an alias of"
            raise self._error(
                key, f"{alias!r} is already {what} {previous.removeprefix('block:')!r}"
            )
        cased = fold(alias).cased.strip()
        capitals = tuple(j for j, ch in enumerate(cased) if ch.isupper())
        entry = AliasEntry(form, cased, capitals, case == "exact", concept, alias)
        self.entries.setdefault(folded_key, []).append(entry)

    def _condition(self, key: str, spec: ConditionSpec) -> Condition:
        for w, word in enumerate(spec.words):
            try:
                Words.compile([word])
            except ValueError as e:
                raise self._error(f"{key}.words[{w}]", str(e)) from None
        for c, name in enumerate(spec.concepts):
            if name != "*" and name not in self._concepts:
                raise self._error(f"{key}.concepts[{c}]", f"unknown concept {name!r}")
            if name != "*":
                self._named.append((f"{key}.concepts[{c}]", name))
        also = tuple(self._condition(f"{key}.and[{j}]", s) for j, s in enumerate(spec.also))
        instead = tuple(self._condition(f"{key}.or[{j}]", s) for j, s in enumerate(spec.instead))
        unless = tuple(self._condition(f"{key}.unless[{j}]", s) for j, s in enumerate(spec.unless))
        words = Words.compile(spec.words) if spec.words else None
        condition = Condition(
            text=describe(spec),
            scope=spec.scope,
            within=spec.within or 0,
            words=None if words is None else self._same.setdefault(words, words),
            concepts=frozenset(n for n in spec.concepts if n != "*"),
            any_concept="*" in spec.concepts,
            quoted=spec.quoted,
            also=also,
            instead=instead,
            unless=unless,
        )
        return self._same.setdefault(condition, condition)


def _document_probes(forms: list[Form]) -> list[str]:
    """The probes of every word list a condition looks for in the whole document,
    for the matcher to report (so `Words.in_text` need not search the text)."""
    out: dict[str, None] = {}
    todo = [cond for form in forms for cond in form.require + form.exclude]
    while todo:
        cond = todo.pop()
        if cond.scope == "document" and cond.words is not None:
            out.update(dict.fromkeys(sorted(cond.words.probes)))
        todo.extend(cond.also + cond.instead + cond.unless)
    return list(out)
