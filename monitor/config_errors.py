"""pydantic's validation errors told as a user who edits the TOML file would say them.

pydantic speaks of its own classes ("instance of MonitorSection"), of Python types
("a valid tuple") and of regex patterns; the user wrote tables, lists and text. Each
error kind is rewritten here once, for every key, and the value shown once at the end.
"""

from __future__ import annotations

from typing import Any, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from .config_values import shown

__all__ = ["key_path", "message"]


def key_path(loc: tuple[int | str, ...], data: dict[str, Any]) -> str:
    """`sources[0] ("feed-a").url`: the key, with the entry's name where it has one."""
    out = ""
    node: Any = data
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            name = node[part].get("name") if isinstance(node, list) and isinstance(
                node[part], dict) else None
            if name:
                out += f' ("{name}")'
        else:
            out += ("." if out else "") + str(part)
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
    return out or "(top level)"


def _annotation(root: type[BaseModel], loc: tuple[int | str, ...]) -> Any:
    """The declared type at `loc`, or None where the declarations do not say."""
    node: Any = root
    for part in loc:
        if isinstance(part, int):
            node = get_args(node)[0] if get_origin(node) is tuple else None
        elif isinstance(node, type) and issubclass(node, BaseModel) and part in node.model_fields:
            node = node.model_fields[part].annotation
        else:
            return None
    return node


def _is_table(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _header(loc: tuple[int | str, ...]) -> str:
    """How the table at `loc` is opened in TOML: `[fetch]`, `[[sources]]`."""
    name = ".".join(str(p) for p in loc if not isinstance(p, int))
    return f"[[{name}]]" if loc and isinstance(loc[-1], int) else f"[{name}]"


def _expected(error: ErrorDetails, root: type[BaseModel]) -> str | None:
    """What the key should hold, in plain words; None to keep pydantic's own text."""
    kind, loc, ctx = error["type"], error["loc"], error.get("ctx", {})
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"must be a table: write {_header(loc)} with its keys on the lines below it"
    if kind in ("tuple_type", "list_type"):
        args = get_args(_annotation(root, loc))
        if args and _is_table(args[0]):
            return (f"must be a list of tables: write {_header((*loc, 0))} (double brackets) "
                    "above each one")
        return 'must be a list, such as ["a", "b"]'
    words = {
        "string_type": "must be text in quotes",
        "int_type": "must be a whole number",
        "int_parsing": "must be a whole number",
        "float_type": "must be a number",
        "bool_type": "must be true or false",
        "path_type": "must be a file path in quotes",
        "literal_error": f"must be one of {ctx.get('expected')}",
        "greater_than_equal": f"must be at least {ctx.get('ge')}",
        "greater_than": f"must be more than {ctx.get('gt')}",
        "less_than_equal": f"must be at most {ctx.get('le')}",
        "less_than": f"must be less than {ctx.get('lt')}",
        "string_pattern_mismatch": "is not written in the expected form",
    }
    if kind in words:
        return words[kind]
    if kind in ("string_too_short", "too_short"):
        least = ctx.get("min_length", 1)
        if least == 1:
            return "must not be empty"
        unit = "characters" if kind == "string_too_short" else "items"
        return f"must hold at least {least} {unit}"
    return None


def message(error: ErrorDetails, root: type[BaseModel]) -> str:
    """One pydantic error (of `ValidationError.errors()`) as the user's message."""
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required key is missing"
    text = _expected(error, root)
    if text is None:
        # Our own checks (value_error) already speak plainly; other pydantic texts
        # still start "Input should be", which reads as "must be".
        text = error["msg"].removeprefix("Value error, ").replace("Input should be", "must be")
    if "input" not in error:
        return text
    value, said = error["input"], shown(error["input"])
    # Our checks often name the value already: showing it twice is noise. A table or a
    # list is worth naming only when its type was the mistake ("a slack channel needs
    # `webhook_url`" is about the table's keys, not about it being a table).
    container = isinstance(value, dict | list | tuple)
    if (kind == "value_error" and said in text) or (container and not kind.endswith("_type")):
        return text
    return f"{text}, got {said}"
