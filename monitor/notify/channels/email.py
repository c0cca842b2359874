"""Email over SMTP: one multipart/alternative message (plain text, then HTML).

Security is the channel's `security`: `starttls` (port 587 unless given), `ssl`
(implicit TLS, 465) or `none` (25; for a relay on the same host). Authentication
when a username is configured. Headers: From, To, Subject (RFC 2047 when not ASCII),
Date, a Message-ID built from the delivery's idempotency key (stable across retries,
so a repeat after a crash carries the same id and threads/deduplicates), MIME-Version
and `Auto-Submitted: auto-generated` (RFC 3834, no auto-replies).
"""

from __future__ import annotations

import smtplib
import ssl
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime

import httpx

from ...config import Channel, Settings
from ...errors import DeliveryError
from ...timeutil import now_utc, zone
from ..message import Message
from .base import secret

__all__ = ["build_email", "send_email"]

DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
TIMEOUT = 30.0


def build_email(settings: Settings, channel: Channel, message: Message) -> MIMEMultipart:
    """The MIME message for a channel (pure; the tests parse what the server got).

    Built with the compat32 classes on purpose: the newer `EmailMessage` folding drops
    the space between two RFC 2047 encoded words (an Urdu or Hindi subject lost a
    space in our test), while `email.header.Header` keeps it inside the words.
    """
    sender = channel.sender or ""
    domain = sender.rpartition("@")[2] or "monitor.invalid"
    mail = MIMEMultipart("alternative")
    mail["Subject"] = Header(message.subject, "utf-8")
    mail["From"] = sender
    mail["To"] = ", ".join(channel.to)
    mail["Date"] = format_datetime(now_utc().astimezone(zone(settings.monitor.timezone)))
    mail["Message-ID"] = f"<{message.key}@{domain}>"
    mail["Auto-Submitted"] = "auto-generated"
    mail["X-Monitor-Event"] = message.kind
    mail.attach(MIMEText(message.text, "plain", "utf-8"))
    if message.html:
        mail.attach(MIMEText(message.html, "html", "utf-8"))
    return mail


def send_email(settings: Settings, channel: Channel, message: Message,
               client: httpx.Client) -> None:
    mail = build_email(settings, channel, message)
    try:
        _transmit(settings, channel, mail)
    except smtplib.SMTPResponseException as e:
        text = e.smtp_error.decode("utf-8", "replace") if isinstance(e.smtp_error, bytes) \
            else str(e.smtp_error)
        permanent = e.smtp_code >= 500 or isinstance(e, smtplib.SMTPAuthenticationError)
        raise DeliveryError(channel.name, "other", f"SMTP {e.smtp_code}: {text}",
                            permanent=permanent) from e
    except smtplib.SMTPRecipientsRefused as e:
        raise DeliveryError(channel.name, "other", f"recipients refused: {e.recipients}",
                            permanent=True) from e
    except (TimeoutError, smtplib.SMTPServerDisconnected) as e:
        raise DeliveryError(channel.name, "timeout" if isinstance(e, TimeoutError)
                            else "connect", f"SMTP server {channel.host}: {e}") from e
    except (OSError, smtplib.SMTPException) as e:
        raise DeliveryError(channel.name, "connect", f"SMTP server {channel.host}: {e}") from e


def _transmit(settings: Settings, channel: Channel, mail: MIMEMultipart) -> None:
    host = channel.host or "localhost"
    port = channel.port or DEFAULT_PORTS[channel.security]
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if channel.security == "ssl":
        smtp = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=TIMEOUT)
    with smtp:
        smtp.ehlo()
        if channel.security == "starttls":
            smtp.starttls(context=context)
            smtp.ehlo()
        username = secret(settings, channel, "username")
        if username:
            smtp.login(username, secret(settings, channel, "password") or "")
        smtp.send_message(mail)
