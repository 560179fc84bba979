"""Projects, their checkout keys, environment variables and advanced settings."""

from __future__ import annotations

from datetime import datetime

from .base import EXPECTED, JsonValue, OpenEnum, model, wire

__all__ = [
    "AdvancedSettings",
    "CheckoutKey",
    "CheckoutKeyDigest",
    "CheckoutKeyInputType",
    "CheckoutKeyType",
    "EnvironmentVariable",
    "Project",
    "ProjectSettings",
    "VcsInfo",
    "VcsProvider",
]


class VcsProvider(OpenEnum):
    """Where a project's code lives."""

    BITBUCKET = "Bitbucket"
    CIRCLECI = "CircleCI"
    GITHUB = "GitHub"


@model
class VcsInfo:
    """A project's repository."""

    vcs_url: str | None = EXPECTED
    provider: VcsProvider | None = EXPECTED
    default_branch: str | None = EXPECTED


@model
class Project:
    """A project (`GET /project/{project-slug}`).

    `id`, `organization_slug` and `organization_id` are missing from older answers (the
    API guide's example, CircleCI Server); `slug`, `name`, `organization_name` and
    `vcs_info` are present in practice.
    """

    slug: str
    name: str | None = EXPECTED
    id: str | None = None
    organization_name: str | None = EXPECTED
    organization_slug: str | None = None
    organization_id: str | None = None
    vcs_info: VcsInfo | None = EXPECTED


class CheckoutKeyType(OpenEnum):
    """The kind of an existing checkout key."""

    DEPLOY_KEY = "deploy-key"
    GITHUB_USER_KEY = "github-user-key"


class CheckoutKeyInputType(OpenEnum):
    """The kind of checkout key to create."""

    USER_KEY = "user-key"
    DEPLOY_KEY = "deploy-key"


class CheckoutKeyDigest(OpenEnum):
    """How checkout key fingerprints are shown."""

    SHA256 = "sha256"
    MD5 = "md5"


@model
class CheckoutKey:
    """An SSH key CircleCI uses to check out a project's code."""

    public_key: str | None = wire("public-key", default=EXPECTED)
    type: CheckoutKeyType | None = EXPECTED
    fingerprint: str
    preferred: bool | None = EXPECTED
    created_at: datetime | None = wire("created-at", default=EXPECTED)


@model
class EnvironmentVariable:
    """A project environment variable; `value` is masked to its last four characters."""

    name: str
    value: str | None = EXPECTED
    created_at: JsonValue = wire("created-at", default=None)
    """When it was created, in the raw form CircleCI sends (e.g. `#joda/inst 2023-...`)."""


@model
class AdvancedSettings:
    """A project's advanced settings; also what `projects.update_settings()` takes.

    Left-out (None) settings are not sent, so an update changes only the ones given.
    """

    autocancel_builds: bool | None = None
    build_fork_prs: bool | None = None
    build_prs_only: bool | None = None
    disable_ssh: bool | None = None
    forks_receive_secret_env_vars: bool | None = None
    oss: bool | None = None
    set_github_status: bool | None = None
    setup_workflows: bool | None = None
    write_settings_requires_admin: bool | None = None
    pr_only_branch_overrides: list[str] | None = None
    """Branches that build even when `build_prs_only` is on."""


@model
class ProjectSettings:
    """The settings of a project (`GET .../settings`)."""

    advanced: AdvancedSettings | None = None
