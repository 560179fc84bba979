"""Pipeline definitions: where a project's pipelines take their config and code from."""

from __future__ import annotations

from datetime import datetime

from .base import model

__all__ = ["CheckoutSource", "ConfigSource", "PipelineDefinition", "SourceRepo"]


@model
class SourceRepo:
    """A repository a pipeline definition or trigger reads from."""

    external_id: str | None = None
    """The repository's id at its provider (e.g. the GitHub App's repository id)."""
    full_name: str | None = None


@model
class ConfigSource:
    """Where a pipeline definition's config file lives; also what create and update take.

    Use `ConfigSource.github_app(repo_id, file_path)` or `ConfigSource.circleci(file_path)`
    to create one, and `ConfigSource(file_path=...)` to move the file on update.
    """

    provider: str | None = None
    repo: SourceRepo | None = None
    file_path: str | None = None

    @classmethod
    def github_app(cls, repo_id: str, file_path: str) -> ConfigSource:
        """Config from a file in a GitHub App repository."""
        return cls(provider="github_app", repo=SourceRepo(external_id=repo_id), file_path=file_path)

    @classmethod
    def circleci(cls, file_path: str) -> ConfigSource:
        """Config stored by CircleCI."""
        return cls(provider="circleci", file_path=file_path)


@model
class CheckoutSource:
    """Which repository a pipeline definition checks out; also what create and update take.

    Use `CheckoutSource.github_app(repo_id)` to create one.
    """

    provider: str | None = None
    repo: SourceRepo | None = None

    @classmethod
    def github_app(cls, repo_id: str) -> CheckoutSource:
        """Check out a GitHub App repository."""
        return cls(provider="github_app", repo=SourceRepo(external_id=repo_id))


@model
class PipelineDefinition:
    """A pipeline definition of a project."""

    id: str | None = None
    name: str | None = None
    description: str | None = None
    created_at: datetime | None = None
    config_source: ConfigSource | None = None
    checkout_source: CheckoutSource | None = None
