"""Tests that keep the surface honest (STYLE.md 14): commands documented, keys described,
each outside world reached through one door, imports pointing one way."""

from __future__ import annotations

import ast
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.config_reference import BEGIN, END, reference

from .conftest import ROOT

PACKAGE = ROOT / "monitor"
README = (ROOT / "README.md").read_text(encoding="utf-8")

# The commands PRODUCT.md promises.
PRODUCT_COMMANDS = {
    "run", "fetch", "backfill", "digest", "alerts", "sources", "stories", "show", "search",
    "export", "retag", "check", "status", "stats", "prune", "demo",
}  # fmt: skip


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    out = []
    for name, command in sorted(group.commands.items()):
        out.append((prefix + name, command))
        if isinstance(command, click.Group):
            out.extend(_commands(command, prefix + name + " "))
    return out


@pytest.mark.parametrize(("name", "command"), _commands(cli))
def test_every_command_has_help_and_is_in_the_readme(name, command):
    result = CliRunner().invoke(cli, [*name.split(), "--help"])
    assert result.exit_code == 0, result.output
    assert (command.help or "").strip(), f"`monitor {name}` has no help text"
    assert f"monitor {name}" in README, f"README does not mention `monitor {name}`"


def test_registered_commands_are_the_products():
    registered = set(cli.commands)
    assert registered <= PRODUCT_COMMANDS, registered - PRODUCT_COMMANDS


def test_every_config_key_is_described():
    undocumented = [row for row in reference().splitlines()[2:] if row.endswith("|  |")]
    assert undocumented == []


def test_readme_configuration_reference_is_current():
    block = README.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert block == reference(), "README's configuration reference is stale: run `make docs`"


def _imports(path: Path) -> set[str]:
    """Absolute module names a file imports (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    if path.name != "__init__.py":
        package = package.rsplit(".", 1)[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            # `from pkg import name` reaches pkg.name if that is a module, else pkg itself
            # (the graph below climbs to the deepest real module).
            names.update(f"{base}.{a.name}" for a in node.names)
    return names


def _modules() -> dict[str, set[str]]:
    return {
        str(p.relative_to(ROOT)): _imports(p)
        for p in sorted(PACKAGE.rglob("*.py"))
        if "__pycache__" not in p.parts
    }


def _importers(*prefixes: str) -> set[str]:
    return {
        path
        for path, names in _modules().items()
        if any(n == p or n.startswith(p + ".") for n in names for p in prefixes)
    }


def test_only_the_store_speaks_sql():
    speakers = _importers("sqlite3", "sqlite_utils")
    assert {p for p in speakers if not p.startswith("monitor/store/")} == set()


def test_only_fetch_and_notify_open_sockets():
    doors = ("monitor/fetch/", "monitor/notify/", "monitor/demo")
    clients = _importers("httpx", "smtplib", "socket", "urllib.request", "http.client", "aiohttp")
    assert {p for p in clients if not p.startswith(doors)} == set()


def test_feedparser_lives_in_one_module():
    assert len(_importers("feedparser")) <= 1


def test_no_import_cycles_between_modules():
    graph: dict[str, set[str]] = {}
    modules = _modules()
    names = {p.removesuffix("/__init__.py").removesuffix(".py").replace("/", "."): p
             for p in modules}
    for module, path in names.items():
        targets = set()
        for imported in modules[path]:
            while imported and imported not in names:
                imported = imported.rpartition(".")[0]
            if imported and imported != module:
                targets.add(imported)
        graph[module] = targets
    seen: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        seen[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if seen.get(nxt) == 1:
                cycle = [*stack[stack.index(nxt) :], nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in seen:
                visit(nxt)
        stack.pop()
        seen[node] = 2

    for node in sorted(graph):
        if node not in seen:
            visit(node)


def test_modules_stay_small():
    big = {p: n for p in PACKAGE.rglob("*.py")
           if (n := len(p.read_text(encoding="utf-8").splitlines())) > 450}
    assert big == {}, f"modules over 450 lines: {big}"
