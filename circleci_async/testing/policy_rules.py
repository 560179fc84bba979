"""How the fake decides on a config: a stand-in for Rego, driven by comments in the policies.

A policy must declare `package org`, as CircleCI requires. The fake does not run Rego; it reads
one directive per comment line:

    # fake: hard-fail <rule> when config contains <text>
    # fake: soft-fail <rule> when config contains <text>

Every rule so named is enabled; a config holding `<text>` breaks the rule. The decision is
`HARD_FAIL` when a hard rule is broken, else `SOFT_FAIL` when a soft one is, else `PASS`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .policy_records import PolicyRecord

__all__ = ["PACKAGE", "decide", "declares_package"]

PACKAGE = re.compile(r"^\s*package\s+org\s*$", re.MULTILINE)
"""The declaration every policy must hold."""
_DIRECTIVE = re.compile(
    r"^\s*#\s*fake:\s*(hard|soft)-fail\s+(\S+)\s+when\s+config\s+contains\s+(.+?)\s*$",
    re.MULTILINE,
)


def declares_package(content: str) -> bool:
    """Whether a policy's source declares `package org`."""
    return PACKAGE.search(content) is not None


def decide(policies: Iterable[PolicyRecord], config: str) -> dict[str, Any]:
    """The decision on `config` (a `Decision` JSON object) under these policies."""
    enabled: list[str] = []
    failures: dict[str, list[dict[str, str]]] = {"hard": [], "soft": []}
    for policy in policies:
        for level, rule, needle in _DIRECTIVE.findall(policy.content):
            enabled.append(rule)
            if needle in config:
                failures[level].append({"rule": rule, "reason": f"config contains {needle}"})
    if failures["hard"]:
        status = "HARD_FAIL"
    elif failures["soft"]:
        status = "SOFT_FAIL"
    else:
        status = "PASS"
    decision: dict[str, Any] = {"status": status, "enabled_rules": sorted(set(enabled))}
    if failures["hard"]:
        decision["hard_failures"] = failures["hard"]
    if failures["soft"]:
        decision["soft_failures"] = failures["soft"]
    return decision
