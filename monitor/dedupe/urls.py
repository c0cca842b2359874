"""The canonical form of an article URL (issue 5).

Two URLs with the same canonical form are the same page: the pipeline looks the
form up in the store and, when it is there, treats the input as a new version of
that article (PRODUCT.md "An input whose canonical URL is already stored").

The form is deliberately lossy where publishers are noisy and strict elsewhere:

- scheme folded to https, host lower-cased, default ports and a trailing dot dropped;
- the mobile and AMP host prefixes `www.`, `m.`, `mobile.`, `amp.` dropped;
- AMP paths (`/amp/...`, `.../amp`, `....amp.html`) and AMP query flags dropped;
- fragments, tracking and session parameters dropped, the rest sorted;
- `index.html` and trailing slashes dropped, repeated slashes collapsed;
- a page's canonical link is ignored when it names the site's home page or a section
  above the article (CMS templates that give every article the same canonical link).

Trade-off: a site that serves different articles at `www.` and bare hosts, or that
keys articles on a parameter we call tracking, would see them merged; we have not
seen one, while the noise above is everywhere. Unknown parameters are kept.

`file:` URIs and other non-web schemes pass through unchanged.
"""

from __future__ import annotations

import re
from urllib.parse import (
    SplitResult,
    parse_qsl,
    quote,
    unquote,
    urlencode,
    urlsplit,
    urlunsplit,
)

__all__ = ["canonical_url", "site_of"]

_HOST_PREFIXES = ("www.", "m.", "mobile.", "amp.")
# Exact parameter names that never select content (lower-cased).
_DROP_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gclsrc", "msclkid", "yclid", "igshid", "twclid",
        "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "vero_id",
        "ref", "ref_src", "ref_url", "referrer", "src", "cmpid", "cmp", "ito", "ico",
        "share", "shared", "socialshare", "taid", "ncid", "ocid", "soc_src", "soc_trk",
        "sessionid", "session_id", "sid", "phpsessid", "jsessionid", "aspsessionid",
        "cfid", "cftoken", "amp", "amp_js_v", "amp_gsa", "usqp", "outputtype", "output",
        "from", "via", "s_cid", "trk", "trkid", "at_medium",
        "at_campaign", "at_custom1", "at_custom2", "at_custom3", "at_custom4",
    }
)
_DROP_PREFIXES = ("utm_", "pk_", "mtm_", "hmb_", "__hs")
_DEFAULT_PORTS = {"http": 80, "https": 443}
# `;jsessionid=...` style session ids inside the path.
_PATH_SESSION = re.compile(r";(?:jsessionid|sid|phpsessid|sessionid)=[^/]*", re.I)
_INDEX_PAGE = re.compile(r"/(?:index|default)\.(?:html?|php|aspx?|jsp)$", re.I)
_AMP_SUFFIX = re.compile(r"(?:/amp|\.amp)$|\.amp(?=\.html?$)", re.I)


def canonical_url(url: str | None, page_canonical: str | None = None) -> str | None:
    """The canonical form of an article's URL, preferring the page's own canonical link.

    `page_canonical` (from `<link rel=canonical>` or `og:url`) wins when it is a sane
    absolute http(s) URL that names an article (not a bare home page) on the same
    site as `url`, or on another host with the same path (a mirror). A canonical
    link pointing at another outlet is ignored: a syndicating page names the origin,
    and that copy is a duplicate of the origin, not a version of it.
    """
    own = _normalise(url)
    claimed = _normalise(page_canonical) if page_canonical else None
    if claimed and _trustworthy(claimed, own):
        return claimed
    return own


def site_of(url: str | None) -> str | None:
    """The host of a canonical URL (its prefixes already dropped), for same-site checks."""
    if not url or not url.startswith("https://"):
        return None
    return urlsplit(url).hostname


def _trustworthy(claimed: str, own: str | None) -> bool:
    parts = urlsplit(claimed)
    if parts.scheme != "https" or not parts.hostname or "." not in parts.hostname:
        return False
    if parts.path in ("", "/") and not parts.query:
        return False  # CMS templates that point every page at the home page
    if own is None or not own.startswith("https://"):
        return True  # nothing better to compare with (e.g. a file: input)
    mine = urlsplit(own)
    if _section_of(parts.path, mine.path):
        return False
    if _same_site(parts.hostname, mine.hostname or ""):
        return True
    return parts.path == mine.path and len(parts.path) > 1


def _section_of(claimed: str, own: str) -> bool:
    """Is `claimed` a folder above the article at `own` ("/jammu-kashmir" above
    "/jammu-kashmir/snow-closes-road-123")?

    CMS templates that point every article's canonical link at its section would
    make each new article of the section an "update" of the last, overwriting it.
    One plain word below it ("/story-9/print", "/story-9/comments") is a view of the
    same article, whose canonical link is rightly its parent; so is a folder named by
    an id ("/news/1873456", the article whose slug follows), whatever follows it."""
    if not own.startswith(claimed.rstrip("/") + "/"):
        return False
    if any(c.isdigit() for c in claimed.rstrip("/").rsplit("/", 1)[-1]):
        return False  # "/news/1873456" above "/news/1873456/snow-closes-road": the article
    rest = own[len(claimed.rstrip("/")) + 1 :]
    return "/" in rest or not (rest.isalpha() and len(rest) <= 12)


def _same_site(a: str, b: str) -> bool:
    """Same host, or one a subdomain of the other (`news.x.com` and `x.com`)."""
    return a == b or a.endswith("." + b) or b.endswith("." + a)


def _normalise(url: str | None) -> str | None:
    if url is None:
        return None
    url = url.strip()
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return url  # file:, mailto:, relative or broken: leave as given
    host = _host(parts.hostname, _port(parts))
    path = _path(parts.path)
    query = _query(parts.query)
    return urlunsplit(("https", host, path, query, ""))


def _port(parts: SplitResult) -> int | None:
    try:
        return parts.port
    except ValueError:  # a port that is not a number: keep none
        return None


def _host(hostname: str, port: int | None) -> str:
    host = hostname.lower().rstrip(".")
    changed = True
    while changed:
        changed = False
        for prefix in _HOST_PREFIXES:
            rest = host[len(prefix):]
            if host.startswith(prefix) and "." in rest:
                host, changed = rest, True
    if port is not None and port not in _DEFAULT_PORTS.values():
        host = f"{host}:{port}"
    return host


def _path(path: str) -> str:
    path = _PATH_SESSION.sub("", path)
    # Re-quote consistently: %7E and ~ are the same character.
    path = quote(unquote(path), safe="/:@!$&'()*+,;=-._~%")
    path = re.sub(r"/{2,}", "/", path)
    before = None
    while path != before:  # to a fixed point: "/news/amp/amp", "/amp/index.html"
        before = path
        if path.lower().startswith("/amp/"):
            path = path[4:]
        path = _INDEX_PAGE.sub("/", path).rstrip("/")
        path = _AMP_SUFFIX.sub("", path).rstrip("/")
    return path or "/"


def _query(query: str) -> str:
    if not query:
        return ""
    kept = [
        (k, v)
        for k, v in parse_qsl(query, keep_blank_values=True)
        if not _is_tracking(k)
    ]
    return urlencode(sorted(kept))


def _is_tracking(name: str) -> bool:
    low = name.lower()
    return low in _DROP_PARAMS or low.startswith(_DROP_PREFIXES)
