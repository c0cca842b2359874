"""robots.txt per RFC 9309: the most specific rule wins, not the first one."""

from __future__ import annotations

import pytest

from monitor.fetch.robots import RobotsRules

from .server import LoopbackServer
from .test_client import kind_of, make_client

AGENT = "monitor-test/1.0 (+https://example.org)"
U = "https://news.example"


@pytest.mark.parametrize(("robots", "path", "allowed"), [
    ("User-agent: *\nAllow: /\nDisallow: /a/", "/a/1-x", False),
    ("User-agent: *\nAllow: /\nDisallow: /a/", "/b/1", True),
    ("User-agent: *\nDisallow: /\nAllow: /a/", "/a/1-x", True),
    ("User-agent: *\nDisallow: /\nAllow: /a/", "/b/1", False),
    ("User-agent: *\nDisallow: /a\nAllow: /a", "/a/1", True),  # a tie: Allow wins
    ("User-agent: *\nDisallow: /*.pdf$", "/x/report.pdf", False),
    ("User-agent: *\nDisallow: /*.pdf$", "/x/report.pdf?v=2", True),
    ("User-agent: *\nDisallow: /$\n", "/", False),
    ("User-agent: *\nDisallow: /$\n", "/news", True),
    ("User-agent: *\nDisallow: /*/print\nAllow: /kashmir/*/print", "/kashmir/x/print", True),
    ("User-agent: *\nDisallow: /*/print\nAllow: /kashmir/*/print", "/india/x/print", False),
    ("User-agent: *\nDisallow: /search?q=", "/search?q=srinagar", False),
    ("User-agent: *\nDisallow: /%7Ejohn/", "/~john/page", False),
    ("User-agent: *\nDisallow: /समाचार/",
     "/%E0%A4%B8%E0%A4%AE%E0%A4%BE%E0%A4%9A%E0%A4%BE%E0%A4%B0/1", False),
    ("User-agent: *\nDisallow:", "/anything", True),
    ("User-agent: *\nDisallow: /", "/robots.txt", True),
    ("User-agent: *\nDisallow: /*a*a*a*a*a*a*a*a*a*b", "/" + "a" * 5000, True),
    # the most specific group: our product token's own, merged; `*` only without it
    ("User-agent: *\nDisallow: /\n\nUser-agent: monitor-test\nDisallow: /private/\n"
     "\nUser-agent: Monitor-Test\nDisallow: /drafts/", "/news", True),
    ("User-agent: *\nDisallow: /\n\nUser-agent: monitor-test\nDisallow: /private/\n"
     "\nUser-agent: Monitor-Test\nDisallow: /drafts/", "/drafts/1", False),
    ("User-agent: monitor\nDisallow: /a/\n\nUser-agent: monitor-test\nDisallow: /b/",
     "/a/1", True),
    ("User-agent: otherbot\nUser-agent: monitor-test\nDisallow: /a/\n", "/a/1", False),
    ("User-agent: otherbot\nDisallow: /\n", "/a/1", True),
    ("Sitemap: https://news.example/s.xml\nUser-agent: *\n# note\nDisallow: /a/ # x",
     "/a/1", False),
])
def test_the_most_specific_rule_wins(robots: str, path: str, allowed: bool):
    assert RobotsRules(robots, AGENT).allowed(U + path) is allowed


def test_the_client_follows_the_longest_match(server: LoopbackServer):
    server.serve("/robots.txt", body=b"User-agent: *\nAllow: /\nDisallow: /a/\n",
                 content_type="text/plain")
    for path in ("/a/1", "/b/1"):
        server.serve(path, body=b"<html/>", content_type="text/html")
    with make_client() as client:
        assert kind_of(client, server.url("/a/1"), robots=True) == "robots"
        assert client.get(server.url("/b/1"), robots=True).status == 200
    assert server.hits("/a/1") == [] and len(server.hits("/robots.txt")) == 1


def test_an_allow_inside_a_disallowed_tree_is_fetched(server: LoopbackServer):
    server.serve("/robots.txt", body=b"User-agent: *\nDisallow: /\nAllow: /a/\n",
                 content_type="text/plain")
    server.serve("/a/1-x", body=b"<html/>", content_type="text/html")
    with make_client() as client:
        assert client.get(server.url("/a/1-x"), robots=True).status == 200
        assert kind_of(client, server.url("/b/1"), robots=True) == "robots"
