"""robots.txt rules as RFC 9309 reads them: the most specific match wins.

urllib.robotparser applies the first rule that matches, so `Allow: /` before
`Disallow: /a/` allowed all of /a/, and `Disallow: /` before `Allow: /a/` refused
it. RFC 9309 2.2.2: the rule with the longest matching path wins, Allow winning a
tie; `*` matches any sequence of characters and a final `$` anchors the end.

Groups (2.2.1): the crawler obeys the group whose user-agent is its product token
(case-insensitive); groups naming the same agent are merged; lacking one, the `*`
group; lacking both, everything is allowed. As urllib did, a group whose name is
contained in our product token matches too (`monitor` for `monitor-test`), the
longest such name being the most specific.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, urlsplit

__all__ = ["RobotsRules"]

# RFC 3986 unreserved characters plus the delimiters a path keeps as they are:
# comparing after this normalisation makes `%7E` and `~`, `é` and `%C3%A9` equal.
_SAFE = "/-._~!$&'()*+,;=:@?%"
_PERCENT = re.compile(r"%[0-9a-fA-F]{2}")


def _normalise(path: str) -> str:
    # decode only what needs no encoding, keep the escapes that mean something (%2F)
    def one(m: re.Match[str]) -> str:
        char = unquote(m.group())
        return char if (char.isascii() and char.isalnum()) or char in "-._~" else m.group().upper()

    return quote(_PERCENT.sub(one, path), safe=_SAFE)


class _Rule:
    __slots__ = ("allow", "anchored", "parts", "specificity")

    def __init__(self, allow: bool, pattern: str) -> None:
        self.allow = allow
        self.specificity = len(pattern)  # RFC 9309: the match with the most octets
        self.anchored = pattern.endswith("$")
        # split on `*`: each part must appear in order; no regex, so a hostile
        # pattern (`*a*a*a*a*b`) costs at most one scan per part, never backtracking
        self.parts = (pattern[:-1] if self.anchored else pattern).split("*")

    def matches(self, path: str) -> bool:
        first, *rest = self.parts
        if not path.startswith(first):
            return False
        if not rest:
            return not self.anchored or path == first
        at = len(first)
        *middle, last = rest
        for part in middle:
            found = path.find(part, at)
            if found < 0:
                return False
            at = found + len(part)
        if self.anchored:
            return len(path) - len(last) >= at and path.endswith(last)
        return path.find(last, at) >= 0


class RobotsRules:
    """One robots.txt, read for one user agent; `allowed(url)` answers per RFC 9309."""

    def __init__(self, text: str, agent: str) -> None:
        token = agent.split("/", 1)[0].strip().lower()
        groups: dict[str, list[_Rule]] = {}
        current: list[str] = []  # the agents of the group being read
        in_rules = False  # a user-agent line after rules starts a new group
        for line in text.splitlines():
            key, sep, value = line.split("#", 1)[0].partition(":")
            if not sep:
                continue
            key, value = key.strip().lower(), value.strip()
            if key == "user-agent":
                if in_rules:
                    current, in_rules = [], False
                name = value.split("/", 1)[0].strip().lower()
                current.append(name)
                groups.setdefault(name, [])
            elif key in ("allow", "disallow"):
                in_rules = True
                if value:  # an empty Disallow allows everything: no rule
                    rule = _Rule(key == "allow", _normalise(value))
                    for name in current:
                        groups[name].append(rule)
        named = [n for n in groups if n != "*" and n and n in token]
        if named:
            best = max(map(len, named))
            self._rules = [r for n in named if len(n) == best for r in groups[n]]
        else:
            self._rules = groups.get("*", [])

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.path == "/robots.txt":
            return True  # RFC 9309 2.2.2: always allowed
        path = _normalise((parts.path or "/") + (f"?{parts.query}" if parts.query else ""))
        best: _Rule | None = None
        for rule in self._rules:
            if rule.matches(path) and (
                    best is None or rule.specificity > best.specificity
                    or (rule.specificity == best.specificity and rule.allow)):
                best = rule
        return best is None or best.allow
