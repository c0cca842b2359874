"""Proxies (absolute form for http://, CONNECT for https://) and TLS, on loopback sockets."""

from __future__ import annotations

import base64
import contextlib
import http.client
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from monitor.errors import FetchError
from monitor.fetch.client import Client

from .server import LoopbackServer
from .test_client import make_client
from .test_hostile import OK, RawServer
from .test_transport import remember_ports

HOP_BY_HOP = {"connection", "proxy-authorization", "transfer-encoding", "content-length"}


def _pipe(src: socket.socket, dst: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := src.recv(65536):
            dst.sendall(data)
    with contextlib.suppress(OSError):
        dst.shutdown(socket.SHUT_WR)  # the other side sees the end too


class ForwardProxy:
    """A loopback forward proxy: absolute-form GETs relayed, CONNECT tunnels piped."""

    def __init__(self) -> None:
        self.lines: list[str] = []  # request lines, as received
        self.headers: list[dict[str, str]] = []
        self.connections: set[int] = set()  # client ports
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                proxy._note(self)
                target = urlsplit(self.path)
                upstream = http.client.HTTPConnection(target.hostname or "", target.port,
                                                      timeout=5)
                forward = {k: v for k, v in self.headers.items()
                           if k.lower() not in HOP_BY_HOP}
                upstream.request("GET", target.path + (f"?{target.query}" if target.query
                                                       else ""), headers=forward)
                resp = upstream.getresponse()
                body = resp.read()
                upstream.close()
                self.send_response(resp.status)
                for k, v in resp.getheaders():
                    if k.lower() not in HOP_BY_HOP:
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if resp.status != 304:
                    self.wfile.write(body)

            def do_CONNECT(self) -> None:
                proxy._note(self)
                host, port = self.path.rsplit(":", 1)
                self.close_connection = True
                try:
                    upstream = socket.create_connection((host, int(port)), timeout=5)
                except OSError:
                    self.send_error(502)
                    return
                self.send_response(200, "Connection established")
                self.end_headers()
                back = threading.Thread(target=_pipe, args=(upstream, self.connection),
                                        daemon=True)
                back.start()
                _pipe(self.connection, upstream)
                back.join(timeout=10)
                upstream.close()

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()

    def url(self, credentials: str = "") -> str:
        return f"http://{credentials}127.0.0.1:{self.port}"

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _note(self, h: BaseHTTPRequestHandler) -> None:
        self.lines.append(h.requestline)
        self.headers.append(dict(h.headers.items()))
        self.connections.add(h.client_address[1])


@pytest.fixture
def proxy() -> Iterator[ForwardProxy]:
    p = ForwardProxy()
    yield p
    p.close()


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    return monkeypatch


def test_http_goes_through_the_configured_proxy_in_absolute_form(
        server: LoopbackServer, proxy: ForwardProxy) -> None:
    server.serve("/feed", body=b"<rss/>", etag='"v1"')
    with make_client(proxy=proxy.url()) as client:
        assert client.get(server.url("/feed?a=1")).content == b"<rss/>"
        assert client.get(server.url("/feed"), etag='"v1"').not_modified
    assert proxy.lines == [f"GET {server.url('/feed?a=1')} HTTP/1.1",
                           f"GET {server.url('/feed')} HTTP/1.1"]
    assert len(proxy.connections) == 1  # kept alive to the proxy
    assert server.hits("/feed")[0]["Host"] == f"127.0.0.1:{server.port}"


def test_proxy_credentials_go_to_the_proxy(server: LoopbackServer,
                                           proxy: ForwardProxy) -> None:
    server.serve("/feed", body=b"<rss/>")
    with make_client(proxy=proxy.url("reader:s%40cret@")) as client:
        client.get(server.url("/feed"))
    sent = proxy.headers[0]["Proxy-Authorization"]
    assert sent == "Basic " + base64.b64encode(b"reader:s@cret").decode()
    assert "Proxy-Authorization" not in server.hits("/feed")[0]


def test_the_environment_proxy_and_no_proxy(clean_env: pytest.MonkeyPatch,
                                            proxy: ForwardProxy) -> None:
    clean_env.setenv("HTTP_PROXY", f"127.0.0.1:{proxy.port}")  # no scheme: http://
    clean_env.setenv("NO_PROXY", "127.0.0.3")
    with LoopbackServer(host="127.0.0.2") as far, LoopbackServer(host="127.0.0.3") as near:
        for srv in (far, near):
            srv.serve("/feed", body=b"<rss/>")
        with make_client() as client:
            assert client.get(far.url("/feed")).content == b"<rss/>"
            assert client.get(near.url("/feed")).content == b"<rss/>"
        assert proxy.lines == [f"GET {far.url('/feed')} HTTP/1.1"]
        with make_client(proxy=proxy.url()) as client:  # the setting ignores NO_PROXY
            client.get(near.url("/feed"))
        assert proxy.lines[-1] == f"GET {near.url('/feed')} HTTP/1.1"


def test_no_proxy_entries_with_a_port_bypass_that_port_only(clean_env: pytest.MonkeyPatch,
                                                            proxy: ForwardProxy) -> None:
    """NO_PROXY=host:port, as httpx (and curl) read it: that origin goes direct."""
    with LoopbackServer(host="127.0.0.2") as near, LoopbackServer(host="127.0.0.2") as far:
        clean_env.setenv("HTTP_PROXY", proxy.url())
        clean_env.setenv("NO_PROXY", f"example.org,127.0.0.2:{near.port}")
        for srv in (near, far):
            srv.serve("/feed", body=b"<rss/>")
        with make_client() as client:
            assert client.get(near.url("/feed")).content == b"<rss/>"
            assert client.get(far.url("/feed")).content == b"<rss/>"
        assert proxy.lines == [f"GET {far.url('/feed')} HTTP/1.1"]


def test_a_proxy_that_fails_is_a_proxy_error(server: LoopbackServer,
                                             proxy: ForwardProxy) -> None:
    server.serve("/feed", body=b"<rss/>")
    with socket.create_server(("127.0.0.1", 0)) as closed:
        nobody = closed.getsockname()[1]
    for url in (f"http://127.0.0.1:{nobody}", "socks5://127.0.0.1:1080"):
        with make_client(proxy=url) as client, pytest.raises(FetchError) as info:
            client.get(server.url("/feed"))
        assert info.value.kind == "connect" and info.value.message.startswith("proxy error")
    with make_client(proxy=proxy.url()) as client, pytest.raises(FetchError) as info:
        client.get(f"https://127.0.0.1:{nobody}/feed")  # the proxy cannot open the tunnel
    assert info.value.kind == "connect" and "502" in info.value.message
    assert proxy.lines == [f"CONNECT 127.0.0.1:{nobody} HTTP/1.0"]


# -- TLS: a certificate for 127.0.0.1 made by the openssl binary ----------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("no openssl binary to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    made = subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
         "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        capture_output=True, timeout=60, check=False)
    if made.returncode != 0:
        pytest.skip(f"openssl could not make a certificate: {made.stderr[-200:]!r}")
    return cert, key


@pytest.fixture
def tls_server(certificate: tuple[Path, Path]) -> Iterator[LoopbackServer]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    srv = LoopbackServer()
    srv._httpd.socket = context.wrap_socket(srv._httpd.socket, server_side=True)
    with srv:
        yield srv


def https_url(srv: LoopbackServer, path: str) -> str:
    return srv.url(path).replace("http://", "https://")


def tls_client(certificate: tuple[Path, Path], **settings: object) -> Client:
    plain = make_client(**settings)
    return Client(plain.settings, plain.user_agent,
                  ssl_context=ssl.create_default_context(cafile=str(certificate[0])))


def test_https_with_a_trusted_certificate(tls_server: LoopbackServer,
                                          certificate: tuple[Path, Path]) -> None:
    ports: set[int] = set()
    remember_ports(tls_server, "/feed", ports, body=b"<rss/>", etag='"v1"')
    with tls_client(certificate) as client:
        assert client.get(https_url(tls_server, "/feed")).content == b"<rss/>"
        assert client.get(https_url(tls_server, "/feed"), etag='"v1"').not_modified
    assert len(ports) == 1


def test_an_untrusted_certificate_is_refused(tls_server: LoopbackServer) -> None:
    tls_server.serve("/feed", body=b"<rss/>")
    with make_client() as client, pytest.raises(FetchError) as info:
        client.get(https_url(tls_server, "/feed"))
    assert info.value.kind == "connect" and "CERTIFICATE_VERIFY_FAILED" in info.value.message
    assert tls_server.requests == []


def test_https_goes_through_a_connect_tunnel(tls_server: LoopbackServer, proxy: ForwardProxy,
                                             certificate: tuple[Path, Path]) -> None:
    tls_server.serve("/feed", body=b"<rss/>")
    with tls_client(certificate, proxy=proxy.url("reader:pw@")) as client:
        for _ in range(2):
            assert client.get(https_url(tls_server, "/feed")).content == b"<rss/>"
    assert proxy.lines == [f"CONNECT 127.0.0.1:{tls_server.port} HTTP/1.0"]  # one, kept
    assert proxy.headers[0]["Proxy-Authorization"] == \
        "Basic " + base64.b64encode(b"reader:pw").decode()
    assert [h["Host"] for h in tls_server.hits("/feed")] == [f"127.0.0.1:{tls_server.port}"] * 2


def test_bytes_left_in_a_tls_record_keep_the_connection_from_reuse(
        certificate: tuple[Path, Path]) -> None:
    """A 304 that wrongly carries a body, sent in one TLS record: what the response's
    buffer did not take waits inside the SSL object, where polling the socket does not
    see it. Reused, the connection gave the next request those bytes as its answer."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    srv = RawServer([[b"HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\n\r\n" + b"Z" * 12_000],
                     [OK]], tls=context)
    try:
        with tls_client(certificate, per_host=1) as client:
            assert client.get(srv.url("/a"), etag='"v1"').not_modified
            assert client.get(srv.url("/b")).content == b"<rss/>"
    finally:
        srv.close()
    assert srv.connections == 2
