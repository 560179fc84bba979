"""Signing and verifying CircleCI's webhook signatures; pure functions, no I/O.

CircleCI sends `circleci-signature: v1=<hex>[,v2=...]`, where `v1` is the HMAC-SHA256 of the
raw request body keyed by the webhook's signing secret. Only `v1` is checked, the latest
version known here: a header offering other versions only is refused, so that an attacker
cannot downgrade to a weaker scheme, and entries of later versions (or other keys) are
ignored, so that what CircleCI adds later does not break verification.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import NoReturn

from ..errors import InvalidArgumentError
from ..secret import Secret
from .errors import MalformedSignatureError, MissingSignatureError, SignatureMismatchError

__all__ = [
    "MAX_HEADER_LENGTH",
    "SIGNATURE_HEADER",
    "VERSION",
    "SigningKey",
    "digest",
    "sign",
    "verify",
]

SIGNATURE_HEADER = "circleci-signature"
"""The request header that carries the signatures."""
VERSION = "v1"
"""The one signature version checked."""
MAX_HEADER_LENGTH = 4096
"""Longer signature headers are refused unread, so checking one stays cheap."""

_HEX_DIGEST = re.compile(r"[0-9a-fA-F]{64}")
_ENTRY_NAME = re.compile(r"[A-Za-z0-9_.-]+")


def _bytes(value: bytes | str, what: str) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    raise InvalidArgumentError(f"{what} must be bytes or str, got {type(value).__name__}")


class SigningKey:
    """A webhook's signing secret, held so that no repr, str, `vars()` or pickle shows it.

    Built from bytes, a str (taken as UTF-8) or a `Secret`; `verify` and `digest` take it
    wherever they take a secret, so the raw value stays out of their traceback locals.
    """

    __slots__ = ("_key",)
    _key: bytes

    def __init__(self, secret: SecretInput) -> None:
        if isinstance(secret, SigningKey):
            key = secret._key
        elif isinstance(secret, Secret):
            key = secret.reveal().encode("utf-8")
        else:
            key = _bytes(secret, "secret")
        if not key:
            raise InvalidArgumentError("secret must not be empty")
        self._key = key

    def mac(self, body: bytes) -> str:
        """The hex HMAC-SHA256 of `body` with this key."""
        return hmac.new(self._key, body, hashlib.sha256).hexdigest()

    def __repr__(self) -> str:
        return "SigningKey('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SigningKey) and hmac.compare_digest(other._key, self._key)

    def __hash__(self) -> int:
        return hash(self._key)

    def __reduce__(self) -> NoReturn:
        raise TypeError("a SigningKey cannot be pickled")


SecretInput = bytes | str | Secret | SigningKey
"""What a secret may be given as."""


def digest(body: bytes | str, secret: SecretInput) -> str:
    """The hex HMAC-SHA256 of `body` keyed by `secret` (a str is taken as UTF-8)."""
    return SigningKey(secret).mac(_bytes(body, "body"))


def sign(body: bytes | str, secret: SecretInput) -> str:
    """The `circleci-signature` header value CircleCI sends for `body`: `v1=<hex>`."""
    return f"{VERSION}={digest(body, secret)}"


def _v1_values(header: str) -> list[str]:
    if len(header) > MAX_HEADER_LENGTH:
        raise MalformedSignatureError(
            f"{SIGNATURE_HEADER} header is {len(header)} characters long, "
            f"more than {MAX_HEADER_LENGTH}"
        )
    found: list[str] = []
    for entry in header.split(","):
        version, sep, value = entry.strip().partition("=")
        if not sep or not _ENTRY_NAME.fullmatch(version) or not value:
            raise MalformedSignatureError(
                f"{SIGNATURE_HEADER} header entry {entry.strip()[:40]!r} is not version=value"
            )
        if version != VERSION:
            continue
        if not _HEX_DIGEST.fullmatch(value):
            raise MalformedSignatureError(
                f"{SIGNATURE_HEADER} {VERSION} value is not 64 hex digits"
            )
        found.append(value.lower())
    return found


def _matches(values: list[str], body: bytes, key: SigningKey) -> bool:
    expected = key.mac(body)
    matched = False
    for value in values:
        matched |= hmac.compare_digest(value, expected)
    return matched


def verify(body: bytes | str, signature_header: str | None, secret: SecretInput) -> None:
    """Check that `signature_header` holds a `v1` signature of `body` with `secret`.

    Returns None when it does; raises `MissingSignatureError` (no header, an empty one, or no
    `v1` entry, such as `v2=...` alone), `MalformedSignatureError` or `SignatureMismatchError`.
    Every `v1` entry is compared in constant time; one match is enough. Neither the key nor
    the expected signature is left in this function's locals (pass a `SigningKey` to keep
    the secret out of them too).
    """
    key = SigningKey(secret)
    data = _bytes(body, "body")
    if signature_header is None:
        raise MissingSignatureError(f"no {SIGNATURE_HEADER} header")
    if not signature_header.strip():
        raise MissingSignatureError(f"empty {SIGNATURE_HEADER} header")
    values = _v1_values(signature_header)
    if not values:
        raise MissingSignatureError(
            f"{SIGNATURE_HEADER} header has no {VERSION} signature (only {VERSION} is checked)"
        )
    if not _matches(values, data, key):
        raise SignatureMismatchError(
            f"{SIGNATURE_HEADER} {VERSION} does not match the body: "
            "wrong secret, or the body was changed"
        )
