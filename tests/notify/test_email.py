"""A real SMTP server (aiosmtpd on loopback) receives alerts and the digest: parse
what arrived and check the headers, both parts, the escaping and the chart."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.notify import Dispatcher

from .conftest import SmtpServer, _Inbox, _LoopbackController, ingest

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH:UserWarning")

HOSTILE = 'Article 370: <script>alert("x")</script> & the "special status" debate'


def email_config(smtp: SmtpServer) -> str:
    return f"""
[[channels]]
name = "desk-email"
kind = "email"
host = "{smtp.host}"
port = {smtp.port}
security = "none"
username = "env:TEST_SMTP_USER"
password = "env:TEST_SMTP_PASSWORD"
sender = "monitor@desk.example"
to = ["desk@desk.example", "editor@desk.example"]

[[alerts]]
name = "status"
concepts = ["Article 370"]
channels = ["desk-email"]

[digest]
channels = ["desk-email"]
"""


def parts(mail: EmailMessage) -> tuple[str, str]:
    plain = mail.get_body(preferencelist=("plain",))
    html = mail.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    return plain.get_content(), html.get_content()


def seed(app) -> None:
    ingest(app, HOSTILE, "Petitioners argued before the court that Article 370 was a "
           "permanent feature of the Constitution & could not be read down <quietly>.",
           url="https://news.example/370?x=1&y=2")
    ingest(app, "अनुच्छेद 370 पर सुप्रीम कोर्ट में सुनवाई पूरी",
           "सुप्रीम कोर्ट ने जम्मू-कश्मीर से अनुच्छेद 370 हटाने के ख़िलाफ़ याचिकाओं पर सुनवाई "
           "पूरी की। श्रीनगर में लोग फ़ैसले का इंतज़ार कर रहे हैं।",
           source="bbc-hindi", language="hi", published="2024-03-10T11:00:00+05:30")
    ingest(app, "آرٹیکل 370 پر بھارتی سپریم کورٹ میں سماعت مکمل",
           "بھارتی سپریم کورٹ نے جموں و کشمیر کی خصوصی حیثیت ختم کرنے کے خلاف درخواستوں پر "
           "سماعت مکمل کر لی۔ سرینگر میں لوگ فیصلے کے منتظر ہیں۔",
           source="bbc-urdu", language="ur", published="2024-03-10T12:00:00+05:30")


def test_alert_emails_have_headers_both_parts_and_escaping(make_app, smtp: SmtpServer,
                                                          monkeypatch) -> None:
    monkeypatch.setenv("TEST_SMTP_USER", "desk-bot")
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "s3cret")
    app = make_app(email_config(smtp))
    seed(app)
    with Dispatcher(app) as dispatcher:
        assert dispatcher.run(datetime.now(UTC) + timedelta(seconds=5)).sent == 3
    assert len(smtp.inbox.messages) == 3
    envelope = smtp.inbox.envelopes[0]
    assert envelope.rcpt_tos == ["desk@desk.example", "editor@desk.example"]
    mail = smtp.inbox.messages[0]
    assert mail["From"] == "monitor@desk.example"
    assert mail["To"] == "desk@desk.example, editor@desk.example"
    assert mail["Subject"] == f"[status] {HOSTILE}"
    assert mail["MIME-Version"] == "1.0"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert parsedate_to_datetime(mail["Date"]).tzinfo is not None
    row = app.store.deliveries()[-1]
    assert re.fullmatch(rf"<monitor-{row['id']}-[0-9a-f]{{12}}@desk\.example>",
                        mail["Message-ID"])
    assert mail.get_content_type() == "multipart/alternative"
    plain, html = parts(mail)
    assert HOSTILE in plain and "https://news.example/370?x=1&y=2" in plain
    assert "Coverage: 1 report from 1 outlet" in plain
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; the" in html
    assert 'href="https://news.example/370?x=1&amp;y=2"' in html
    assert "&lt;quietly&gt;" in html
    assert "<strong" in html and ">Article 370</strong>" in html  # the mention
    urdu = smtp.inbox.messages[2]
    _, urdu_html = parts(urdu)
    assert 'dir="rtl" lang="ur"' in urdu_html
    assert urdu["Subject"] == "[status] آرٹیکل 370 پر بھارتی سپریم کورٹ میں سماعت مکمل"


def test_digest_email_once_per_day_then_forced(make_app, smtp: SmtpServer, monkeypatch,
                                               tmp_path: Path) -> None:
    monkeypatch.setenv("TEST_SMTP_USER", "desk-bot")
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "s3cret")
    # A rule that matches nothing: this test counts digests only.
    app = make_app(email_config(smtp).replace('concepts = ["Article 370"]',
                                              'query = "zzqx-nothing-matches"'))
    seed(app)
    app.close()
    config = tmp_path / "monitor.toml"

    def send(*extra: str) -> str:
        result = CliRunner().invoke(cli, ["--config", str(config), "digest", "--date",
                                          "2024-03-10", "--send", *extra],
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    assert "desk-email: sent" in send()
    assert "desk-email: already-sent" in send()
    assert len(smtp.inbox.messages) == 1
    mail = smtp.inbox.messages[0]
    assert mail["Subject"] == "Kashmir digest for Sunday 10 March 2024"
    plain, html = parts(mail)
    assert "TOP STORIES" in plain and "MENTIONS PER DAY, LAST 14 DAYS" in plain
    assert HOSTILE in plain
    # the chart: 14 CSS bars, today's the tallest; no SVG or script anywhere
    bars = re.findall(r'class="bar" title="(\d{4}-\d\d-\d\d): (\d+) mentions" '
                      r'style="height:(\d+)px', html)
    assert len(bars) == 14
    assert bars[-1][0] == "2024-03-10" and bars[-1][2] == "100"
    assert all(h == "0" for _, _, h in bars[:-1])
    assert "<svg" not in html.lower() and "<script" not in html.lower()
    assert "&lt;script&gt;" in html
    assert 'dir="rtl" lang="ur"' in html and "سماعت مکمل" in html
    assert 'lang="hi"' in html and "अनुच्छेद 370 पर सुप्रीम कोर्ट" in html

    assert "desk-email: sent" in send("--force")
    assert len(smtp.inbox.messages) == 2
    assert smtp.inbox.messages[1]["Message-ID"] != mail["Message-ID"]


class _Greylisting(_Inbox):
    """Answers RCPT with a scripted reply first (e.g. a greylisting 450), then 250."""

    def __init__(self, replies: list[str]) -> None:
        super().__init__()
        self.replies = replies

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if self.replies:
            return self.replies.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.mark.parametrize(("reply", "status", "delivered"), [
    ("450 4.2.0 Greylisted, please try again later", "sent", 1),
    ("550 5.1.1 No such mailbox here", "failed", 0),
])
def test_recipient_refused_for_now_is_retried_refused_for_good_fails(
        make_app, reply: str, status: str, delivered: int) -> None:
    inbox = _Greylisting([reply])
    controller = _LoopbackController(inbox, hostname="127.0.0.1", port=0)
    controller.start()
    try:
        config = email_config(SmtpServer("127.0.0.1", controller.port, inbox))
        config = config.replace('username = "env:TEST_SMTP_USER"\n', "").replace(
            'password = "env:TEST_SMTP_PASSWORD"\n', "").replace(
            '["desk@desk.example", "editor@desk.example"]', '["desk@desk.example"]')
        app = make_app(config)
        ingest(app, "Article 370 petitions listed for Tuesday",
               "The registry listed the Article 370 petitions for hearing on Tuesday.")
        T0 = datetime.now(UTC) + timedelta(seconds=5)
        with Dispatcher(app) as dispatcher:
            dispatcher.run(T0)
            (row,) = app.store.deliveries()
            assert reply.split()[0] in row["last_error"]["message"]
            dispatcher.run(T0 + timedelta(minutes=2))  # after the first backoff
        (row,) = app.store.deliveries()
        assert row["status"] == status
        assert len(inbox.messages) == delivered
    finally:
        controller.stop()


def test_one_recipient_refused_among_two_is_named_not_dropped_quietly(
        make_app, caplog: pytest.LogCaptureFixture) -> None:
    """desk@ gets a 450, editor@ takes it: the message is sent (a retry would reach the
    editor twice), and the refused address is named in the log."""
    inbox = _Greylisting(["450 4.2.0 Greylisted, please try again later"])
    controller = _LoopbackController(inbox, hostname="127.0.0.1", port=0)
    controller.start()
    try:
        config = email_config(SmtpServer("127.0.0.1", controller.port, inbox))
        config = config.replace('username = "env:TEST_SMTP_USER"\n', "").replace(
            'password = "env:TEST_SMTP_PASSWORD"\n', "")
        app = make_app(config)
        ingest(app, "Article 370 petitions listed for Tuesday",
               "The registry listed the Article 370 petitions for hearing on Tuesday.")
        with caplog.at_level("WARNING", logger="monitor.notify"), Dispatcher(app) as dispatcher:
            dispatcher.run(datetime.now(UTC) + timedelta(seconds=5))
        (row,) = app.store.deliveries()
        assert row["status"] == "sent" and len(inbox.messages) == 1
        assert "refused desk@desk.example (450" in caplog.text
    finally:
        controller.stop()


def test_a_sender_with_a_display_name_makes_a_valid_message_id(make_app, smtp: SmtpServer,
                                                              monkeypatch) -> None:
    # The domain was the text after the last @: "<...@desk.example>>", refused by servers.
    monkeypatch.setenv("TEST_SMTP_USER", "desk-bot")
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "s3cret")
    app = make_app(email_config(smtp).replace('sender = "monitor@desk.example"',
                                              'sender = "Desk Monitor <monitor@desk.example>"'))
    seed(app)
    with Dispatcher(app) as dispatcher:
        assert dispatcher.run(datetime.now(UTC) + timedelta(seconds=5)).sent == 3
    mail = smtp.inbox.messages[0]
    assert mail["From"] == "Desk Monitor <monitor@desk.example>"
    assert smtp.inbox.envelopes[0].mail_from == "monitor@desk.example"
    # As sent: the parsed header would hide a stray ">" (it is only flagged as a defect).
    raw = smtp.inbox.envelopes[0].content.decode()
    assert re.search(r"^Message-ID: <monitor-\d+-[0-9a-f]{12}@desk\.example>\r?$", raw, re.M)
