"""The artifacts origin (like `output.circle-artifacts.com`): token required, 302 to storage."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from .auth import is_authorized, unauthorized
from .content import content_reply
from .records import ArtifactRecord
from .replies import Reply
from .state import FakeState

__all__ = ["DIRECT_SUFFIXES", "serve_artifact"]

DIRECT_SUFFIXES = (".html", ".htm", ".xhtml")
"""Artifacts CircleCI serves from its own domain instead of redirecting to storage."""


def serve_artifact(
    request: web.BaseRequest,
    *,
    state: FakeState,
    token: str,
    redirect: Callable[[ArtifactRecord], str] | None,
) -> Reply:
    """Answer a download: 401 without the token, 404, 302 to storage, or the bytes themselves.

    `redirect` builds the pre-signed storage URL; None serves every artifact directly.
    """
    if request.method not in ("GET", "HEAD"):
        return Reply.message(405, "Method not allowed")
    if not is_authorized(request.headers, token):
        return unauthorized()
    artifact = state.artifact_at(request.rel_url.raw_path)
    if artifact is None:
        return Reply.message(404, "Artifact not found")
    if redirect is not None and not artifact.path.lower().endswith(DIRECT_SUFFIXES):
        return Reply(302, {"Location": redirect(artifact)})
    return content_reply(artifact, request.headers.get("Range"), request.headers.get("If-Range"))
