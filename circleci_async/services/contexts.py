"""The `contexts` service."""

from __future__ import annotations

from typing import Any

from .. import checks as check
from ..endpoints import Endpoint
from ..errors import InvalidArgumentError
from ..models import (
    Context,
    ContextEnvironmentVariable,
    ContextRestriction,
    Deletion,
    Message,
    OwnerType,
    RestrictionType,
)
from ..pagination import Paginator
from .base import Service, implements

__all__ = ["ContextsService"]

LIST = Endpoint("listContexts", "GET", "/context")
CREATE = Endpoint("createContext", "POST", "/context")
GET = Endpoint("getContext", "GET", "/context/{context_id}")
DELETE = Endpoint("deleteContext", "DELETE", "/context/{context_id}")
LIST_ENV_VARS = Endpoint(
    "listEnvironmentVariablesFromContext", "GET", "/context/{context_id}/environment-variable"
)
SET_ENV_VAR = Endpoint(
    "addEnvironmentVariableToContext",
    "PUT",
    "/context/{context_id}/environment-variable/{env_var_name}",
)
DELETE_ENV_VAR = Endpoint(
    "deleteEnvironmentVariableFromContext",
    "DELETE",
    "/context/{context_id}/environment-variable/{env_var_name}",
)
LIST_RESTRICTIONS = Endpoint("getContextRestrictions", "GET", "/context/{context_id}/restrictions")
CREATE_RESTRICTION = Endpoint(
    "createContextRestriction", "POST", "/context/{context_id}/restrictions"
)
DELETE_RESTRICTION = Endpoint(
    "deleteContextRestriction", "DELETE", "/context/{context_id}/restrictions/{restriction_id}"
)


def _context_path(context_id: str) -> dict[str, str]:
    return {"context_id": check.format_path_id(context_id, name="context_id")}


def _env_var_path(context_id: str, env_var_name: str) -> dict[str, str]:
    return {
        **_context_path(context_id),
        "env_var_name": check.format_path_id(env_var_name, name="env_var_name"),
    }


def _owner(
    owner_id: str | None, owner_slug: str | None, owner_type: OwnerType | str | None
) -> dict[str, str]:
    """The context owner as `{"id"|"slug", "type"}`: exactly one of id and slug."""
    found = {
        "id": check.uuid(owner_id, "owner_id", optional=True),
        "slug": check.org_slug(owner_slug, "owner_slug", optional=True),
        "type": check.member(owner_type, OwnerType, "owner_type", optional=True),
    }
    if (found["id"] is None) == (found["slug"] is None):
        raise InvalidArgumentError("pass owner_id or owner_slug (exactly one)")
    if found["slug"] is not None and found["type"] == OwnerType.ACCOUNT:
        raise InvalidArgumentError("an account owner must be given by owner_id, not owner_slug")
    return {key: value for key, value in found.items() if value is not None}


class ContextsService(Service):
    """Contexts: shared environment variables, and the restrictions on their use."""

    name = "contexts"

    @implements(LIST)
    def list(
        self,
        *,
        owner_id: str | None = None,
        owner_slug: str | None = None,
        owner_type: OwnerType | str | None = None,
        page_token: str | None = None,
    ) -> Paginator[Context]:
        """The contexts of an owner, given by `owner_id` or by `owner_slug` (`gh/org`)."""
        owner = _owner(owner_id, owner_slug, owner_type)
        query = {f"owner-{key}": value for key, value in owner.items()}
        return self._paginate(LIST, Context, query=query, page_token=page_token)

    @implements(CREATE)
    async def create(
        self,
        *,
        name: str,
        owner_id: str | None = None,
        owner_slug: str | None = None,
        owner_type: OwnerType | str | None = None,
        idempotent: bool | None = None,
    ) -> Context:
        """Create a context for an owner, given by `owner_id` or by `owner_slug`."""
        body = {
            "name": check.text(name, "name"),
            "owner": _owner(owner_id, owner_slug, owner_type),
        }
        return await self._call(CREATE, Context, body=body, idempotent=idempotent)

    @implements(GET)
    async def get(self, context_id: str) -> Context:
        """A context by id."""
        return await self._call(GET, Context, path=_context_path(context_id))

    @implements(DELETE)
    async def delete(self, context_id: str) -> Message:
        """Delete a context and all of its environment variables."""
        return await self._call(DELETE, Message, path=_context_path(context_id))

    @implements(LIST_ENV_VARS)
    def env_vars(
        self, context_id: str, *, page_token: str | None = None
    ) -> Paginator[ContextEnvironmentVariable]:
        """The environment variables of a context (names and dates, never values)."""
        return self._paginate(
            LIST_ENV_VARS,
            ContextEnvironmentVariable,
            path=_context_path(context_id),
            page_token=page_token,
        )

    @implements(SET_ENV_VAR)
    async def set_env_var(
        self, context_id: str, env_var_name: str, *, value: str
    ) -> ContextEnvironmentVariable | Message:
        """Add an environment variable to a context, or change its value."""
        path = _env_var_path(context_id, env_var_name)
        body = {"value": check.text(value, "value", empty=True)}
        answer: Any = ContextEnvironmentVariable | Message
        result: ContextEnvironmentVariable | Message = await self._call(
            SET_ENV_VAR, answer, path=path, body=body
        )
        return result

    @implements(DELETE_ENV_VAR)
    async def delete_env_var(self, context_id: str, env_var_name: str) -> Message:
        """Remove an environment variable from a context."""
        return await self._call(
            DELETE_ENV_VAR, Message, path=_env_var_path(context_id, env_var_name)
        )

    @implements(LIST_RESTRICTIONS)
    def restrictions(
        self, context_id: str, *, page_token: str | None = None
    ) -> Paginator[ContextRestriction]:
        """The project, expression and group restrictions of a context."""
        return self._paginate(
            LIST_RESTRICTIONS,
            ContextRestriction,
            path=_context_path(context_id),
            page_token=page_token,
            sparse=True,
        )

    @implements(CREATE_RESTRICTION)
    async def create_restriction(
        self,
        context_id: str,
        *,
        restriction_type: RestrictionType | str,
        restriction_value: str,
        idempotent: bool | None = None,
    ) -> ContextRestriction:
        """Restrict a context: to a project (its id), an expression, or a group (its id)."""
        path = _context_path(context_id)
        body = {
            "restriction_type": check.member(restriction_type, RestrictionType, "restriction_type"),
            "restriction_value": check.text(restriction_value, "restriction_value"),
        }
        return await self._call(
            CREATE_RESTRICTION, ContextRestriction, path=path, body=body, idempotent=idempotent
        )

    @implements(DELETE_RESTRICTION)
    async def delete_restriction(self, context_id: str, restriction_id: str) -> Deletion:
        """Delete a restriction from a context."""
        path = {
            **_context_path(context_id),
            "restriction_id": check.format_path_id(restriction_id, name="restriction_id"),
        }
        return await self._call(DELETE_RESTRICTION, Deletion, path=path)
