"""Email over TLS against a real aiosmtpd on loopback: STARTTLS and implicit TLS with a
login, certificates from a CA made here (the `openssl` command), verification always on.

The servers take a login only over TLS and record the TLS version of each session, so
a passing test shows the password and the message travelled encrypted.
"""

from __future__ import annotations

import logging
import shutil
import ssl
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult

from monitor.config import load_settings
from monitor.errors import ConfigError
from monitor.notify import Dispatcher
from monitor.notify.dispatch import MAX_ATTEMPTS
from monitor.timeutil import now_utc

from .conftest import SMTP_LOGIN, SmtpServer, _Inbox, _LoopbackController, ingest, write_config

# aiosmtpd cannot tell implicit TLS from clear text for `auth_require_tls`, so the
# implicit-TLS server sets it off and `_login_over_tls_only` enforces it instead.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH:UserWarning")

TITLE = 'Article 370 hearing: <b>"special status"</b> & the court'
TEXT = "The Supreme Court heard the Article 370 petitions in New Delhi on Monday."


# -- a CA, a server certificate for localhost/127.0.0.1, and a CA that signed nothing ---

@dataclass(frozen=True)
class Pki:
    ca: Path
    other_ca: Path
    folder: Path

    def server_context(self, name: str = "server") -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.folder / f"{name}.pem", self.folder / f"{name}.key")
        return context


def _openssl(folder: Path, *args: str) -> None:
    subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True, timeout=30)


def _key_args(name: str) -> list[str]:
    return ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", f"{name}.key"]


def _make_ca(folder: Path, name: str) -> None:
    _openssl(folder, "req", "-x509", *_key_args(name), "-out", f"{name}.pem", "-days", "2",
             "-subj", f"/CN=monitor test {name}",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign")


def _make_server(folder: Path, name: str, alt_names: str) -> None:
    (folder / f"{name}.ext").write_text(
        f"subjectAltName={alt_names}\nbasicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
        "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n", encoding="ascii")
    _openssl(folder, "req", "-new", *_key_args(name), "-out", f"{name}.csr",
             "-subj", "/CN=monitor test server")
    _openssl(folder, "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-CAcreateserial", "-days", "2", "-extfile", f"{name}.ext", "-out", f"{name}.pem")


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    if shutil.which("openssl") is None:
        pytest.skip("the TLS tests make their certificates with the `openssl` command")
    folder = tmp_path_factory.mktemp("pki")
    _make_ca(folder, "ca")
    _make_ca(folder, "other-ca")
    _make_server(folder, "server", "DNS:localhost,IP:127.0.0.1")
    _make_server(folder, "elsewhere", "DNS:mail.elsewhere.example")
    return Pki(folder / "ca.pem", folder / "other-ca.pem", folder)


# -- aiosmtpd that takes a login only over TLS ----------------------------------------

class _TlsInbox(_Inbox):
    """Also records the TLS version each message came over (None: clear text)."""

    def __init__(self) -> None:
        super().__init__()
        self.tls: list[str | None] = []
        self.logins: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        tls = server.transport.get_extra_info("ssl_object")
        self.tls.append(tls.version() if tls else None)
        return await super().handle_DATA(server, session, envelope)


def _login_over_tls_only(inbox: _TlsInbox) -> Callable[..., AuthResult]:
    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str,
                     auth_data: Any) -> AuthResult:
        login = (auth_data.login.decode(), auth_data.password.decode())
        inbox.logins.append(login[0])
        encrypted = server.transport.get_extra_info("ssl_object") is not None
        return AuthResult(success=encrypted and login == SMTP_LOGIN)

    return authenticate


@dataclass
class TlsServer(SmtpServer):
    inbox: _TlsInbox


@pytest.fixture
def tls_server(pki: Pki) -> Iterator[Callable[..., TlsServer]]:
    """`tls_server("starttls" | "ssl", cert="server")`: aiosmtpd requiring a login."""
    controllers: list[_LoopbackController] = []

    def start(mode: str, cert: str = "server") -> TlsServer:
        inbox = _TlsInbox()
        context = pki.server_context(cert)
        options: dict[str, Any] = (
            {"tls_context": context, "require_starttls": True, "auth_require_tls": True}
            if mode == "starttls" else {"ssl_context": context, "auth_require_tls": False})
        controller = _LoopbackController(inbox, hostname="127.0.0.1", port=0,
                                         authenticator=_login_over_tls_only(inbox),
                                         auth_required=True, **options)
        controller.start()
        controllers.append(controller)
        return TlsServer("127.0.0.1", controller.port, inbox)

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture(autouse=True)
def _login(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_SMTP_USER", SMTP_LOGIN[0])
    monkeypatch.setenv("TEST_SMTP_PASSWORD", SMTP_LOGIN[1])


def channel_config(server: SmtpServer, security: str, ca_file: str | None) -> str:
    ca = f'ca_file = "{ca_file}"\n' if ca_file else ""
    return f"""
[[channels]]
name = "desk-email"
kind = "email"
host = "{server.host}"
port = {server.port}
security = "{security}"
{ca}username = "env:TEST_SMTP_USER"
password = "env:TEST_SMTP_PASSWORD"
sender = "monitor@desk.example"
to = ["desk@desk.example"]

[[alerts]]
name = "status"
concepts = ["Article 370"]
channels = ["desk-email"]
"""


def trusting(tmp_path: Path, ca: Path) -> str:
    """The CA copied beside the config and named relative to it, as a desk would."""
    (tmp_path / "certs").mkdir(exist_ok=True)
    shutil.copy(ca, tmp_path / "certs" / "desk-ca.pem")
    return "certs/desk-ca.pem"


# -- the tests --------------------------------------------------------------------------

@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_alert_arrives_over_verified_tls_with_login(make_app, tls_server, pki: Pki,
                                                   tmp_path: Path, security: str) -> None:
    server = tls_server(security)
    app = make_app(channel_config(server, security, trusting(tmp_path, pki.ca)))
    assert app.settings.channels[0].ca_file == tmp_path / "certs" / "desk-ca.pem"
    assert ingest(app, TITLE, TEXT).alerts == 1
    with Dispatcher(app) as dispatcher:
        assert dispatcher.run().sent == 1
    assert server.inbox.logins == ["desk-bot"]
    assert server.inbox.tls[0] in ("TLSv1.2", "TLSv1.3")
    assert server.inbox.envelopes[0].rcpt_tos == ["desk@desk.example"]
    mail = server.inbox.messages[0]
    assert mail["From"] == "monitor@desk.example" and mail["To"] == "desk@desk.example"
    assert mail["Subject"] == f"[status] {TITLE}"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["Message-ID"].startswith("<monitor-") and mail["Message-ID"].endswith(
        "@desk.example>")
    assert mail.get_content_type() == "multipart/alternative"
    plain = mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert TITLE in plain and "New Delhi" in plain
    assert "&lt;b&gt;&#34;special status&#34;&lt;/b&gt; &amp; the court" in html
    assert '<b>"special status"</b>' not in html


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_untrusted_certificate_is_retried_then_failed_and_nothing_leaks(
        make_app, tls_server, pki: Pki, tmp_path: Path, caplog, security: str) -> None:
    server = tls_server(security)
    app = make_app(channel_config(server, security, trusting(tmp_path, pki.other_ca)))
    ingest(app, TITLE, TEXT)
    caplog.set_level(logging.WARNING, logger="monitor.notify.dispatch")
    start = now_utc()
    with Dispatcher(app) as dispatcher:
        report = dispatcher.run(start)
        assert (report.sent, report.retrying) == (0, 1)
        row = app.store.deliveries()[0]
        assert row["status"] == "pending"
        error = row["last_error"]
        assert error["kind"] == "connect"
        assert error["message"] == (
            f"TLS with SMTP server 127.0.0.1:{server.port} failed: unable to get local "
            f"issuer certificate; check that ca_file {tmp_path / 'certs' / 'desk-ca.pem'} "
            "holds the CA that signed it")
        ours = [r for r in caplog.records if r.name.startswith("monitor.")]
        assert [r.levelname for r in ours] == ["WARNING"] and ours[0].exc_info is None
        assert "on desk-email: TLS with SMTP server" in ours[0].getMessage()
        for hours in range(1, MAX_ATTEMPTS):  # the backoff is capped at one hour
            dispatcher.run(start + timedelta(hours=hours))
    row = app.store.deliveries()[0]
    assert (row["status"], row["attempts"]) == ("failed", MAX_ATTEMPTS)
    assert row["last_error"]["kind"] == "connect"
    assert server.inbox.logins == [] and server.inbox.messages == []


def test_certificate_for_another_name_is_refused(make_app, tls_server, pki: Pki,
                                                tmp_path: Path) -> None:
    server = tls_server("ssl", cert="elsewhere")
    app = make_app(channel_config(server, "ssl", trusting(tmp_path, pki.ca)))
    ingest(app, TITLE, TEXT)
    with Dispatcher(app) as dispatcher:
        assert dispatcher.run().retrying == 1
    message = app.store.deliveries()[0]["last_error"]["message"]
    assert "certificate is not valid for '127.0.0.1'" in message
    assert message.endswith("set `host` to a name the certificate carries")
    assert server.inbox.logins == []


def test_login_without_tls_against_a_server_requiring_it_fails_at_once(
        make_app, tls_server) -> None:
    server = tls_server("starttls")
    app = make_app(channel_config(server, "none", None))
    ingest(app, TITLE, TEXT)
    with Dispatcher(app) as dispatcher:
        assert dispatcher.run().failed == 1
    row = app.store.deliveries()[0]
    assert (row["status"], row["attempts"]) == ("failed", 1)
    assert row["last_error"] == {
        "kind": "other", "at": row["last_error"]["at"],
        "message": f"SMTP server 127.0.0.1:{server.port} offers no login (AUTH) on a "
                   'clear-text connection; it offers STARTTLS: set security = "starttls"'}
    assert server.inbox.logins == [] and server.inbox.messages == []


@pytest.mark.parametrize(("security", "expected"), [
    ("ssl", "failed: wrong version number; check `security` (ssl) and `port`"),
    ("starttls", "does not offer STARTTLS; nothing was sent in clear text"),
])
def test_tls_against_a_clear_text_server_is_a_clear_error(
        make_app, smtp: SmtpServer, security: str, expected: str) -> None:
    app = make_app(channel_config(smtp, security, None))
    ingest(app, TITLE, TEXT)
    with Dispatcher(app) as dispatcher:
        assert dispatcher.run().retrying == 1
    error = app.store.deliveries()[0]["last_error"]
    assert error["kind"] == "connect" and expected in error["message"]
    assert smtp.inbox.messages == []


def test_ca_file_is_checked_when_the_config_loads(tmp_path: Path, pki: Pki) -> None:
    server = SmtpServer("127.0.0.1", 2525, _Inbox())
    config = write_config(tmp_path, channel_config(server, "starttls", "certs/missing.pem"))
    with pytest.raises(ConfigError) as missing:
        load_settings(config)
    assert missing.value.key == 'channels[0] ("desk-email").ca_file'
    assert "not a usable CA bundle: No such file or directory" in str(missing.value)
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "missing.pem").write_text("not a certificate\n")
    with pytest.raises(ConfigError, match="no PEM certificate in it"):
        load_settings(config)
    write_config(tmp_path, channel_config(server, "none", trusting(tmp_path, pki.ca)))
    with pytest.raises(ConfigError, match='`ca_file` needs an email channel with security'):
        load_settings(config)

