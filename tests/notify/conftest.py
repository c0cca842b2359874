"""Fixtures for the notify tests: a configured App on a tmp database, articles
ingested through the real pipeline, and real loopback servers (HTTP, SMTP)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from monitor.app import App
from monitor.models import Body, RawItem

CONSOLE = '[[channels]]\nname = "console"\nkind = "console"\n'


def write_config(tmp_path: Path, body: str, *, timezone: str = "Asia/Kolkata") -> Path:
    """A monitor.toml with the database in tmp_path and the shipped taxonomy."""
    path = tmp_path / "monitor.toml"
    path.write_text(
        f'[monitor]\ndatabase = "corpus.db"\ntimezone = "{timezone}"\n\n{body}',
        encoding="utf-8",
    )
    return path


@pytest.fixture
def make_app(tmp_path: Path) -> Iterator[Callable[..., App]]:
    apps: list[App] = []

    def _make(body: str, **kw: Any) -> App:
        app = App.load(write_config(tmp_path, body, **kw))
        apps.append(app)
        return app

    yield _make
    for app in apps:
        app.close()


def ingest(app: App, title: str, text: str, *, source: str = "desk-wire",
           published: str | None = "2024-03-10T09:30:00+05:30", url: str | None = None,
           language: str | None = None, fetched_at: datetime | None = None) -> Any:
    """One article through the real pipeline (clean, dedupe, tag, story, alerts)."""
    raw = RawItem(source=source, body=Body.TEXT, content=text, dates=app.date_context(),
                  url=url, title=title, published=published, language=language,
                  origin="feed")
    return app.pipeline().ingest(raw, fetched_at=fetched_at or datetime.now(UTC))


# -- a loopback HTTP endpoint ------------------------------------------------------------

@dataclass
class Endpoint:
    """Answers POSTs from a script of (status, headers), then 200; records each request."""

    url: str = ""
    script: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r["body"]) for r in self.requests]


def _handler(endpoint: Endpoint) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with endpoint.lock:
                endpoint.requests.append({"path": self.path, "body": body,
                                          "headers": dict(self.headers.items())})
                status, headers = endpoint.script.pop(0) if endpoint.script else (200, {})
            if endpoint.delay:
                threading.Event().wait(endpoint.delay)
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            payload = b"ok" if status == 200 else b"busy"
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    ep = Endpoint()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(ep))
    ep.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield ep
    server.shutdown()
    server.server_close()


# -- a real SMTP server --------------------------------------------------------------------

class _Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


class _LoopbackController(Controller):
    """aiosmtpd's Controller on port 0: learn the port before the readiness probe."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass
class SmtpServer:
    host: str
    port: int
    inbox: _Inbox


SMTP_LOGIN = ("desk-bot", "s3cret")


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str,
                  auth_data: Any) -> AuthResult:
    ok = (auth_data.login.decode(), auth_data.password.decode()) == SMTP_LOGIN
    return AuthResult(success=ok)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """aiosmtpd on loopback; AUTH is offered without TLS (test only) and required."""
    inbox = _Inbox()
    controller = _LoopbackController(inbox, hostname="127.0.0.1", port=0,
                                     authenticator=_authenticate, auth_require_tls=False,
                                     auth_required=True)
    controller.start()
    yield SmtpServer("127.0.0.1", controller.port, inbox)
    controller.stop()


# -- many alerting articles at once -----------------------------------------------------

def save_alerting(app: App, n: int, rule: str, channels: tuple[str, ...],
                  *, start: int = 0) -> list[int]:
    """`n` distinct matching articles, each its own story, saved the way the pipeline
    saves them (one `store.save` per article, alerts queued in that transaction).

    Through `store.save` rather than the whole pipeline so that story grouping, which
    would rightly fold near-identical test articles into one story, cannot hide a storm.
    """
    from monitor.models import (
        AlertIntent,
        CleanArticle,
        Decision,
        DedupVerdict,
        Mention,
        StoryVerdict,
        Tagging,
    )

    ids = []
    for i in range(start, start + n):
        text = f"Report {i}: the Article 370 hearing continued in court room {i}."
        at = text.index("Article 370")
        article = CleanArticle(source=f"outlet-{i % 7}", url=f"https://news.example/{i}",
                               text=text, title=f"Hearing {i} on Article 370",
                               published=datetime.now(UTC), language="en")
        mention = Mention("Article 370", "Article 370", "text", at, at + 11, text)
        decision = Decision(
            article=article,
            dedup=DedupVerdict(canonical_url=article.url, content_hash=f"hash-{i}"),
            tagging=Tagging(mentions=(mention,), concepts=("Article 370",), related=True,
                            relevance=0.9),
            story=StoryVerdict(None, "new"),
            alerts=tuple(AlertIntent(rule, c) for c in channels),
            fetched_at=datetime.now(UTC),
        )
        ids.append(app.store.save(decision).article_id)
    return ids
