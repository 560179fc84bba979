"""A one-line progress bar for a terminal: files, bytes and rate of a running harvest."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from typing import TextIO

from ..artifacts import Progress, format_bytes

__all__ = ["ProgressBar", "render"]

_BAR_MAX = 30
_REDRAW_INTERVAL = 0.1


def render(progress: Progress, width: int) -> str:
    """The bar as text of at most `width` characters.

    While the listing goes on the total is not known, so the bar says `listing...` and how
    many files are done of those listed so far; once it ends, the bar fills towards the total.
    """
    failed = f", {progress.failed} failed" if progress.failed else ""
    figures = f"{failed}  {format_bytes(progress.bytes)}  {format_bytes(progress.rate)}/s"
    if not progress.listing_done:
        text = f"listing... {progress.done} done of {progress.listed} listed so far{figures}"
        return text[:width]
    text = f" {progress.done}/{progress.listed} files{figures}"
    room = min(width - len(text) - 2, _BAR_MAX)
    if room < 5:
        return text.strip()[:width]
    share = progress.done / progress.listed if progress.listed else 0.0
    filled = round(room * min(share, 1.0))
    return f"[{'#' * filled}{'.' * (room - filled)}]{text}"


class ProgressBar:
    """Redraws `render` on `stream` in place, at most ten times a second."""

    def __init__(
        self,
        stream: TextIO,
        *,
        width: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream = stream
        self._width = width or shutil.get_terminal_size().columns - 1
        self._clock = clock
        self._drawn_at: float | None = None
        self._shown = 0
        self._last: Progress | None = None

    def update(self, progress: Progress) -> None:
        """Show `progress` (skipped when the last redraw was too recent)."""
        self._last = progress
        now = self._clock()
        if self._drawn_at is not None and now - self._drawn_at < _REDRAW_INTERVAL:
            return
        self._draw(progress)
        self._drawn_at = now

    def finish(self) -> None:
        """Draw the last state and end the line."""
        if self._last is not None:
            self._draw(self._last)
        if self._shown:
            self._stream.write("\n")
            self._stream.flush()

    def _draw(self, progress: Progress) -> None:
        line = render(progress, self._width)
        self._stream.write("\r" + line.ljust(self._shown))
        self._stream.flush()
        self._shown = len(line)
