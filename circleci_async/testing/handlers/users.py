"""Handlers of the User tag: the token's user, other users, and the user's organizations."""

from __future__ import annotations

from ..api_context import ApiContext
from ..renderers import collaboration_json, user_json
from ..replies import Reply
from .lookups import found

__all__ = ["collaboration_json", "get_collaborations", "get_current_user", "get_user"]


async def get_current_user(ctx: ApiContext) -> Reply:
    """GET /me."""
    return Reply.json(200, user_json(ctx.state.user))


async def get_user(ctx: ApiContext) -> Reply:
    """GET /user/{id}."""
    return Reply.json(200, user_json(found(ctx.state.users.get(ctx.params["id"]), "User")))


async def get_collaborations(ctx: ApiContext) -> Reply:
    """GET /me/collaborations: every organization the fake knows (the user is in all)."""
    organizations = ctx.state.organizations.values()
    return Reply.json(200, [collaboration_json(org) for org in organizations])
