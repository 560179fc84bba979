"""`Endpoint`: how a service declares the spec operation a method sends to.

Plain data, no I/O: the services declare their endpoints with it, the session core sends to
them, and `circleci_async.operations` tables them by operationId.
"""

from __future__ import annotations

import attrs

__all__ = ["Endpoint"]


@attrs.frozen
class Endpoint:
    """One operation of the spec: its operationId, HTTP method and path template."""

    operation_id: str
    method: str
    path: str
