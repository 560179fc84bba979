"""`StateCore`: the fake's collections, its id generator and its clock."""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from .context_records import Context
from .deploy_records import Component, Environment, Rollback
from .org_records import Organization
from .project_config_records import PipelineDefinition, Schedule, Trigger, Webhook
from .records import Artifact, Job, Pipeline, Project, User, Workflow

__all__ = ["StateCore", "canonical_slug", "is_uuid"]

_VCS_ALIASES = {"github": "gh", "bitbucket": "bb"}
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def canonical_slug(slug: str) -> str:
    """`github/org/repo` → `gh/org/repo`, `bitbucket/...` → `bb/...`; others unchanged."""
    vcs, sep, rest = slug.partition("/")
    return f"{_VCS_ALIASES.get(vcs, vcs)}{sep}{rest}"


def is_uuid(value: str) -> bool:
    """Whether `value` is a UUID in canonical (lower-case, hyphenated) form."""
    return _UUID.fullmatch(value) is not None


class StateCore:
    """Every collection of the fake's data, with the generator that makes ids and the clock.

    Ids come from a random generator seeded with `seed`, so a seeded state is reproducible.
    """

    def __init__(
        self, *, seed: int | None = None, clock: Callable[[], datetime] | None = None
    ) -> None:
        self._rng = random.Random(seed)
        self._clock = clock or (lambda: datetime.now(UTC))
        self.projects: dict[str, Project] = {}
        """Projects by slug."""
        self.pipelines: dict[str, Pipeline] = {}
        """Pipelines by id."""
        self.workflows: dict[str, Workflow] = {}
        """Workflows by id."""
        self.jobs: dict[str, Job] = {}
        """Jobs by id."""
        self.artifacts: dict[str, Artifact] = {}
        """Artifacts by their (storage) id."""
        self._artifacts_by_url_path: dict[str, Artifact] = {}
        self.organizations: dict[str, Organization] = {}
        """Organizations by id."""
        self.contexts: dict[str, Context] = {}
        """Contexts by id."""
        self.schedules: dict[str, Schedule] = {}
        """Schedules by id."""
        self.webhooks: dict[str, Webhook] = {}
        """Webhooks by id."""
        self.pipeline_definitions: dict[str, PipelineDefinition] = {}
        """Pipeline definitions by id."""
        self.triggers: dict[str, Trigger] = {}
        """Triggers of pipeline definitions, by id."""
        self.environments: dict[str, Environment] = {}
        """Deploy environments by id."""
        self.components: dict[str, Component] = {}
        """Deploy components by id."""
        self.rollbacks: list[Rollback] = []
        """Rollbacks started, oldest first."""
        self.user = User(
            id=self.new_id(),
            login="fake-user",
            name="Fake User",
            avatar_url="https://avatars.githubusercontent.com/u/1000001?v=4",
        )
        """The user every accepted token belongs to."""
        self.users: dict[str, User] = {self.user.id: self.user}
        """Every user the fake knows, by id (`user` among them)."""

    def new_id(self) -> str:
        """A fresh version-4 UUID string from the state's generator."""
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def now(self) -> datetime:
        """The state's clock (timezone-aware UTC)."""
        return self._clock()

    @contextmanager
    def _reseeded(self, seed: int) -> Iterator[random.Random]:
        saved = self._rng
        self._rng = random.Random(f"circleci-async-demo:{seed}")
        try:
            yield self._rng
        finally:
            self._rng = saved
