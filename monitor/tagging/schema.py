"""The shape of `config/taxonomy.toml`, declared once and validated by pydantic.

The file format itself is documented at the top of the shipped taxonomy file; the
models here are its executable form: unknown keys and wrong types are errors
(`extra="forbid"`, strict types), and `error_key` turns pydantic's error location
into the key path a user can find in the file (`concepts[3].aliases[0]`).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

__all__ = ["ConceptSpec", "ConditionSpec", "FormSpec", "TaxonomySpec", "error_key", "first_error"]

_KIND = re.compile(r"^[a-z][a-z_-]*$")
Scope = Literal["sentence", "document", "before", "after", "near"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)


def _non_blank(values: list[str]) -> list[str]:
    for v in values:
        if not v.strip():
            raise ValueError("must not contain an empty string")
    return values


class ConditionSpec(_Strict):
    """One `require`/`exclude` condition."""

    scope: Scope = "sentence"
    within: int | None = Field(default=None, ge=1, le=8)
    words: list[str] = []
    concepts: list[str] = []
    quoted: bool = False
    also: list[ConditionSpec] = Field(default=[], alias="and")
    instead: list[ConditionSpec] = Field(default=[], alias="or")
    unless: list[ConditionSpec] = []

    _words = field_validator("words", "concepts")(_non_blank)

    @model_validator(mode="after")
    def _consistent(self) -> ConditionSpec:
        if self.quoted and (self.words or self.concepts):
            raise ValueError("`quoted` cannot be combined with `words` or `concepts`")
        if not (self.quoted or self.words or self.concepts):
            raise ValueError("needs `words`, `concepts` or `quoted = true`")
        needs_within = self.scope in ("before", "after", "near")
        if needs_within and self.within is None:
            raise ValueError(f"scope {self.scope!r} needs `within` (a number of words)")
        if not needs_within and self.within is not None:
            raise ValueError(f"`within` only goes with before/after/near, not {self.scope!r}")
        return self


class FormSpec(_Strict):
    """A group of aliases sharing case handling and rules."""

    aliases: list[str] = Field(min_length=1)
    case: Literal["proper", "exact"] = "proper"
    require: list[ConditionSpec] = []
    exclude: list[ConditionSpec] = []

    _aliases = field_validator("aliases")(_non_blank)


class ConceptSpec(_Strict):
    """One concept: its own aliases form the first form, `forms` add others."""

    name: str = Field(min_length=1)
    kind: str
    description: str = ""
    related: bool = True
    aliases: list[str] = []
    case: Literal["proper", "exact"] = "proper"
    require: list[ConditionSpec] = []
    exclude: list[ConditionSpec] = []
    forms: list[FormSpec] = []
    block: list[str] = []

    _lists = field_validator("aliases", "block")(_non_blank)

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        if not _KIND.match(value):
            raise ValueError("must be a lower-case word such as place, person or party")
        return value

    @model_validator(mode="after")
    def _has_alias(self) -> ConceptSpec:
        if not self.aliases and not self.forms:
            raise ValueError("needs at least one alias (`aliases` or `forms`)")
        if not self.aliases and (self.require or self.exclude):
            raise ValueError("`require`/`exclude` apply to `aliases`, which is empty")
        return self


class TopicSpec(_Strict):
    """The `[topic]` table: what `kashmir_related` means for this taxonomy."""

    name: str = Field(min_length=1)
    description: str = ""


class TaxonomySpec(_Strict):
    """The whole file."""

    topic: TopicSpec
    concepts: list[ConceptSpec] = Field(min_length=1)


def error_key(loc: tuple[int | str, ...]) -> str:
    """('concepts', 3, 'aliases', 0) -> 'concepts[3].aliases[0]'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not part.startswith(("function-", "model-")):
            out += f".{part}" if out else part
    return out or "(top level)"


def first_error(err: ValidationError) -> tuple[str, str]:
    """The key path and a one-line message for the first problem pydantic found."""
    e = err.errors()[0]
    key = error_key(tuple(e["loc"]))
    if e["type"] == "extra_forbidden":
        return key, "unknown key"
    if e["type"] == "missing":
        return key, "missing"
    msg = e["msg"].removeprefix("Value error, ")
    if e["type"].endswith("_type") and "input" in e:
        msg += f" (got {type(e['input']).__name__})"
    return key, msg
