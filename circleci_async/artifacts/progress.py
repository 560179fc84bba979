"""Running counts of a harvest: `Progress` snapshots for a callback, and the final report."""

from __future__ import annotations

import collections
from collections.abc import Callable
from pathlib import Path

import attrs

from ..gate import Clock
from .report import DownloadReport, FileResult, ListingFailure, Outcome

__all__ = ["Progress", "ProgressCallback", "Tally"]

_RATE_WINDOW = 3.0
_SAMPLE_SPACING = 0.05
_BYTES_INTERVAL = 0.1


@attrs.frozen(kw_only=True)
class Progress:
    """A snapshot of a running harvest, handed to the `progress` callback."""

    listed: int
    """Files listed (and selected) so far."""
    listing_done: bool
    """Whether `listed` is final."""
    downloaded: int
    skipped: int
    failed: int
    bytes: int
    """Bytes received so far."""
    rate: float
    """Bytes per second over the last few seconds."""
    elapsed: float

    @property
    def done(self) -> int:
        """Files finished one way or another."""
        return self.downloaded + self.skipped + self.failed


ProgressCallback = Callable[[Progress], object]
"""Called with a `Progress` after every file, after the listing ends, and at most ten times
a second while bytes arrive."""


class Tally:
    """Counts what a harvest did; builds `Progress` snapshots and the `DownloadReport`."""

    def __init__(self, *, clock: Clock, callback: ProgressCallback | None, keep_all: bool) -> None:
        self._clock = clock
        self._callback = callback
        self._keep_all = keep_all
        self._started = clock()
        self._samples = collections.deque([(self._started, 0)])
        self._last_emit = self._started
        self._files: list[FileResult] = []
        self._listing_failures: list[ListingFailure] = []
        self._counts = dict.fromkeys(Outcome, 0)
        self.listed = 0
        self.listing_done = False
        self.bytes = 0

    def file_listed(self) -> None:
        """One more file will be handled."""
        self.listed += 1

    def listing_finished(self) -> None:
        """Every file is listed."""
        self.listing_done = True
        self._emit()

    def listing_failed(self, failure: ListingFailure) -> None:
        """A list could not be read."""
        self._listing_failures.append(failure)
        self._emit()

    def received(self, count: int) -> None:
        """`count` more bytes arrived."""
        self.bytes += count
        if self._callback is not None and self._clock() - self._last_emit >= _BYTES_INTERVAL:
            self._emit()

    def finished(self, result: FileResult) -> None:
        """A file is done: downloaded, skipped or failed."""
        self._counts[result.outcome] += 1
        if self._keep_all or result.outcome is Outcome.FAILED:
            self._files.append(result)
        self._emit()

    def snapshot(self) -> Progress:
        """The counts now."""
        now = self._clock()
        samples = self._samples
        if now - samples[-1][0] >= _SAMPLE_SPACING:
            samples.append((now, self.bytes))
        while len(samples) > 1 and now - samples[1][0] >= _RATE_WINDOW:
            samples.popleft()
        first_time, first_bytes = samples[0]
        span = now - first_time
        return Progress(
            listed=self.listed,
            listing_done=self.listing_done,
            downloaded=self._counts[Outcome.DOWNLOADED],
            skipped=self._counts[Outcome.SKIPPED],
            failed=self._counts[Outcome.FAILED],
            bytes=self.bytes,
            rate=(self.bytes - first_bytes) / span if span > 0 else 0.0,
            elapsed=now - self._started,
        )

    def report(self, dest: Path, *, stopped_early: bool) -> DownloadReport:
        """The final report."""
        return DownloadReport(
            dest=dest,
            files=tuple(self._files),
            listing_failures=tuple(self._listing_failures),
            listed=self.listed,
            downloaded=self._counts[Outcome.DOWNLOADED],
            skipped=self._counts[Outcome.SKIPPED],
            failed=self._counts[Outcome.FAILED],
            bytes=self.bytes,
            seconds=self._clock() - self._started,
            stopped_early=stopped_early,
        )

    def _emit(self) -> None:
        if self._callback is None:
            return
        self._last_emit = self._clock()
        self._callback(self.snapshot())
