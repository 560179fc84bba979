"""Callbacks that run on Dask workers in the tests (importable there by module name)."""

from __future__ import annotations

import os
from pathlib import Path

from circleci_async.artifacts import Progress


def die_once(marker: str, after: int, progress: Progress) -> None:
    """Kill this worker process once (the first time any shard has `after` files in place)."""
    if progress.downloaded >= after and not Path(marker).exists():
        try:
            fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        os._exit(17)
