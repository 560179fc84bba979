"""The errors of webhook verification and parsing, all under `CircleCIError`.

```
CircleCIError
└── WebhookError
    ├── SignatureError            the delivery is not proven to come from CircleCI
    │   ├── MissingSignatureError     no header, an empty one, or no `v1=` in it
    │   ├── MalformedSignatureError   a header that is not `v1=<64 hex digits>,...`
    │   └── SignatureMismatchError    a `v1=` that is not the body's HMAC with the secret
    └── PayloadError              a body that is too large, not JSON, or not an object
```
"""

from __future__ import annotations

from ..errors import CircleCIError

__all__ = [
    "MalformedSignatureError",
    "MissingSignatureError",
    "PayloadError",
    "SignatureError",
    "SignatureMismatchError",
    "WebhookError",
]


class WebhookError(CircleCIError):
    """A webhook delivery that cannot be accepted."""


class SignatureError(WebhookError):
    """The `circleci-signature` header does not prove the body came from CircleCI."""


class MissingSignatureError(SignatureError):
    """No signature to check: no header, an empty one, or none of the version we check (`v1`)."""


class MalformedSignatureError(SignatureError):
    """The header is not a comma-separated list of `version=value` with a hex `v1` value."""


class SignatureMismatchError(SignatureError):
    """The `v1` signature is not the HMAC-SHA256 of this body with this secret."""


class PayloadError(WebhookError):
    """The body is too large, not UTF-8 JSON, or not a JSON object."""
