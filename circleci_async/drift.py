"""Schema drift: where an answer departed from the spec, and what a client does about it.

The decoder reads answers tolerantly and lists each departure as a `Deviation`; a
`DriftLog` (one per client) warns once per operation and field path, logs at DEBUG, or in
strict mode raises `DecodeError`. No I/O here.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence

import attrs

from .errors import DecodeError, SchemaDriftWarning

__all__ = ["Deviation", "DriftLog"]

logger = logging.getLogger("circleci_async.drift")


@attrs.frozen
class Deviation:
    """One place where an answer does not fit the spec, e.g. `body.project.id` absent."""

    path: str
    """Where, with list positions written `[]`: `body.items[].trigger.actor`."""
    expected: str
    """What the spec says there, e.g. `a string (required)`."""
    got: str
    """What came instead, e.g. `absent`, `null`, `an object`."""

    def describe(self, operation: str) -> str:
        """One line for a warning or an error."""
        return f"{operation}: {self.path}: the spec says {self.expected}, the answer has {self.got}"


class DriftLog:
    """What one client has seen drift from the spec; warns once per operation and path."""

    def __init__(self, *, strict: bool = False) -> None:
        self.strict = strict
        """Raise `DecodeError` on drift instead of warning (for a project's own tests)."""
        self._seen: set[tuple[str, str]] = set()

    @property
    def seen(self) -> frozenset[tuple[str, str]]:
        """Every (operation, field path) that drifted so far."""
        return frozenset(self._seen)

    def report(self, operation: str, deviations: Sequence[Deviation]) -> None:
        """Warn (or, when strict, raise) about the deviations of one answer."""
        if not deviations:
            return
        if self.strict:
            raise DecodeError(
                operation,
                [f"{d.path}: the spec says {d.expected}, got {d.got}" for d in deviations],
            )
        for deviation in deviations:
            key = (operation, deviation.path)
            message = deviation.describe(operation)
            logger.debug("schema drift: %s", message)
            if key in self._seen:
                continue
            self._seen.add(key)
            warnings.warn(message, SchemaDriftWarning, stacklevel=2)
