"""aggregators.is_aggregator skips urlsplit for URLs that name no aggregator host: same answers."""

from __future__ import annotations

import random
from collections.abc import Callable
from urllib.parse import urlsplit

from monitor.fetch.aggregators import _HOSTS, is_aggregator, resolve_link


def answer(check: Callable[[str], bool], url: str) -> bool | str:
    try:
        return check(url)
    except ValueError as e:  # a malformed URL fails its source as before
        return f"ValueError: {e}"


def parsed(url: str) -> bool:
    return (urlsplit(url).hostname or "").lower() in _HOSTS


def test_the_shortcut_answers_as_the_parse_does() -> None:
    rng = random.Random(7)
    hosts = [*sorted(_HOSTS), "NEWS.Google.COM", "t.co.uk", "xt.co", "news.example",
             "l.faceboo\u212a.com", "t.\tco", "bing.\ncom", "ex\u00e4mple.org", "[::1]",
             "[bad", "b]", "\uff0fx", ""]
    pieces = [["http://", "https://", "HTTP://", "//", "", " http://"],
              ["", "user@", "t.co@", "a:b@"], hosts, ["", ":80", ":x"],
              ["", "/", "/t.co/", "/x?url=https://t.co/y", "#bing.com", "/a\tb"]]
    urls = ["".join(rng.choice(p) for p in pieces) for _ in range(20000)]
    answers = set()
    for url in urls:
        got = answer(is_aggregator, url)
        assert got == answer(parsed, url), url
        answers.add(got if isinstance(got, bool) else "error")
    assert answers == {True, False, "error"}


def test_links_of_publishers_come_back_as_they_are() -> None:
    assert resolve_link("https://news.example/a?b=1") == ("https://news.example/a?b=1", False)
    assert resolve_link("https://www.bing.com/news/apiclick.aspx?url=https%3A%2F%2Fnews."
                        "example%2Fa") == ("https://news.example/a", False)
