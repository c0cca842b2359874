"""POSTing to a web endpoint with httpx, translating every outcome into ours.

2xx is success. 429 and 5xx (and 408) are worth retrying, with the server's
`Retry-After` (seconds or an HTTP date, RFC 9110 10.2.3) passed on; any other 4xx
is permanent: the URL or the payload is wrong, and sending it again cannot help.
"""

from __future__ import annotations

import httpx

from ...errors import DeliveryError
from ...timeutil import retry_after_seconds

__all__ = ["post"]

_RETRY_STATUSES = {408, 429}


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
        retry_after=retry_after_seconds(resp.headers.get("retry-after")) if retriable else None,
        permanent=not retriable,
    )
