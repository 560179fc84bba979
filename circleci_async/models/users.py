"""Users: the token's owner, and the organizations they collaborate on."""

from __future__ import annotations

from .base import EXPECTED, model, wire

__all__ = ["Collaboration", "User"]


@model
class User:
    """A CircleCI user (`GET /me`, `GET /user/{id}`)."""

    id: str
    login: str | None = EXPECTED
    name: str | None = EXPECTED
    avatar_url: str | None = None


@model
class Collaboration:
    """An organization the user is a member of or collaborates on (`GET /me/collaborations`)."""

    vcs_type: str | None = wire("vcs-type", default=EXPECTED)
    name: str | None = EXPECTED
    avatar_url: str | None = EXPECTED
    slug: str | None = EXPECTED
    id: str | None = None
    """The organization's UUID; None for some VCS organizations."""
