"""`ArtifactRef`: an artifact together with the job it came from."""

from __future__ import annotations

import attrs

from ..models import Artifact

__all__ = ["ArtifactRef"]


@attrs.frozen
class ArtifactRef:
    """An `Artifact` (path, node index, URL) and, where known, its project and job.

    A harvest given refs with a `job_number` puts each job in its own folder, so files of
    different jobs never collide; a plain `Artifact` has no job to name.
    """

    artifact: Artifact
    project_slug: str | None = None
    job_number: int | None = None
    job_name: str | None = None

    @classmethod
    def of(cls, item: ArtifactRef | Artifact) -> ArtifactRef:
        """`item` as a ref (a plain `Artifact` gets no job)."""
        if isinstance(item, ArtifactRef):
            return item
        if isinstance(item, Artifact):
            return cls(item)
        raise TypeError(f"expected an Artifact or ArtifactRef, not {type(item).__name__}")
