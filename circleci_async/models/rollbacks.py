"""Rollbacks of a project's deployed components."""

from __future__ import annotations

from .base import model

__all__ = ["Rollback"]


@model
class Rollback:
    """A rollback that was started (HTTP 202): its id and kind."""

    id: str | None = None
    rollback_type: str | None = None
