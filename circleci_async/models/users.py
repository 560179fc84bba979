"""Users: the token's owner."""

from __future__ import annotations

from .base import model

__all__ = ["User"]


@model
class User:
    """A CircleCI user (`GET /me`, `GET /user/{id}`)."""

    id: str
    login: str
    name: str
    avatar_url: str | None = None
