"""What a harvest tells its caller: `DownloadReport`, `FileResult`, `ListingFailure`."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path

import attrs

from ..errors import CircleCIError

__all__ = [
    "DownloadReport",
    "FileResult",
    "ListingFailure",
    "Outcome",
    "detached",
    "format_bytes",
    "merge_reports",
]


class Outcome(StrEnum):
    """What happened to one file."""

    DOWNLOADED = "downloaded"
    SKIPPED = "skipped"
    """Already under its final name at the server's size (one one-byte request asked it)."""
    FAILED = "failed"


def detached(error: CircleCIError) -> CircleCIError:
    """`error` without its traceback and context, so a report keeps no frames (or bodies)."""
    error.__traceback__ = None
    error.__context__ = None
    if error.__cause__ is not None:
        error.__cause__.__traceback__ = None
        error.__cause__.__context__ = None
    return error


@attrs.frozen(kw_only=True)
class FileResult:
    """The outcome of one artifact: small, so that many thousands of them stay cheap."""

    outcome: Outcome
    path: str
    """The artifact path as the server listed it."""
    node_index: int
    job_number: int | None
    target: str | None
    """Where the file is, relative to the destination (None when its path was refused)."""
    size: int = 0
    """The file's size in bytes (0 for a failure)."""
    error: CircleCIError | None = None
    """Why it failed: an `APIError`, a `TransportError` or an `ArtifactError`."""


@attrs.frozen
class ListingFailure:
    """A list that could not be read (a job, a workflow's jobs, a pipeline's workflows)."""

    source: str
    """What was being listed, e.g. `the artifacts of job 12 of gh/acme/app`."""
    error: CircleCIError


@attrs.frozen(kw_only=True)
class DownloadReport:
    """Everything a harvest did. Counts and bytes always cover every file.

    `files` holds one `FileResult` per file, or only the failed ones when the harvest ran
    with `keep="failed"` (for very large harvests).
    """

    dest: Path
    files: tuple[FileResult, ...]
    listing_failures: tuple[ListingFailure, ...]
    listed: int
    """Files listed and selected by `include` / `exclude`."""
    downloaded: int
    skipped: int
    failed: int
    bytes: int
    """Bytes received over the network by this harvest."""
    seconds: float
    stopped_early: bool = False
    """True when `fail_fast` stopped the harvest at its first failure."""

    @property
    def ok(self) -> bool:
        """True when every listed file is in place and every list was read."""
        return not (self.failed or self.listing_failures or self.stopped_early)

    @property
    def failures(self) -> tuple[FileResult, ...]:
        """The failed files."""
        return tuple(f for f in self.files if f.outcome is Outcome.FAILED)

    def summary(self) -> str:
        """One line: counts, size, time and rate."""
        rate = self.bytes / self.seconds if self.seconds > 0 else 0.0
        text = (
            f"{self.downloaded} downloaded, {self.skipped} skipped, {self.failed} failed "
            f"of {self.listed} files; {format_bytes(self.bytes)} in {self.seconds:.1f} s "
            f"({format_bytes(rate)}/s)"
        )
        if self.listing_failures:
            text += f"; {len(self.listing_failures)} list(s) could not be read"
        if self.stopped_early:
            text += "; stopped at the first failure"
        return text


def merge_reports(reports: Iterable[DownloadReport]) -> DownloadReport:
    """One report for the shards of a harvest (or any harvests into one destination).

    Counts, bytes and files add up; a list that could not be read is reported once however
    many shards met it; `seconds` is the longest shard's, since shards run side by side.
    The destination is the first report's.
    """
    given = list(reports)
    if not given:
        raise ValueError("merge_reports needs at least one report")
    failures: dict[tuple[str, str], ListingFailure] = {}
    for report in given:
        for failure in report.listing_failures:
            failures.setdefault((failure.source, str(failure.error)), failure)
    return DownloadReport(
        dest=given[0].dest,
        files=tuple(result for report in given for result in report.files),
        listing_failures=tuple(failures.values()),
        listed=sum(r.listed for r in given),
        downloaded=sum(r.downloaded for r in given),
        skipped=sum(r.skipped for r in given),
        failed=sum(r.failed for r in given),
        bytes=sum(r.bytes for r in given),
        seconds=max(r.seconds for r in given),
        stopped_early=any(r.stopped_early for r in given),
    )


def format_bytes(count: float) -> str:
    """A byte count for people: `1536` → `1.5 KiB`."""
    units = ("B", "KiB", "MiB", "GiB", "TiB")
    index = 0
    while abs(count) >= 1024 and index < len(units) - 1:
        count /= 1024
        index += 1
    return f"{count:.0f} B" if index == 0 else f"{count:.1f} {units[index]}"
