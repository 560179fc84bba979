"""Where the fake follows CircleCI's live API instead of its spec: the one list, with evidence.

The fake answers as the spec says, except in the places listed in `LIVE_DEVIATIONS`, where
real answers (or the clients CircleCI itself ships, which run against the live API) show that
the live API does otherwise. Each entry names the operation (a spec operationId, or the
method and path of an endpoint the spec lacks), what the fake does, and the evidence. The
suite's spec check of the fake's answers reads this list: answers respelled here are checked
in the spec's spelling, and endpoints outside the spec are checked by their own tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

__all__ = [
    "LIVE_DEVIATIONS",
    "OUTSIDE_THE_SPEC",
    "SNAKE_CASE_ANSWERS",
    "LiveDeviation",
    "snake_case_keys",
]

_MCP = (
    "CircleCI-Public/mcp-server-circleci (CircleCI's own MCP server, npm "
    "@circleci/mcp-server-circleci 0.20.0; source at commit "
    "8787136b6c8bf72752ebcffad1520c2a847b5276)"
)
_PYCIRCLECI = "alpinweis/pycircleci 0.7.0 (commit 99138e832bdb36d80423276697ccbfc55df2a354)"


@attrs.frozen
class LiveDeviation:
    """One place where the fake answers as the live API does, not as the spec says."""

    operation: str
    """A spec operationId, or the method and path of an endpoint the spec lacks."""
    behaviour: str
    evidence: str


LIVE_DEVIATIONS: tuple[LiveDeviation, ...] = (
    LiveDeviation(
        "getFlakyTests",
        "answers in snake_case (`flaky_tests`, `total_flaky_tests`, `test_name`, ...) where the "
        "spec says kebab-case",
        f"{_PYCIRCLECI} tests/mocks/get_flaky_tests_response.json, a recorded answer "
        f"(tests/samples/getFlakyTests/pycircleci.json); {_MCP} src/clients/schemas.ts reads "
        "`flaky_tests` and `total_flaky_tests`",
    ),
    LiveDeviation(
        "triggerPipelineRun",
        "accepts `config.content` (a config to run instead of the file), which the spec's "
        "`additionalProperties: false` refuses",
        f"{_MCP} src/clients/circleci/pipelines.ts sends `config: {{branch, content}}` on every "
        "run_pipeline call, against the live API",
    ),
    LiveDeviation(
        "listEnvironments",
        "`page-size` is optional (the fake's page size when absent); the spec requires it",
        f"{_MCP} src/clients/circleci/deploys.ts calls GET /deploy/environments?org-id=... "
        "without it",
    ),
    LiveDeviation(
        "listComponents",
        "`page-size` is optional (the fake's page size when absent); the spec requires it",
        f"{_MCP} src/clients/circleci/deploys.ts calls GET /deploy/components?org-id=...&"
        "project-id=... without it",
    ),
    LiveDeviation(
        "GET /api/private/me/followed-projects",
        "the projects the user follows, paged (`items` of `name`, `slug`, `vcs_type`; "
        "`next_page_token`)",
        f"{_MCP} src/clients/circleci-private/me.ts (its list_followed_projects tool, and every "
        "tool given a git remote)",
    ),
    LiveDeviation(
        "GET /api/v1.1/me",
        "the user in API v1.1's shape (`login`, `name`, `avatar_url`, `selected_email`, ...)",
        f"{_PYCIRCLECI} get_user_info(api_version='v1.1'); its recorded answer "
        "tests/mocks/get_user_info_response.json",
    ),
    LiveDeviation(
        "GET /api/v1.1/project/:vcs-type/:org/:repo",
        "a project's recent jobs (builds), newest first, `limit` (at most 100) and `offset`",
        f"{_PYCIRCLECI} get_project_build_summary(); its recorded answer "
        "tests/mocks/get_project_build_summary_response.json",
    ),
    LiveDeviation(
        "POST /api/v2/compile-config-with-defaults",
        "answers the config it was sent (`config_yaml`), processed: `valid`, `errors`, "
        "`source-yaml` (as sent) and `output-yaml` (the fake only normalises line endings and "
        "tabs; it expands no orbs)",
        f"{_MCP} src/clients/circleci/configValidate.ts (its config_helper tool)",
    ),
)
"""Every place where the fake departs from the spec because the live API does."""

SNAKE_CASE_ANSWERS: frozenset[str] = frozenset({"getFlakyTests"})
"""Operations whose answers the fake spells in snake_case, as the live API does."""

OUTSIDE_THE_SPEC: frozenset[str] = frozenset(
    entry.operation for entry in LIVE_DEVIATIONS if " " in entry.operation
)
"""The endpoints the fake serves that the spec lacks (their route's operation name)."""


def snake_case_keys(value: Any) -> Any:
    """`value` with every object key in snake_case (`-` as `_`), at every depth."""
    if isinstance(value, Mapping):
        return {key.replace("-", "_"): snake_case_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [snake_case_keys(item) for item in value]
    return value
