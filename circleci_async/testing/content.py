"""Serving artifact bytes: content type, `Range` requests (206/416) and S3-style XML errors."""

from __future__ import annotations

import mimetypes
import re
from xml.sax.saxutils import escape

from .blobs import BlobSlice
from .records import ArtifactRecord
from .replies import Reply

__all__ = ["content_reply", "etag", "parse_range", "s3_error"]

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
_UNSATISFIABLE = "unsatisfiable"


def parse_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """`[start, end)` for a single byte range, "unsatisfiable", or None to serve everything.

    Only `bytes=N-`, `bytes=N-M` and `bytes=-N` are honoured; anything else (several ranges,
    other units, bad syntax) is ignored, as RFC 9110 allows.
    """
    if header is None:
        return None
    found = _RANGE.fullmatch(header.strip())
    if found is None or found.group(1) == found.group(2) == "":
        return None
    first, last = found.group(1), found.group(2)
    if first == "":
        suffix = int(last)
        if suffix == 0 or size == 0:
            return _UNSATISFIABLE
        return max(size - suffix, 0), size
    start = int(first)
    if last and int(last) < start:
        return None
    if start >= size:
        return _UNSATISFIABLE
    end = size if not last else min(int(last) + 1, size)
    return start, end


def s3_error(status: int, code: str, message: str) -> Reply:
    """An S3-style XML error body."""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
        "<RequestId>FAKE0000CIRCLECI</RequestId></Error>"
    )
    return Reply(status, {"Content-Type": "application/xml"}, body.encode())


def etag(artifact: ArtifactRecord) -> str:
    """The artifact's strong ETag; it changes whenever its content is replaced."""
    revision = f"-{artifact.revision}" if artifact.revision else ""
    return f'"{artifact.id.replace("-", "")}{revision}"'


def content_reply(
    artifact: ArtifactRecord, range_header: str | None, if_range: str | None = None
) -> Reply:
    """The artifact's bytes: 200, or 206 for a satisfiable range, or 416.

    With `If-Range` that is not the current ETag, the range is ignored and the whole
    content is sent (200), as RFC 9110 says.
    """
    size = artifact.size
    current = etag(artifact)
    headers = {
        "Content-Type": mimetypes.guess_type(artifact.path)[0] or "application/octet-stream",
        "Accept-Ranges": "bytes",
        "ETag": current,
    }
    if if_range is not None and if_range.strip() != current:
        range_header = None
    wanted = parse_range(range_header, size)
    if wanted == _UNSATISFIABLE:
        error = s3_error(416, "InvalidRange", "The requested range is not satisfiable")
        return error.with_headers({"Content-Range": f"bytes */{size}"})
    if isinstance(wanted, tuple):
        start, end = wanted
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
        return Reply(206, headers, BlobSlice(artifact.blob, start, end))
    return Reply(200, headers, BlobSlice(artifact.blob, 0, size))
