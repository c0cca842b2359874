"""Broken and hostile servers, byte for byte: each response is what the client says it
was, and a connection that might still carry bytes of an old response is not reused."""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Iterator

import pytest

from monitor.errors import FetchError

from .server import RawSocketServer
from .test_client import make_client

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n<rss/>"


class RawServer(RawSocketServer):
    """Answers each request (on any connection, in order) with the next of `answers`:
    bytes sent as they are, a number slept, None closes the connection (TLS with `tls`)."""

    def __init__(self, answers: list[list[bytes | float | None]],
                 tls: ssl.SSLContext | None = None) -> None:
        self.answers = list(answers)
        self._tls = tls
        self.scheme = "https" if tls else "http"
        self.requests: list[tuple[int, bytes]] = []  # (connection, request line)
        super().__init__()

    def _play(self, conn: socket.socket, number: int) -> None:
        if self._tls is not None:
            try:
                conn = self._tls.wrap_socket(conn, server_side=True)
            except OSError:
                conn.close()
                return
        with conn, conn.makefile("rb") as incoming:
            while (line := incoming.readline()) and self.answers:
                while incoming.readline() not in (b"\r\n", b""):
                    pass
                self.requests.append((number, line.split()[1]))
                for part in self.answers.pop(0):
                    if part is None:
                        return
                    if isinstance(part, bytes):
                        conn.sendall(part)
                    else:
                        time.sleep(part)


@pytest.fixture
def raw() -> Iterator[list[RawServer]]:
    made: list[RawServer] = []
    yield made
    for srv in made:
        srv.close()


def test_an_early_hints_response_is_skipped_for_the_final_one(raw: list[RawServer]) -> None:
    """103 Early Hints (RFC 8297) comes before the real answer, often a while before:
    httpx skipped it. Taken as the answer, the fetch failed as 'HTTP 103' and the
    connection went back with the real answer still to come, read by the next request."""
    srv = RawServer([[b"HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n", 0.2,
                      b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst"],
                     [OK]])
    raw.append(srv)
    with make_client(per_host=1) as client:
        assert client.get(srv.url("/a")).content == b"first"
        assert client.get(srv.url("/b")).content == b"<rss/>"
    assert srv.connections == 1


def test_a_connection_switched_by_a_101_is_not_reused(raw: list[RawServer]) -> None:
    """A 101 we did not ask for: whatever follows on that connection is not HTTP/1.1."""
    srv = RawServer([[b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n"
                      b"Connection: upgrade\r\n\r\n"], [OK]])
    raw.append(srv)
    with make_client(per_host=1) as client:
        with pytest.raises(FetchError) as info:
            client.get(srv.url("/a"))
        assert info.value.status == 101
        assert client.get(srv.url("/b")).content == b"<rss/>"
    assert srv.connections == 2


def test_chunked_with_spaces_around_it_is_still_chunked(raw: list[RawServer]) -> None:
    """Spaces around a field value are not part of it (RFC 9110 5.5), as h11 read it for
    httpx: http.client took 'chunked ' as no coding and read to the end of the
    connection, a timeout while the server kept it open, or the chunk sizes in the body
    when it closed it."""
    srv = RawServer([[b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked \r\n\r\n"
                      b"6\r\n<rss/>\r\n0\r\n\r\n"], [OK]])
    raw.append(srv)
    with make_client(per_host=1) as client:
        assert client.get(srv.url("/a")).content == b"<rss/>"
        assert client.get(srv.url("/b")).content == b"<rss/>"
    assert srv.connections == 1


@pytest.mark.parametrize("framing", [b"Transfer-Encoding: chunked", b"Content-Length: 14"])
def test_a_header_line_that_hides_the_framing_is_refused(raw: list[RawServer],
                                                         framing: bytes) -> None:
    """A line without a colon ends Python's headers; the body's framing after it was
    lost, so the chunk sizes were stored as text (or the read ran to a timeout)."""
    srv = RawServer([[b"HTTP/1.1 200 OK\r\nX-Broken-Line\r\n" + framing + b"\r\n\r\n"
                      b"6\r\n<rss/>\r\n0\r\n\r\n", None], [OK]])
    raw.append(srv)
    with make_client(per_host=1) as client:
        with pytest.raises(FetchError) as info:
            client.get(srv.url("/a"))
        assert info.value.kind == "connect"
        assert "malformed header line" in info.value.message
        assert client.get(srv.url("/b")).content == b"<rss/>"  # on a new connection


def test_a_header_line_without_a_colon_elsewhere_is_let_go(raw: list[RawServer]) -> None:
    srv = RawServer([[b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\nX-Broken-Line\r\n"
                      b"X-Lost: yes\r\n\r\n<rss/>"]])
    raw.append(srv)
    with make_client(per_host=1) as client:
        assert client.get(srv.url("/a")).content == b"<rss/>"
