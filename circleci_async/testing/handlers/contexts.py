"""Handlers of the Context tag: contexts, their environment variables and restrictions.

A context belongs to an organization (by id or slug), or on CircleCI Server to an account
(a user id, `owner-type=account`). Unknown owners, contexts, variables and restrictions are
404s; a second context of the same name, or a second identical restriction, a 409.
"""

from __future__ import annotations

import re
from typing import cast

from ..api_context import ApiContext, ApiError
from ..context_records import (
    ContextEnvVar,
    ContextRecord,
    ContextRestrictionRecord,
    OwnerTypeValue,
    RestrictionTypeValue,
)
from ..renderers import (
    JsonObject,
    context_json,
    context_restriction_json,
    context_variable_json,
)
from ..replies import Reply
from .bodies import Body
from .lookups import found

__all__ = [
    "add_environment_variable",
    "create_context",
    "create_context_restriction",
    "delete_context",
    "delete_context_restriction",
    "delete_environment_variable",
    "get_context",
    "get_context_restrictions",
    "list_contexts",
    "list_environment_variables",
]

_OWNER_TYPES = frozenset({"organization", "account"})
_RESTRICTION_TYPES = frozenset({"project", "expression", "group"})
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _owner(
    ctx: ApiContext, owner_id: str | None, owner_slug: str | None, owner_type: str | None
) -> tuple[str, OwnerTypeValue]:
    """The owner's id and type, given by id or by (organization) slug."""
    if (owner_id is None) == (owner_slug is None):
        raise ApiError(400, "Give the owner's id or its slug (exactly one).")
    kind = cast(OwnerTypeValue, owner_type or "organization")
    if kind not in _OWNER_TYPES:
        raise ApiError(400, "owner type must be organization or account.")
    if kind == "account":
        if owner_id is None:
            raise ApiError(400, "An account owner is given by its id.")
        return found(ctx.state.users.get(owner_id), "Owner").id, kind
    org = ctx.state.organization(owner_id or owner_slug or "")
    return found(org, "Owner").id, kind


def _context(ctx: ApiContext) -> ContextRecord:
    return found(ctx.state.contexts.get(ctx.params["context_id"]), "Context")


async def list_contexts(ctx: ApiContext) -> Reply:
    """GET /context?owner-id|owner-slug[&owner-type]: an owner's contexts, oldest first."""
    query = ctx.query
    owner_id, _ = _owner(
        ctx, query.get("owner-id"), query.get("owner-slug"), query.get("owner-type")
    )
    contexts = [item for item in ctx.state.contexts.values() if item.owner_id == owner_id]
    return ctx.page(contexts, context_json)


async def create_context(ctx: ApiContext) -> Reply:
    """POST /context: 200 with the new context."""
    body = await Body.read(ctx, fields=("name", "owner"))
    name = body.need_text("name")
    owner = body.need_obj("owner", fields=("id", "slug", "type"))
    owner_id, owner_type = _owner(
        ctx, owner.text("id"), owner.text("slug"), owner.choice("type", _OWNER_TYPES)
    )
    if any(c.owner_id == owner_id and c.name == name for c in ctx.state.contexts.values()):
        raise ApiError(409, f"A context named {name!r} already exists.")
    context = ContextRecord(
        id=ctx.state.new_id(),
        name=name,
        owner_id=owner_id,
        owner_type=owner_type,
        created_at=ctx.state.now(),
    )
    ctx.state.contexts[context.id] = context
    return Reply.json(200, context_json(context))


async def get_context(ctx: ApiContext) -> Reply:
    """GET /context/{context_id}."""
    return Reply.json(200, context_json(_context(ctx)))


async def delete_context(ctx: ApiContext) -> Reply:
    """DELETE /context/{context_id}: with its variables and restrictions."""
    del ctx.state.contexts[_context(ctx).id]
    return Reply.json(200, {"message": "Context deleted."})


async def list_environment_variables(ctx: ApiContext) -> Reply:
    """GET /context/{context_id}/environment-variable: names and dates, never values."""
    context = _context(ctx)
    variables = list(context.env_vars.values())
    return ctx.page(variables, lambda variable: context_variable_json(context, variable))


async def add_environment_variable(ctx: ApiContext) -> Reply:
    """PUT /context/{context_id}/environment-variable/{env_var_name}: add or change one."""
    context = _context(ctx)
    name = ctx.params["env_var_name"]
    if not _ENV_NAME.fullmatch(name):
        raise ApiError(400, f"Invalid environment variable name: {name!r}.")
    value = (await Body.read(ctx, fields=("value",))).need_text("value", empty=True)
    now = ctx.state.now()
    variable = context.env_vars.get(name)
    if variable is None:
        variable = ContextEnvVar(name=name, value=value, created_at=now, updated_at=now)
        context.env_vars[name] = variable
    else:
        variable.value = value
        variable.updated_at = now
    return Reply.json(200, context_variable_json(context, variable))


async def delete_environment_variable(ctx: ApiContext) -> Reply:
    """DELETE /context/{context_id}/environment-variable/{env_var_name}."""
    variables = _context(ctx).env_vars
    found(variables.pop(ctx.params["env_var_name"], None), "Environment variable")
    return Reply.json(200, {"message": "Environment variable deleted."})


async def get_context_restrictions(ctx: ApiContext) -> Reply:
    """GET /context/{context_id}/restrictions."""
    context = _context(ctx)

    def render(restriction: ContextRestrictionRecord) -> JsonObject:
        return {**context_restriction_json(restriction), "context_id": context.id}

    return ctx.page(context.restrictions, render)


def _restriction_name(ctx: ApiContext, context: ContextRecord, kind: str, value: str) -> str:
    """What the restriction's value names; 404 for an unknown project or group."""
    if kind == "project":
        project = found(ctx.state.project_by_id(value), "Project")
        if project.organization_id != context.owner_id:
            raise ApiError(400, "The project belongs to another organization.")
        return project.name
    if kind == "group":
        org = ctx.state.organizations.get(context.owner_id)
        group = None if org is None else org.groups.get(value)
        return found(group, "Group").name
    return value


async def create_context_restriction(ctx: ApiContext) -> Reply:
    """POST /context/{context_id}/restrictions: 201; 409 for a restriction already there."""
    context = _context(ctx)
    body = await Body.read(ctx, fields=("restriction_type", "restriction_value"))
    kind = cast(RestrictionTypeValue, body.need_choice("restriction_type", _RESTRICTION_TYPES))
    value = body.need_text("restriction_value")
    if any(
        (item.restriction_type, item.restriction_value) == (kind, value)
        for item in context.restrictions
    ):
        raise ApiError(409, "The context already has this restriction.")
    restriction = ContextRestrictionRecord(
        id=ctx.state.new_id(),
        restriction_type=kind,
        restriction_value=value,
        name=_restriction_name(ctx, context, kind, value),
    )
    context.restrictions.append(restriction)
    return Reply.json(201, context_restriction_json(restriction))


async def delete_context_restriction(ctx: ApiContext) -> Reply:
    """DELETE /context/{context_id}/restrictions/{restriction_id}."""
    context = _context(ctx)
    wanted = ctx.params["restriction_id"]
    restriction = next((item for item in context.restrictions if item.id == wanted), None)
    context.restrictions.remove(found(restriction, "Context restriction"))
    return Reply.json(200, {"message": "Context restriction deleted."})
