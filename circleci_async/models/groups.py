"""Groups of users in an organization."""

from __future__ import annotations

from .base import model

__all__ = ["Group"]


@model
class Group:
    """A group of an organization."""

    id: str | None = None
    name: str | None = None
    description: str | None = None
