"""`Store`: the fake's collections of records, its id generator and its clock."""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from .context_records import ContextRecord
from .deploy_records import ComponentRecord, EnvironmentRecord, RollbackRecord
from .org_records import OrganizationRecord
from .project_config_records import (
    PipelineDefinitionRecord,
    ScheduleRecord,
    TriggerRecord,
    WebhookRecord,
)
from .records import (
    ArtifactRecord,
    JobRecord,
    PipelineRecord,
    ProjectRecord,
    UserRecord,
    WorkflowRecord,
)

__all__ = ["Store", "canonical_slug", "is_uuid"]

_VCS_ALIASES = {"github": "gh", "bitbucket": "bb"}
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def canonical_slug(slug: str) -> str:
    """`github/org/repo` → `gh/org/repo`, `bitbucket/...` → `bb/...`; others unchanged."""
    vcs, sep, rest = slug.partition("/")
    return f"{_VCS_ALIASES.get(vcs, vcs)}{sep}{rest}"


def is_uuid(value: str) -> bool:
    """Whether `value` is a UUID in canonical (lower-case, hyphenated) form."""
    return _UUID.fullmatch(value) is not None


class Store:
    """Every collection of the fake's data, with the generator that makes ids and the clock.

    Ids come from a random generator seeded with `seed`, so a seeded state is reproducible.
    """

    def __init__(
        self, *, seed: int | None = None, clock: Callable[[], datetime] | None = None
    ) -> None:
        self._rng = random.Random(seed)
        self._clock = clock or (lambda: datetime.now(UTC))
        self.projects: dict[str, ProjectRecord] = {}
        """Projects by slug."""
        self.pipelines: dict[str, PipelineRecord] = {}
        """Pipelines by id."""
        self.workflows: dict[str, WorkflowRecord] = {}
        """Workflows by id."""
        self.jobs: dict[str, JobRecord] = {}
        """Jobs by id."""
        self.artifacts: dict[str, ArtifactRecord] = {}
        """Artifacts by their (storage) id."""
        self._artifacts_by_url_path: dict[str, ArtifactRecord] = {}
        self.organizations: dict[str, OrganizationRecord] = {}
        """Organizations by id."""
        self.contexts: dict[str, ContextRecord] = {}
        """Contexts by id."""
        self.schedules: dict[str, ScheduleRecord] = {}
        """Schedules by id."""
        self.webhooks: dict[str, WebhookRecord] = {}
        """Webhooks by id."""
        self.pipeline_definitions: dict[str, PipelineDefinitionRecord] = {}
        """Pipeline definitions by id."""
        self.triggers: dict[str, TriggerRecord] = {}
        """Triggers of pipeline definitions, by id."""
        self.environments: dict[str, EnvironmentRecord] = {}
        """Deploy environments by id."""
        self.components: dict[str, ComponentRecord] = {}
        """Deploy components by id."""
        self.rollbacks: list[RollbackRecord] = []
        """Rollbacks started, oldest first."""
        self.user = UserRecord(
            id=self.new_id(),
            login="fake-user",
            name="Fake User",
            avatar_url="https://avatars.githubusercontent.com/u/1000001?v=4",
        )
        """The user every accepted token belongs to."""
        self.users: dict[str, UserRecord] = {self.user.id: self.user}
        """Every user the fake knows, by id (`user` among them)."""

    def new_id(self) -> str:
        """A fresh version-4 UUID string from the state's generator."""
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def now(self) -> datetime:
        """The state's clock (timezone-aware UTC)."""
        return self._clock()
