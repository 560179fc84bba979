"""The `policies` service."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .. import checks as check
from ..endpoints import Endpoint
from ..models import BundleDiff, Decision, DecisionLog, DecisionSettings, Policy
from ..pagination import Paginator
from .base import Service, implements

__all__ = ["PoliciesService"]

_OWNER = "/owner/{ownerID}/context/{context}"
LIST_DECISION_LOGS = Endpoint("GetDecisionLogs", "GET", f"{_OWNER}/decision")
DECIDE = Endpoint("MakeDecision", "POST", f"{_OWNER}/decision")
GET_SETTINGS = Endpoint("GetDecisionSettings", "GET", f"{_OWNER}/decision/settings")
UPDATE_SETTINGS = Endpoint("SetDecisionSettings", "PATCH", f"{_OWNER}/decision/settings")
GET_DECISION_LOG = Endpoint("GetDecisionLog", "GET", f"{_OWNER}/decision/{{decisionID}}")
GET_DECISION_BUNDLE = Endpoint(
    "GetDecisionLogPolicyBundle", "GET", f"{_OWNER}/decision/{{decisionID}}/policy-bundle"
)
GET_BUNDLE = Endpoint("GetPolicyBundle", "GET", f"{_OWNER}/policy-bundle")
CREATE_BUNDLE = Endpoint("CreatePolicyBundle", "POST", f"{_OWNER}/policy-bundle")
GET_POLICY = Endpoint("GetPolicyDocument", "GET", f"{_OWNER}/policy-bundle/{{policyName}}")

PolicyBundle = dict[str, list[Policy]]
"""A policy bundle: policy name → the policy documents of that name."""


def _owner_path(owner_id: str, context: str) -> dict[str, str]:
    return {
        "ownerID": check.format_path_id(owner_id, name="owner_id"),
        "context": check.format_path_id(context, name="context"),
    }


def _decision_path(owner_id: str, context: str, decision_id: str) -> dict[str, str]:
    return {
        **_owner_path(owner_id, context),
        "decisionID": check.format_path_id(decision_id, name="decision_id"),
    }


class PoliciesService(Service):
    """Config policies of an owner (organization) in a context (e.g. `"config"`)."""

    name = "policies"

    @implements(LIST_DECISION_LOGS)
    def decision_logs(
        self,
        owner_id: str,
        context: str,
        *,
        status: str | None = None,
        after: datetime | str | None = None,
        before: datetime | str | None = None,
        branch: str | None = None,
        project_id: str | None = None,
        build_number: int | str | None = None,
        offset: int | None = None,
    ) -> Paginator[DecisionLog]:
        """The audit logs of decisions made with the owner's policies, filtered.

        Paged by offset: each page's `next_page_token` is the offset of the next one, and
        `offset=` starts a walk there.
        """
        if build_number is not None and not isinstance(build_number, str):
            build_number = str(check.whole(build_number, "build_number", minimum=0))
        query = {
            "status": check.text(status, "status", optional=True),
            "after": check.moment(after, "after", optional=True),
            "before": check.moment(before, "before", optional=True),
            "branch": check.text(branch, "branch", optional=True),
            "project_id": check.text(project_id, "project_id", optional=True),
            "build_number": check.text(build_number, "build_number", optional=True),
        }
        return self._paginate_offset(
            LIST_DECISION_LOGS,
            DecisionLog,
            path=_owner_path(owner_id, context),
            query=query,
            offset=check.whole(offset, "offset", optional=True, minimum=0),
        )

    @implements(DECIDE)
    async def decide(
        self,
        owner_id: str,
        context: str,
        *,
        input: str,
        metadata: Mapping[str, Any] | None = None,
        idempotent: bool | None = None,
    ) -> Decision:
        """Evaluate `input` (a config, as YAML) and `metadata` against the owner's policies."""
        body = check.drop_none(
            {
                "input": check.text(input, "input"),
                "metadata": check.mapping(metadata, "metadata", optional=True),
            }
        )
        return await self._call(
            DECIDE, Decision, path=_owner_path(owner_id, context), body=body, idempotent=idempotent
        )

    @implements(GET_SETTINGS)
    async def decision_settings(self, owner_id: str, context: str) -> DecisionSettings:
        """Whether policy evaluation is on."""
        return await self._call(GET_SETTINGS, DecisionSettings, path=_owner_path(owner_id, context))

    @implements(UPDATE_SETTINGS)
    async def update_decision_settings(
        self, owner_id: str, context: str, *, enabled: bool, idempotent: bool | None = None
    ) -> DecisionSettings:
        """Turn policy evaluation on or off."""
        return await self._call(
            UPDATE_SETTINGS,
            DecisionSettings,
            path=_owner_path(owner_id, context),
            body={"enabled": check.flag(enabled, "enabled")},
            idempotent=idempotent,
        )

    @implements(GET_DECISION_LOG)
    async def decision_log(self, owner_id: str, context: str, decision_id: str) -> DecisionLog:
        """One decision's audit log."""
        return await self._call(
            GET_DECISION_LOG, DecisionLog, path=_decision_path(owner_id, context, decision_id)
        )

    @implements(GET_DECISION_BUNDLE)
    async def decision_policy_bundle(
        self, owner_id: str, context: str, decision_id: str
    ) -> PolicyBundle:
        """The policy bundle a decision was made with."""
        return await self._call(
            GET_DECISION_BUNDLE, PolicyBundle, path=_decision_path(owner_id, context, decision_id)
        )

    @implements(GET_BUNDLE)
    async def policy_bundle(self, owner_id: str, context: str) -> PolicyBundle:
        """The owner's current policy bundle."""
        return await self._call(GET_BUNDLE, PolicyBundle, path=_owner_path(owner_id, context))

    @implements(CREATE_BUNDLE)
    async def create_policy_bundle(
        self,
        owner_id: str,
        context: str,
        *,
        policies: Mapping[str, str],
        dry: bool | None = None,
        idempotent: bool | None = None,
    ) -> BundleDiff:
        """Replace the owner's policy bundle with `policies` (file name → Rego source).

        `dry=True` only reports what would change.
        """
        checked = check.mapping(policies, "policies")
        for name, content in (checked or {}).items():
            check.text(content, f"policies[{name!r}]", empty=True)
        return await self._call(
            CREATE_BUNDLE,
            BundleDiff,
            path=_owner_path(owner_id, context),
            query={"dry": check.flag(dry, "dry", optional=True)},
            body={"policies": checked},
            idempotent=idempotent,
        )

    @implements(GET_POLICY)
    async def policy(self, owner_id: str, context: str, policy_name: str) -> Policy:
        """One policy document of the owner's bundle, by name."""
        path = {
            **_owner_path(owner_id, context),
            "policyName": check.format_path_id(policy_name, name="policy_name"),
        }
        return await self._call(GET_POLICY, Policy, path=path)
