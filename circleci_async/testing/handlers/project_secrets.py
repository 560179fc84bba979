"""Handlers of a project's secrets (Project tag): checkout keys and environment variables."""

from __future__ import annotations

import base64
import re
import struct
import uuid
from typing import Literal

from ..api_context import ApiContext, ApiError
from ..records import CheckoutKeyRecord, ProjectEnvVar, ProjectRecord
from ..renderers import checkout_key_json, project_env_var_json
from ..replies import Reply
from .bodies import Body
from .lookups import found

__all__ = [
    "create_checkout_key",
    "create_env_var",
    "delete_checkout_key",
    "delete_env_var",
    "get_checkout_key",
    "get_env_var",
    "list_checkout_keys",
    "list_env_vars",
]

KeyType = Literal["deploy-key", "github-user-key"]
_KEY_TYPES: dict[str, KeyType] = {"deploy-key": "deploy-key", "user-key": "github-user-key"}
_DIGESTS = frozenset({"md5", "sha256"})
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _public_key(ctx: ApiContext, project: ProjectRecord) -> str:
    """An ed25519 public key in OpenSSH form, its 32 key bytes drawn from the state's ids."""
    material = b"".join(uuid.UUID(ctx.state.new_id()).bytes for _ in range(2))
    kind = b"ssh-ed25519"
    blob = struct.pack(">I", len(kind)) + kind + struct.pack(">I", len(material)) + material
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} circleci@{project.slug}"


async def list_checkout_keys(ctx: ApiContext) -> Reply:
    """GET /project/{project-slug}/checkout-key, fingerprints per `digest` (md5 by default)."""
    project = ctx.project()
    digest = ctx.query.get("digest", "md5")
    if digest not in _DIGESTS:
        raise ApiError(400, "digest must be md5 or sha256.")
    return ctx.page(project.checkout_keys, lambda key: checkout_key_json(key, project, digest))


async def create_checkout_key(ctx: ApiContext) -> Reply:
    """POST /project/{project-slug}/checkout-key: a `deploy-key` or a (GitHub) `user-key`."""
    project = ctx.project()
    kind = (await Body.read(ctx, fields=("type",))).need_choice("type", _KEY_TYPES)
    key = CheckoutKeyRecord(
        type=_KEY_TYPES[kind],
        public_key=_public_key(ctx, project),
        created_at=ctx.state.now(),
    )
    project.checkout_keys.append(key)
    return Reply.json(201, checkout_key_json(key, project, "md5"))


def _key(ctx: ApiContext) -> tuple[ProjectRecord, CheckoutKeyRecord, str]:
    project = ctx.project()
    fingerprint = ctx.params["fingerprint"]
    for key in project.checkout_keys:
        if fingerprint in (key.md5, key.sha256):
            return project, key, "sha256" if fingerprint == key.sha256 else "md5"
    raise ApiError(404, "Checkout key not found.")


async def get_checkout_key(ctx: ApiContext) -> Reply:
    """GET /project/{project-slug}/checkout-key/{fingerprint} (md5 or sha256)."""
    project, key, digest = _key(ctx)
    return Reply.json(200, checkout_key_json(key, project, digest))


async def delete_checkout_key(ctx: ApiContext) -> Reply:
    """DELETE /project/{project-slug}/checkout-key/{fingerprint}."""
    project, key, _ = _key(ctx)
    project.checkout_keys.remove(key)
    return Reply.json(200, {"message": "Checkout key deleted."})


async def list_env_vars(ctx: ApiContext) -> Reply:
    """GET /project/{project-slug}/envvar, values masked."""
    return ctx.page(list(ctx.project().env_vars.values()), project_env_var_json)


async def create_env_var(ctx: ApiContext) -> Reply:
    """POST /project/{project-slug}/envvar: create or replace a variable."""
    project = ctx.project()
    body = await Body.read(ctx, fields=("name", "value"))
    name = body.need_text("name")
    if not _ENV_NAME.fullmatch(name):
        raise ApiError(400, f"Invalid environment variable name: {name!r}.")
    variable = ProjectEnvVar(
        name=name, value=body.need_text("value", empty=True), created_at=ctx.state.now()
    )
    project.env_vars[name] = variable
    return Reply.json(201, project_env_var_json(variable))


async def get_env_var(ctx: ApiContext) -> Reply:
    """GET /project/{project-slug}/envvar/{name}, value masked."""
    variable = ctx.project().env_vars.get(ctx.params["name"])
    return Reply.json(200, project_env_var_json(found(variable, "Environment variable")))


async def delete_env_var(ctx: ApiContext) -> Reply:
    """DELETE /project/{project-slug}/envvar/{name}."""
    variables = ctx.project().env_vars
    found(variables.pop(ctx.params["name"], None), "Environment variable")
    return Reply.json(200, {"message": "Environment variable deleted."})
