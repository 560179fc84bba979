"""Handlers of the Groups tag: the user groups of an organization, paged by `limit`."""

from __future__ import annotations

from ..api_context import ApiContext, ApiError
from ..org_records import GroupRecord
from ..renderers import group_json
from ..replies import Reply
from .bodies import Body
from .lookups import found, organization

__all__ = ["create_group", "delete_group", "get_group", "list_groups"]


async def list_groups(ctx: ApiContext) -> Reply:
    """GET /organizations/{org_id}/groups: `limit` groups a page, with a `total_count`."""
    groups = list(organization(ctx, "org_id").groups.values())
    limit = ctx.query.get("limit")
    size = None
    if limit is not None:
        if not limit.isdigit() or int(limit) < 1:
            raise ApiError(400, "limit must be a positive integer.")
        size = int(limit)
    return ctx.page(groups, group_json, size=size, extra={"total_count": len(groups)})


async def create_group(ctx: ApiContext) -> Reply:
    """POST /organizations/{org_id}/groups: 201; 409 when the name is taken."""
    org = organization(ctx, "org_id")
    body = await Body.read(ctx, fields=("name", "description"))
    name = body.need_text("name")
    if any(group.name == name for group in org.groups.values()):
        raise ApiError(409, f"A group named {name!r} already exists.")
    group = GroupRecord(id=ctx.state.new_id(), name=name, description=body.text("description"))
    org.groups[group.id] = group
    return Reply.json(201, group_json(group))


async def get_group(ctx: ApiContext) -> Reply:
    """GET /organizations/{org_id}/groups/{group_id}."""
    group = organization(ctx, "org_id").groups.get(ctx.params["group_id"])
    return Reply.json(200, group_json(found(group, "Group")))


async def delete_group(ctx: ApiContext) -> Reply:
    """DELETE /organizations/{org_id}/groups/{group_id}: also lifts its context restrictions."""
    org = organization(ctx, "org_id")
    group = found(org.groups.pop(ctx.params["group_id"], None), "Group")
    for context in ctx.state.contexts.values():
        context.restrictions = [
            item
            for item in context.restrictions
            if (item.restriction_type, item.restriction_value) != ("group", group.id)
        ]
    return Reply.json(200, {"message": "Group deleted."})
