"""What a successful fetch hands back: `Response`, a 2xx or 304 with its body.

Apart from client.py only to keep that module short; import it from there
(`monitor.fetch.client.Response`), the fetch client's one door (STYLE.md 5). The
body is decoded to `text` on first use only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .charset import decode_body

__all__ = ["PERMANENT", "Response"]

PERMANENT = {301, 308}


@dataclass(frozen=True)
class Response:
    """A successful (2xx or 304) response, body decompressed and capped."""

    url: str  # final URL, after redirects
    requested_url: str
    status: int
    headers: dict[str, str]
    content: bytes
    wire_bytes: int
    elapsed_ms: int
    redirects: tuple[tuple[int, str], ...] = ()  # (status, target) per hop
    encoding: str | None = None
    _text: list[str] = field(default_factory=list, repr=False, compare=False)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def permanent_target(self) -> str | None:
        """The final URL when every hop was permanent (301/308), else None."""
        if self.redirects and all(s in PERMANENT for s, _ in self.redirects):
            return self.url
        return None

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def text(self) -> str:
        """The body decoded; never raises (see `charset.decode_body`)."""
        if not self._text:
            self._text.append(decode_body(self.content, self.content_type)[0])
        return self._text[0]
