"""POSTing to a web endpoint with httpx, translating every outcome into ours.

2xx is success. 429 and 5xx (and 408) are worth retrying, with the server's
`Retry-After` (seconds or an HTTP date, RFC 9110 10.2.3) passed on; any other 4xx
is permanent: the URL or the payload is wrong, and sending it again cannot help.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from ...errors import DeliveryError

__all__ = ["post", "retry_after"]

_RETRY_STATUSES = {408, 429}


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header, or None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def post(
    client: httpx.Client, channel: str, url: str, body: bytes, headers: dict[str, str]
) -> httpx.Response:
    """POST and return the 2xx response; raise DeliveryError for anything else."""
    try:
        resp = client.post(url, content=body, headers=headers)
    except httpx.TimeoutException as e:
        raise DeliveryError(channel, "timeout", f"no answer from the endpoint: {e}") from e
    except httpx.TransportError as e:
        raise DeliveryError(channel, "connect", f"cannot reach the endpoint: {e}") from e
    if resp.is_success:
        return resp
    status = resp.status_code
    detail = resp.text[:200].strip().replace("\n", " ")
    message = f"HTTP {status}" + (f": {detail}" if detail else "")
    retriable = status in _RETRY_STATUSES or status >= 500
    raise DeliveryError(
        channel,
        "http_status",
        message,
        retry_after=retry_after(resp.headers.get("retry-after")) if retriable else None,
        permanent=not retriable,
    )
