"""`RecordedRequest`: what the fake saw of one request and how it answered."""

from __future__ import annotations

from typing import Any, Literal

import attrs

__all__ = ["Origin", "RecordedRequest"]

Origin = Literal["api", "artifacts", "storage"]


@attrs.frozen(kw_only=True)
class RecordedRequest:
    """One request received by any origin of the fake.

    It is recorded on arrival (`status` None) and replaced by a completed copy once answered.
    """

    origin: Origin
    """`"api"`, `"artifacts"` or `"storage"`."""
    method: str
    path: str
    """The request path as received (still percent-encoded), without the query."""
    query: dict[str, str]
    headers: dict[str, str]
    operation_id: str | None
    """The spec operationId of the matched API route; None elsewhere or when unrouted."""
    received_at: float
    """The fake's clock (`FakeCircleCI.clock`) on arrival."""
    status: int | None = None
    """The status sent; None while the request is still being answered."""
    body_json: Any = None
    """The JSON body sent, or None (no body, not JSON, or a truncated one)."""
    fault: str | None = None
    """The injected fault that shaped the answer (`"rate_limit"`, `"throttle"`, ...), if any."""
    answered_at: float | None = None
    """The fake's clock when the answer was written (or the connection dropped)."""
