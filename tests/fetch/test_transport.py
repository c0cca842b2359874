"""Connections: one keep-alive pool per host, reused across hosts and after 304s (issue 3)."""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import httpx
import pytest

from monitor.fetch.client import Client
from monitor.fetch.transport import HostPools

from .server import LoopbackServer
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
        return 200, {"ETag": plain.etag or ""}, plain.body

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


def test_idle_pools_beyond_the_limit_are_closed_not_those_in_use(
        hosts: list[LoopbackServer]) -> None:
    for srv in hosts:
        srv.serve("/big", body=b"x" * 300_000)
    with httpx.Client(transport=HostPools(1, hosts=1)) as http:
        with http.stream("GET", hosts[0].url("/big")) as held:
            for srv in hosts[1:]:  # host 0 is in use: others come and go around it
                assert len(http.get(srv.url("/big")).content) == 300_000
            assert len(held.read()) == 300_000
        assert len(http.get(hosts[1].url("/big")).content) == 300_000


def test_the_client_uses_a_pool_per_host() -> None:
    with make_client() as client:
        assert isinstance(client._http._transport, HostPools)


def test_a_given_transport_is_used_as_is(hosts: list[LoopbackServer]) -> None:
    hosts[0].serve("/feed", body=b"<rss/>")
    transport = httpx.HTTPTransport()
    client = Client(make_client().settings, "ua", transport=transport)
    with client:
        assert client._http._transport is transport
        assert client.get(hosts[0].url("/feed")).content == b"<rss/>"
