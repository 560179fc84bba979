"""Handlers of the Policy Management tag: an owner's config policies and their decisions.

The owner is an organization id and the only policy context is `config` (else 400). Errors
are `{"error": ...}`. Decisions are canned (the fake runs no Rego): `HARD_FAIL` under a
non-empty bundle, one failure per policy, and `PASS` under an empty one; each is logged with
the metadata sent. A bundle is applied with 201, or only compared (`dry=true`) with 200; a
bundle over 1 MB is a 413, and every policy must declare `package org`.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from ..api_context import ApiContext, ApiError
from ..policy_records import DecisionLogRecord, PolicyContext, PolicyRecord
from ..renderers import decision_log_json, policy_bundle_json, policy_json
from ..replies import Reply
from .bodies import Body
from .lookups import found

__all__ = [
    "CANNED_REASON",
    "MAX_BUNDLE_BYTES",
    "create_policy_bundle",
    "get_decision_log",
    "get_decision_log_policy_bundle",
    "get_decision_logs",
    "get_decision_settings",
    "get_policy_bundle",
    "get_policy_document",
    "make_decision",
    "set_decision_settings",
]

MAX_BUNDLE_BYTES = 1_000_000
"""The largest bundle the fake takes."""
_CONTEXTS = frozenset({"config"})
_PACKAGE = re.compile(r"^\s*package\s+org\s*$", re.MULTILINE)
CANNED_REASON = "the fake fails every policy of a non-empty bundle"
"""The reason of every failure in a canned decision."""
_VCS_FIELDS = ("branch", "origin_repository_url", "release_tag", "target_repository_url")


def _policy_context(ctx: ApiContext) -> PolicyContext:
    org = found(ctx.state.organizations.get(ctx.params["ownerID"]), "Owner")
    context = ctx.params["context"]
    if context not in _CONTEXTS:
        raise ApiError(400, f"Unknown policy context {context!r}; the only one is config.")
    return org.policies.setdefault(context, PolicyContext())


def _metadata(sent: dict[str, Any]) -> dict[str, Any]:
    """The decision metadata fields the log keeps, each of the type the spec gives it."""
    kept: dict[str, Any] = {}
    number = sent.get("build_number")
    if isinstance(number, int) and not isinstance(number, bool):
        kept["build_number"] = number
    if isinstance(sent.get("project_id"), str):
        kept["project_id"] = sent["project_id"]
    if isinstance(sent.get("ssh_rerun"), bool):
        kept["ssh_rerun"] = sent["ssh_rerun"]
    vcs = sent.get("vcs")
    if isinstance(vcs, dict):
        kept["vcs"] = {key: vcs[key] for key in _VCS_FIELDS if isinstance(vcs.get(key), str)}
    return kept


def _decide(bundle: dict[str, PolicyRecord]) -> dict[str, Any]:
    """The canned decision under `bundle` (a `Decision` JSON object)."""
    if not bundle:
        return {"status": "PASS", "enabled_rules": []}
    failures = [{"rule": name, "reason": CANNED_REASON} for name in sorted(bundle)]
    return {"status": "HARD_FAIL", "enabled_rules": sorted(bundle), "hard_failures": failures}


async def make_decision(ctx: ApiContext) -> Reply:
    """POST /owner/{ownerID}/context/{context}/decision: decide on a config, log it."""
    policies = _policy_context(ctx)
    body = await Body.read(ctx, fields=("input", "metadata"))
    body.need_text("input")
    decision = _decide(policies.bundle)
    log = DecisionLogRecord(
        id=ctx.state.new_id(),
        created_at=ctx.state.now(),
        decision=decision,
        metadata=_metadata(body.mapping("metadata") or {}),
        bundle=dict(policies.bundle),
        time_taken_ms=1,
    )
    policies.decisions.insert(0, log)
    return Reply.json(200, decision)


def _moment(ctx: ApiContext, name: str) -> datetime | None:
    """A date-time query parameter (read like a body field: 400 when malformed)."""
    text = ctx.query.get(name)
    if text is None:
        return None
    return Body({name: text}).moment(name)


def _matches(log: DecisionLogRecord, ctx: ApiContext) -> bool:
    query = ctx.query
    after, before = _moment(ctx, "after"), _moment(ctx, "before")
    metadata = log.metadata
    checks = (
        "status" not in query or log.decision["status"] == query["status"],
        after is None or log.created_at > after,
        before is None or log.created_at < before,
        "branch" not in query or metadata.get("vcs", {}).get("branch") == query["branch"],
        "project_id" not in query or metadata.get("project_id") == query["project_id"],
        "build_number" not in query or str(metadata.get("build_number")) == query["build_number"],
    )
    return all(checks)


async def get_decision_logs(ctx: ApiContext) -> Reply:
    """GET /owner/{ownerID}/context/{context}/decision: filtered, newest first, by `offset`."""
    policies = _policy_context(ctx)
    offset_text = ctx.query.get("offset", "0")
    if not offset_text.isdigit():
        raise ApiError(400, "offset must be a non-negative integer.")
    offset = int(offset_text)
    logs = [log for log in policies.decisions if _matches(log, ctx)]
    page = logs[offset : offset + ctx.page_size]
    return Reply.json(200, [decision_log_json(log) for log in page])


def _decision(ctx: ApiContext) -> DecisionLogRecord:
    wanted = ctx.params["decisionID"]
    logs = _policy_context(ctx).decisions
    return found(next((log for log in logs if log.id == wanted), None), "Decision log")


async def get_decision_log(ctx: ApiContext) -> Reply:
    """GET /owner/{ownerID}/context/{context}/decision/{decisionID}."""
    return Reply.json(200, decision_log_json(_decision(ctx)))


async def get_decision_log_policy_bundle(ctx: ApiContext) -> Reply:
    """GET .../decision/{decisionID}/policy-bundle: the bundle the decision was made with."""
    return Reply.json(200, policy_bundle_json(_decision(ctx).bundle))


async def get_decision_settings(ctx: ApiContext) -> Reply:
    """GET /owner/{ownerID}/context/{context}/decision/settings."""
    return Reply.json(200, {"enabled": _policy_context(ctx).enabled})


async def set_decision_settings(ctx: ApiContext) -> Reply:
    """PATCH /owner/{ownerID}/context/{context}/decision/settings."""
    policies = _policy_context(ctx)
    enabled = (await Body.read(ctx, fields=("enabled",))).flag("enabled")
    if enabled is not None:
        policies.enabled = enabled
    return Reply.json(200, {"enabled": policies.enabled})


async def get_policy_bundle(ctx: ApiContext) -> Reply:
    """GET /owner/{ownerID}/context/{context}/policy-bundle."""
    return Reply.json(200, policy_bundle_json(_policy_context(ctx).bundle))


async def get_policy_document(ctx: ApiContext) -> Reply:
    """GET /owner/{ownerID}/context/{context}/policy-bundle/{policyName}."""
    policy = _policy_context(ctx).bundle.get(ctx.params["policyName"])
    return Reply.json(200, policy_json(found(policy, "Policy")))


def _sources(body: Body) -> dict[str, str]:
    """Policy name (the file name without `.rego`) → source; each must be `package org`."""
    files = body.mapping("policies")
    if files is None:
        raise ApiError(400, "policies is required.")
    sources: dict[str, str] = {}
    for file_name, content in files.items():
        name = file_name.removesuffix(".rego")
        if not name or not isinstance(content, str):
            raise ApiError(400, f"Policy {file_name!r} must be named and hold Rego source.")
        if _PACKAGE.search(content) is None:
            raise ApiError(400, f"Policy {file_name!r} must declare `package org`.")
        sources[name] = content
    if sum(len(content.encode()) for content in sources.values()) > MAX_BUNDLE_BYTES:
        raise ApiError(413, "The policy bundle is larger than 1 MB.")
    return sources


async def create_policy_bundle(ctx: ApiContext) -> Reply:
    """POST /owner/{ownerID}/context/{context}/policy-bundle[?dry=true]: replace the bundle."""
    policies = _policy_context(ctx)
    dry = ctx.query.get("dry", "false")
    if dry not in ("true", "false"):
        raise ApiError(400, "dry must be true or false.")
    sources = _sources(await Body.read(ctx, fields=("policies",)))
    old = policies.bundle
    diff = {
        "created": sorted(set(sources) - set(old)),
        "deleted": sorted(set(old) - set(sources)),
        "modified": sorted(n for n in set(sources) & set(old) if sources[n] != old[n].content),
    }
    if dry == "true":
        return Reply.json(200, diff)
    now = ctx.state.now()
    policies.bundle = {
        name: old[name]
        if name in old and old[name].content == content
        else PolicyRecord(name=name, content=content, created_at=now, created_by=ctx.state.user.id)
        for name, content in sources.items()
    }
    return Reply.json(201, diff)
