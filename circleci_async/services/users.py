"""The `users` service."""

from __future__ import annotations

from .. import checks as check
from ..endpoints import Endpoint
from ..models import Collaboration, User
from .base import Service, implements

__all__ = ["UsersService"]

GET_CURRENT_USER = Endpoint("getCurrentUser", "GET", "/me")
GET_USER = Endpoint("getUser", "GET", "/user/{id}")
LIST_COLLABORATIONS = Endpoint("getCollaborations", "GET", "/me/collaborations")


class UsersService(Service):
    """Users: who the token belongs to, other users, and your organizations."""

    name = "users"

    @implements(GET_CURRENT_USER)
    async def me(self) -> User:
        """The user the token belongs to."""
        return await self._call(GET_CURRENT_USER, User)

    @implements(GET_USER)
    async def get(self, user_id: str) -> User:
        """A user by id."""
        return await self._call(
            GET_USER, User, path={"id": check.format_path_id(user_id, name="user_id")}
        )

    @implements(LIST_COLLABORATIONS)
    async def collaborations(self) -> list[Collaboration]:
        """The organizations you are a member of or collaborate on."""
        return await self._call(LIST_COLLABORATIONS, list[Collaboration])
