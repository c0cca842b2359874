"""Which hosts the fetcher may connect to (server-side request forgery guard).

With `allow_private_addresses = false` a URL is refused when its host is, or
resolves to, a loopback, private (RFC 1918, RFC 4193), shared (RFC 6598),
link-local (incl. the cloud metadata service 169.254.169.254), multicast, reserved
or unspecified address. The check runs before every request: the source URL, each
redirect target and each article link a feed names (a third-party feed must not
make us fetch internal addresses).

Trade-off: the name is resolved here and again by the HTTP client, so a DNS server
that answers differently the second time (DNS rebinding) is not caught. Closing
that gap means connecting to the checked address ourselves; the proxy case (where
the proxy resolves) could not be covered either way.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

__all__ = ["BlockedAddress", "check_url_address", "is_public_ip"]

_BLOCKED_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}
_SHARED = ipaddress.ip_network("100.64.0.0/10")
_METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}


class BlockedAddress(Exception):
    """The URL's host is not a public address."""


def is_public_ip(text: str) -> bool:
    ip = ipaddress.ip_address(text.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_multicast
        or ip.is_reserved or ip.is_unspecified or ip in _METADATA
        or (isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED)
    )


def _literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


def check_url_address(url: str) -> None:
    """Raise BlockedAddress unless every address of the URL's host is public.

    Raises OSError (socket.gaierror) when the name does not resolve.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise BlockedAddress(f"no host in {url!r}")
    if host in _BLOCKED_NAMES or host.endswith(".localhost"):
        raise BlockedAddress(f"{host} is a loopback name")
    literal = _literal(host)
    addresses = [literal] if literal else sorted(
        {info[4][0] for info in socket.getaddrinfo(host, parts.port or 80, type=socket.SOCK_STREAM)}
    )
    for address in addresses:
        if not is_public_ip(str(address)):
            what = "is" if literal else f"resolves to {address}, which is"
            raise BlockedAddress(f"{host} {what} not a public address")
