"""Answers shared by many operations: a plain message, and what a delete returns."""

from __future__ import annotations

from .base import EXPECTED, model

__all__ = ["Deletion", "Message"]


@model
class Message:
    """A human-readable answer (`MessageResponse`), e.g. to a cancel or a delete."""

    message: str | None = EXPECTED


@model
class Deletion:
    """The answer to deleting something in the newer APIs; the message is optional there."""

    message: str | None = None
