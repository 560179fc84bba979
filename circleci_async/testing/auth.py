"""Which credentials the fake accepts: `Circle-Token`, `Bearer`, or basic with an empty password."""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Mapping

from .replies import Reply

__all__ = ["UNAUTHORIZED_MESSAGE", "is_authorized", "unauthorized"]

UNAUTHORIZED_MESSAGE = "You must log in first."


def _presented(headers: Mapping[str, str]) -> str | None:
    circle_token = headers.get("Circle-Token")
    if circle_token is not None:
        return circle_token
    scheme, _, value = headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        username, colon, password = decoded.partition(":")
        return username if colon and not password else None
    return None


def is_authorized(headers: Mapping[str, str], token: str) -> bool:
    """Whether the request headers carry `token` in one of the accepted forms."""
    presented = _presented(headers)
    return presented is not None and hmac.compare_digest(presented.encode(), token.encode())


def unauthorized(error_key: str = "message") -> Reply:
    """CircleCI's 401, its text under `error_key` (`error` for the policy and OIDC services)."""
    return Reply.json(401, {error_key: UNAUTHORIZED_MESSAGE})
