"""Fixtures for fetch tests: loopback servers and an App over a config written to tmp_path."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from monitor.app import App
from monitor.fetch.cycle import Fetcher

from .server import LoopbackServer

DATA = Path(__file__).resolve().parent / "data"

FAST = {"timeout": "2s", "connect_timeout": "1s", "host_spacing": "1ms",
        "allow_private_addresses": True, "max_bytes": 200_000}


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_config(path: Path, sources: list[dict[str, object]], **fetch: object) -> Path:
    lines = ["[monitor]", f"database = {toml_value(path.parent / 'corpus.db')}", "",
             "[fetch]"]
    lines += [f"{k} = {toml_value(v)}" for k, v in {**FAST, **fetch}.items()]
    for src in sources:
        lines += ["", "[[sources]]"] + [f"{k} = {toml_value(v)}" for k, v in src.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as srv:
        yield srv


@pytest.fixture
def make_fetcher(tmp_path: Path) -> Iterator[Callable[..., Fetcher]]:
    made: list[Fetcher] = []

    def _make(sources: list[dict[str, object]], **fetch: object) -> Fetcher:
        config = write_config(tmp_path / "monitor.toml", sources, **fetch)
        fetcher = Fetcher(App.load(config), alerts=False)
        made.append(fetcher)
        return fetcher

    yield _make
    for f in made:
        f.close()
        f.app.close()
