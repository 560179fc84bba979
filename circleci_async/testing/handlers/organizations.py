"""Handlers of the Organization tag: organizations and their URL orb allow-list."""

from __future__ import annotations

from typing import cast, get_args

from ..api_context import ApiContext, ApiError
from ..org_records import UrlOrbEntry, VcsTypeValue
from ..renderers import url_orb_entry_json
from ..replies import Reply
from .bodies import Body
from .lookups import found, organization

__all__ = [
    "create_organization",
    "create_url_orb_allow_list_entry",
    "delete_organization",
    "list_url_orb_allow_list_entries",
    "remove_url_orb_allow_list_entry",
]

_VCS_TYPES = frozenset(get_args(VcsTypeValue))
_AUTH = frozenset({"github-oauth", "none", "bitbucket-oauth", "github-app"})


async def create_organization(ctx: ApiContext) -> Reply:
    """POST /organization: 201 with the new organization; 409 when its slug is taken."""
    body = await Body.read(ctx, fields=("name", "vcs_type"))
    name = body.need_text("name")
    vcs_type = cast(VcsTypeValue, body.need_choice("vcs_type", _VCS_TYPES))
    try:
        created = ctx.state.add_organization(name, vcs_type=vcs_type)
    except ValueError:
        raise ApiError(409, f"Organization {name!r} already exists.") from None
    payload = {
        "id": created.id,
        "name": created.name,
        "slug": created.slug,
        "vcs_type": created.vcs_type,
    }
    return Reply.json(201, payload)


async def delete_organization(ctx: ApiContext) -> Reply:
    """DELETE /organization/{org-slug-or-id}: with its projects, contexts and environments."""
    ctx.state.remove_organization(organization(ctx, "org-slug-or-id"))
    return Reply.json(202, {"message": "Organization deleted."})


async def list_url_orb_allow_list_entries(ctx: ApiContext) -> Reply:
    """GET /organization/{org-slug-or-id}/url-orb-allow-list."""
    entries = organization(ctx, "org-slug-or-id").url_orb_allow_list
    return Reply.json(200, {"items": [url_orb_entry_json(entry) for entry in entries]})


async def create_url_orb_allow_list_entry(ctx: ApiContext) -> Reply:
    """POST /organization/{org-slug-or-id}/url-orb-allow-list."""
    org = organization(ctx, "org-slug-or-id")
    body = await Body.read(ctx, fields=("name", "prefix", "auth"))
    entry = UrlOrbEntry(
        id=ctx.state.new_id(),
        name=body.need_text("name"),
        prefix=body.need_text("prefix"),
        auth=body.need_choice("auth", _AUTH),
    )
    if not entry.prefix.startswith(("https://", "http://")):
        raise ApiError(400, "prefix must be an http:// or https:// URL.")
    org.url_orb_allow_list.append(entry)
    return Reply.json(200, {"id": entry.id, "message": "URL orb allow-list entry created."})


async def remove_url_orb_allow_list_entry(ctx: ApiContext) -> Reply:
    """DELETE /organization/{org-slug-or-id}/url-orb-allow-list/{allow-list-entry-id}."""
    entries = organization(ctx, "org-slug-or-id").url_orb_allow_list
    wanted = ctx.params["allow-list-entry-id"]
    entry = found(next((e for e in entries if e.id == wanted), None), "Allow-list entry")
    entries.remove(entry)
    return Reply.json(200, {"id": entry.id, "message": "URL orb allow-list entry removed."})
