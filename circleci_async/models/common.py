"""Answers shared by many operations: a plain message, what a delete returns, an acceptance."""

from __future__ import annotations

from .base import EXPECTED, model

__all__ = ["Accepted", "Deletion", "Message"]


@model
class Message:
    """A human-readable answer (`MessageResponse`), e.g. to a cancel or a delete."""

    message: str | None = EXPECTED


@model
class Deletion:
    """The answer to deleting something in the newer APIs; the message is optional there."""

    message: str | None = None


@model
class Accepted:
    """CircleCI accepted an action, but its answer is not the result the spec describes.

    What an action (a rerun, a cancel, an approval, a trigger, ...) returns when the 2xx
    answer lacks the typed result's fields: the real answer to a rerun is 202
    `{"message": "Accepted."}`, without the new workflow's id. The request succeeded;
    `message` is the answer's message (or the bare string it was), `text` the body as sent
    (empty, not JSON, anything).
    """

    status: int
    """The HTTP status, 200-299."""
    message: str | None = None
    text: str = ""

    @property
    def accepted(self) -> bool:
        """Always True: CircleCI took the request."""
        return True
