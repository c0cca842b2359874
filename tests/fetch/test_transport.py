"""Connections: a keep-alive list per origin, reused across hosts and after 304s (issue 3)."""

from __future__ import annotations

import gzip
import http.client
import logging
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest

from monitor.errors import FetchError
from monitor.fetch.transport import HostPools

from .server import LoopbackServer, RawSocketServer
from .test_client import make_client


@pytest.fixture
def hosts() -> Iterator[list[LoopbackServer]]:
    servers = [LoopbackServer(host=f"127.0.0.{n}").__enter__() for n in (2, 3, 4)]
    yield servers
    for srv in servers:
        srv.close()


def remember_ports(srv: LoopbackServer, path: str, ports: set[int], **route: object) -> None:
    """Serve `path` as usual, noting each request's client port (one per connection)."""
    plain = srv.serve(path, **route)

    def answer(h: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
        ports.add(h.client_address[1])
        if plain.etag and h.headers.get("If-None-Match") == plain.etag:
            return 304, {"ETag": plain.etag}, b""
        headers = {**plain.headers, "ETag": plain.etag or ""}
        if plain.raw_encoding:
            headers["Content-Encoding"] = plain.raw_encoding
        return plain.status, headers, plain.body

    plain.handler = answer


def test_each_host_keeps_its_connection_across_a_cycle(hosts: list[LoopbackServer]) -> None:
    ports: list[set[int]] = [set() for _ in hosts]
    for srv, seen in zip(hosts, ports, strict=True):
        for i in range(4):
            remember_ports(srv, f"/feed-{i}", seen, body=b"<rss/>" * 100, etag=f'"e{i}"')
    with make_client(per_host=1) as client:
        for i in range(4):  # a cycle visits the hosts in turn, then the 304 cycle
            for srv in hosts:
                assert client.get(srv.url(f"/feed-{i}")).status == 200
        for i in range(4):
            for srv in hosts:
                assert client.get(srv.url(f"/feed-{i}"), etag=f'"e{i}"').not_modified
    assert [len(seen) for seen in ports] == [1, 1, 1]


def test_idle_origins_beyond_the_limit_are_closed_not_one_in_use(
        hosts: list[LoopbackServer]) -> None:
    pools = HostPools(1, hosts=1)
    keys = [("http", srv.host, srv.port, "") for srv in hosts]
    conns = [http.client.HTTPConnection(srv.host, srv.port, timeout=5) for srv in hosts]
    for conn in conns:
        conn.connect()
    assert pools.take(keys[0]) is None  # host 0: a request in flight on conns[0]
    for key, conn in zip(keys[1:], conns[1:], strict=True):
        assert pools.take(key) is None
        pools.give(key, conn)
    assert conns[1].sock is None  # host 1 went when host 2 came, past the limit of one
    assert conns[2].sock is not None and pools.idle(keys[2]) == 1
    pools.give(keys[0], conns[0])  # host 0 was kept while in use: its list takes it back
    assert pools.take(keys[0]) is conns[0]
    assert conns[2].sock is None  # host 2 is now the least recently used
    pools.give(keys[0], None)
    pools.close()
    assert conns[0].sock is not None  # handed out once more, then given up: the caller's


@pytest.mark.parametrize(("path", "kind", "connections"), [
    ("/missing", "http_status", 1),  # a small error body is read: the connection stays
    ("/moved", None, 1),  # so is a redirect's
    ("/gone", "http_status", 2),  # a large error body is not read: closed
    ("/huge", "too_large", 2),  # Content-Length over max_bytes: refused unread
    ("/bomb", "too_large", 2),  # stopped mid-body (after decompression)
    ("/slow-body", "timeout", 2),  # the deadline passed mid-body
])
def test_a_connection_goes_back_only_after_a_complete_body(
        server: LoopbackServer, path: str, kind: str | None, connections: int) -> None:
    ports: set[int] = set()
    remember_ports(server, "/ok", ports, body=b"<rss/>")
    remember_ports(server, "/missing", ports, status=404, body=b"not here")
    remember_ports(server, "/moved", ports, status=301, headers={"Location": "/ok"},
                   body=b"<a href='/ok'>moved</a>")
    remember_ports(server, "/gone", ports, status=410, body=b"x" * 300_000)
    remember_ports(server, "/huge", ports, body=b"x" * 300_000)
    remember_ports(server, "/bomb", ports, body=gzip.compress(b"\0" * 5_000_000),
                   raw_encoding="gzip")

    def slow_body(h: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
        ports.add(h.client_address[1])
        h.send_response(200)
        h.send_header("Content-Length", "20000")
        h.end_headers()
        h.wfile.write(b"x" * 10_000)
        h.wfile.flush()
        time.sleep(1.5)  # past the 1 s timeout, the connection still open
        return 200, {}, b""  # never sent: the client has gone

    server.serve("/slow-body", handler=slow_body)
    with make_client(per_host=1) as client:
        client.get(server.url("/ok"))
        if kind is None:
            assert client.get(server.url(path)).content == b"<rss/>"
        else:
            with pytest.raises(FetchError) as info:
                client.get(server.url(path))
            assert info.value.kind == kind
        assert client.get(server.url("/ok")).content == b"<rss/>"
    assert len(ports) == connections


class ScriptedServer(RawSocketServer):
    """A raw HTTP/1.1 server: each connection plays `script`, one step a request.

    "ok": answer and keep the connection; "drop": read the request, close without
    answering (what a server that closed an idle connection looks like in a race);
    "partial": half a response, then close; "later": close 0.3 s after the previous
    answer, the request (if any) unread.
    """

    def __init__(self, script: list[str], host: str = "127.0.0.5") -> None:
        self.script = script
        self.requests = 0
        super().__init__(host)

    def _play(self, conn: socket.socket, number: int) -> None:
        with conn, conn.makefile("rb") as incoming:
            for step in self.script:
                if step == "later":
                    time.sleep(0.3)
                    return
                while (line := incoming.readline()) not in (b"\r\n", b""):
                    pass
                if not line:
                    return
                with self._lock:
                    self.requests += 1
                if step == "drop":
                    return
                if step == "partial":
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc")
                    return
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n<rss/>")


@pytest.fixture
def scripted() -> Iterator[list[ScriptedServer]]:
    made: list[ScriptedServer] = []
    yield made
    for srv in made:
        srv.close()


def test_a_reused_connection_closed_by_the_server_is_retried_once(
        scripted: list[ScriptedServer], caplog: pytest.LogCaptureFixture) -> None:
    srv = ScriptedServer(["ok", "drop"])
    scripted.append(srv)
    with make_client() as client, caplog.at_level(logging.DEBUG, "monitor.fetch.transport"):
        assert client.get(srv.url()).content == b"<rss/>"
        assert client.get(srv.url()).content == b"<rss/>"  # dropped, then a new connection
    assert (srv.connections, srv.requests) == (2, 3)
    assert "was closed (RemoteDisconnected)" in caplog.text


def test_a_connection_the_server_closes_while_idle_is_replaced(
        scripted: list[ScriptedServer]) -> None:
    srv = ScriptedServer(["ok", "later"])
    scripted.append(srv)
    with make_client() as client:
        for _ in range(3):  # whether sent before the close (reset: retried) or after
            assert client.get(srv.url()).content == b"<rss/>"  # (seen idle: not used)
            time.sleep(0.4)
    assert (srv.connections, srv.requests) == (3, 3)


@pytest.mark.parametrize(("script", "requests", "connections"), [
    (["drop"], 1, 1),  # a new connection failing is not tried again
    (["ok", "partial"], 2, 1),  # a reused one failing after the response began neither
])
def test_no_retry_on_a_new_connection_or_after_the_response_began(
        scripted: list[ScriptedServer], script: list[str], requests: int,
        connections: int) -> None:
    srv = ScriptedServer(script)
    scripted.append(srv)
    with make_client() as client:
        if script[0] == "ok":
            client.get(srv.url())
        with pytest.raises(FetchError) as info:
            client.get(srv.url())
    assert info.value.kind == "connect"
    assert (srv.requests, srv.connections) == (requests, connections)


def test_threads_sharing_a_host_never_open_more_than_per_host(server: LoopbackServer) -> None:
    ports: set[int] = set()
    for i in range(4):
        remember_ports(server, f"/f{i}", ports, body=b"<rss/>" * 50, delay=0.05)
    with make_client(per_host=2, concurrency=16) as client:
        def fetch(n: int) -> None:
            for _ in range(3):
                client.get(server.url(f"/f{n % 4}"))

        threads = [threading.Thread(target=fetch, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert len(server.requests) == 24
    assert server.max_inflight <= 2 and len(ports) <= 2
