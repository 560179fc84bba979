"""Pre-signed storage URLs in the style of S3 query authentication (`X-Amz-*`)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

__all__ = ["Presigner"]

_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
_ALGORITHM = "AWS4-HMAC-SHA256"
_SIGNED = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires")


class Presigner:
    """Signs and checks storage URLs with a secret only this fake knows, on `clock`'s time."""

    def __init__(
        self, secret: bytes | None = None, *, clock: Callable[[], datetime] | None = None
    ) -> None:
        self._secret = secret or secrets.token_bytes(32)
        self._clock = clock or (lambda: datetime.now(UTC))

    def query(self, path: str, *, expires_in: int, issued_at: datetime | None = None) -> str:
        """The query string that makes `path` downloadable for `expires_in` seconds."""
        issued = (issued_at or self._clock()).astimezone(UTC)
        params = {
            "X-Amz-Algorithm": _ALGORITHM,
            "X-Amz-Credential": f"AKIAFAKECIRCLECI/{issued:%Y%m%d}/us-east-1/s3/aws4_request",
            "X-Amz-Date": issued.strftime(_DATE_FORMAT),
            "X-Amz-Expires": str(expires_in),
            "X-Amz-SignedHeaders": "host",
        }
        params["X-Amz-Signature"] = self._sign(path, params)
        return urlencode(params)

    def problem(
        self, path: str, query: Mapping[str, str], now: datetime | None = None
    ) -> tuple[str, str] | None:
        """None if `query` validly signs `path` and has not expired, else S3's (code, message)."""
        if any(name not in query for name in (*_SIGNED, "X-Amz-Signature")):
            return "AccessDenied", "Query-string authentication requires X-Amz-* parameters."
        if not hmac.compare_digest(self._sign(path, query), query["X-Amz-Signature"]):
            return "SignatureDoesNotMatch", (
                "The request signature we calculated does not match the signature you provided."
            )
        try:
            issued = datetime.strptime(query["X-Amz-Date"], _DATE_FORMAT).replace(tzinfo=UTC)
            lifetime = timedelta(seconds=int(query["X-Amz-Expires"]))
        except ValueError:
            return "AccessDenied", "X-Amz-Date or X-Amz-Expires is malformed."
        if (now or self._clock()) > issued + lifetime:
            return "AccessDenied", "Request has expired"
        return None

    def _sign(self, path: str, params: Mapping[str, str]) -> str:
        text = "\n".join([path, *(params[name] for name in _SIGNED)])
        return hmac.new(self._secret, text.encode(), hashlib.sha256).hexdigest()
