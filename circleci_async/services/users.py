"""The `users` service."""

from __future__ import annotations

from ..models import User
from ..session import Endpoint
from .base import Service, implements

__all__ = ["UsersService"]

GET_CURRENT_USER = Endpoint("getCurrentUser", "GET", "/me")


class UsersService(Service):
    """Users: who the token belongs to."""

    name = "users"

    @implements(GET_CURRENT_USER)
    async def me(self) -> User:
        """The user the token belongs to."""
        return await self._call(GET_CURRENT_USER, User)
