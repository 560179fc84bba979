"""What a command run sets up around itself: `--debug` logging with secrets masked, SIGTERM.

SIGTERM (what Kubernetes, systemd and `kill` send) is handled as Ctrl-C: the running command
is interrupted the same way (a harvest keeps its unfinished files as `.part`), and `main`
then says so and exits with 143 instead of 130.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import FrameType

__all__ = ["TERMINATED", "SecretMask", "debug_logging", "sigterm_as_sigint"]

TERMINATED = 143
"""The exit status after SIGTERM (128 + 15)."""


class SecretMask(logging.Filter):
    """Replaces the given secrets with `***` in every record that passes."""

    def __init__(self, secrets: Sequence[str]) -> None:
        super().__init__()
        self.secrets = list(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask the secrets in the record's message (formatted once, here)."""
        message = record.getMessage()
        for secret in self.secrets:
            message = message.replace(secret, "***")
        record.msg, record.args = message, None
        return True


@contextmanager
def debug_logging(enabled: bool, secrets: Sequence[str]) -> Iterator[None]:
    """With `enabled`, log the library's requests (`circleci_async` at DEBUG) to stderr."""
    if not enabled:
        yield
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("debug: %(message)s"))
    handler.addFilter(SecretMask(secrets))
    library = logging.getLogger("circleci_async")
    level = library.level
    library.addHandler(handler)
    library.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        library.removeHandler(handler)
        library.setLevel(level)


@contextmanager
def sigterm_as_sigint() -> Iterator[list[bool]]:
    """Turn SIGTERM into SIGINT while the block runs; yields `[terminated]`.

    Only in the main thread (signal handlers cannot be set elsewhere); a no-op otherwise.
    """
    seen = [False]
    if threading.current_thread() is not threading.main_thread():
        yield seen
        return

    def on_term(_signum: int, _frame: FrameType | None) -> None:
        seen[0] = True
        signal.raise_signal(signal.SIGINT)

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        yield seen
    finally:
        signal.signal(signal.SIGTERM, previous)
