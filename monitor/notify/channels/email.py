"""Email over SMTP: one multipart/alternative message (plain text, then HTML).

Security is the channel's `security`: `starttls` (port 587 unless given), `ssl`
(implicit TLS, 465) or `none` (25; for a relay on the same host). Authentication
when a username is configured. Headers: From, To, Subject (RFC 2047 when not ASCII),
Date, a Message-ID built from the delivery's idempotency key (stable across retries,
so a repeat after a crash carries the same id and threads/deduplicates), MIME-Version
and `Auto-Submitted: auto-generated` (RFC 3834, no auto-replies).

TLS (`starttls`, `ssl`): TLS 1.2 or newer (RFC 8996), and the server's certificate must
chain to a trusted CA and name `host` (a DNS name or an IP address; RFC 6125). Trusted
means the system store, or only the CAs in the channel's `ca_file`. There is no switch
to turn verification off. `starttls` never falls back to clear text (RFC 3207 section
4: a server that does not offer it is an error), and the login and the message go only
after the handshake. Each TLS failure becomes a `DeliveryError` of kind `connect` that
says why (untrusted, wrong name, handshake) and what to check; it is retried like a
refused connection, since servers renew certificates.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, parseaddr

import httpx

from ...config import Channel, Settings
from ...errors import DeliveryError
from ...timeutil import now_utc, zone
from ..message import Message
from .base import secret

log = logging.getLogger(__name__)

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
    # The address's domain, not the text after the last @: "Desk <desk@example.org>"
    # gave the Message-ID <...@example.org>>, which servers reject.
    domain = parseaddr(sender)[1].rpartition("@")[2] or "monitor.invalid"
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
    except (OSError, smtplib.SMTPException) as e:
        raise _delivery_error(channel, e) from e


def _address(channel: Channel) -> tuple[str, int]:
    return channel.host or "localhost", channel.port or DEFAULT_PORTS[channel.security]


def _tls_context(channel: Channel) -> ssl.SSLContext:
    """Verification always on: the system store, or only the CAs in `ca_file`."""
    try:
        context = ssl.create_default_context(cafile=str(channel.ca_file) if channel.ca_file
                                             else None)
    except OSError as e:  # checked at load; gone or changed since
        raise DeliveryError(channel.name, "other", f"cannot read ca_file {channel.ca_file}: "
                            f"{e.strerror or e}") from e
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _transmit(settings: Settings, channel: Channel, mail: MIMEMultipart) -> None:
    host, port = _address(channel)
    context = _tls_context(channel) if channel.security != "none" else None
    smtp: smtplib.SMTP
    if channel.security == "ssl":
        smtp = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=TIMEOUT)
    with smtp:
        smtp.ehlo()
        if channel.security == "starttls":
            if not smtp.has_extn("starttls"):
                raise DeliveryError(channel.name, "connect", f"SMTP server {host}:{port} "
                                    "does not offer STARTTLS; nothing was sent in clear text "
                                    '(security = "ssl" if it speaks implicit TLS)')
            smtp.starttls(context=context)
            smtp.ehlo()
        username = secret(settings, channel, "username")
        if username:
            _check_login_offered(channel, smtp)
            smtp.login(username, secret(settings, channel, "password") or "")
        refused = smtp.send_message(mail)
    if refused:
        # Some recipients took it, so it is sent: a retry would reach them twice. Those
        # refused (a 4xx greylisting one, a 5xx unknown one) are named, not dropped quietly.
        log.warning("email %s: delivered, but the SMTP server refused %s", channel.name,
                    ", ".join(f"{rcpt} ({code} {_text(reply)})"
                              for rcpt, (code, reply) in refused.items()))


def _check_login_offered(channel: Channel, smtp: smtplib.SMTP) -> None:
    """A server that hides AUTH until TLS (RFC 4954 section 4) gets a plain answer."""
    if smtp.has_extn("auth"):
        return
    host, port = _address(channel)
    hint = ('it offers STARTTLS: set security = "starttls"' if smtp.has_extn("starttls")
            else "check `security` and `port`")
    plain = " on a clear-text connection" if channel.security == "none" else ""
    raise DeliveryError(channel.name, "other", f"SMTP server {host}:{port} offers no "
                        f"login (AUTH){plain}; {hint}", permanent=True)


def _delivery_error(channel: Channel, e: OSError | smtplib.SMTPException) -> DeliveryError:
    """Ours from smtplib's and ssl's (STYLE.md 7): what failed, where, what to check."""
    host, port = _address(channel)
    where = f"SMTP server {host}:{port}"
    if isinstance(e, ssl.SSLCertVerificationError):
        return DeliveryError(channel.name, "connect", f"TLS with {where} failed: "
                             f"{e.verify_message or e.reason}; {_trust_hint(channel, e)}")
    if isinstance(e, ssl.SSLError):
        reason = (e.reason or str(e)).lower().replace("_", " ")  # WRONG_VERSION_NUMBER
        return DeliveryError(channel.name, "connect", f"TLS with {where} failed: {reason}; "
                             f"check `security` ({channel.security}) and `port`")
    if isinstance(e, smtplib.SMTPResponseException):
        text = _text(e.smtp_error)
        permanent = e.smtp_code >= 500 or isinstance(e, smtplib.SMTPAuthenticationError)
        return DeliveryError(channel.name, "other", f"SMTP {e.smtp_code}: {text}",
                             permanent=permanent)
    if isinstance(e, smtplib.SMTPRecipientsRefused):
        # A 4xx refusal (greylisting, a full mailbox) says "try later" (RFC 5321 4.2.1):
        # only when every recipient got a 5xx can no retry help.
        refused = ", ".join(f"{rcpt} ({code} {_text(reply)})"
                            for rcpt, (code, reply) in e.recipients.items())
        permanent = all(code >= 500 for code, _ in e.recipients.values())
        return DeliveryError(channel.name, "other", f"recipients refused: {refused}",
                             permanent=permanent)
    kind = "timeout" if isinstance(e, TimeoutError) else "connect"
    return DeliveryError(channel.name, kind, f"{where}: {e}")


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _trust_hint(channel: Channel, e: ssl.SSLCertVerificationError) -> str:
    # OpenSSL's X509_V_ERR_HOSTNAME_MISMATCH (62) and X509_V_ERR_IP_ADDRESS_MISMATCH (64)
    if e.verify_code in (62, 64):
        return "set `host` to a name the certificate carries"
    if channel.ca_file:
        return f"check that ca_file {channel.ca_file} holds the CA that signed it"
    return "if the server's CA is internal, set `ca_file` to its PEM file"
