"""`PartFile`: one download in progress, written to `<name>.part` and moved into place whole."""

from __future__ import annotations

import contextlib
import io
import os
import stat

from .errors import DestinationError
from .paths import PART_SUFFIX, VALIDATOR_SUFFIX

__all__ = ["PartFile"]

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_VALIDATOR_LIMIT = 1024


class PartFile:
    """The `.part` file beside `target`; `finish()` renames it to `target` with `os.replace`.

    A final name therefore only ever holds a complete file. The ETag or Last-Modified the
    bytes came with is kept in `<name>.part.validator`, for `If-Range` when resuming. Every
    `OSError` is raised as a `DestinationError` naming `shown` (the target relative to the
    destination). With
    `durable`, the data is fsynced before the rename and the folder after it, so a complete
    file survives a power cut too; without it, a killed or cancelled process still never
    leaves a partial file under a final name.
    """

    def __init__(self, target: str, shown: str, *, durable: bool = False) -> None:
        self.target = target
        self.part = target + PART_SUFFIX
        self.validator_file = self.part + VALIDATOR_SUFFIX
        self.shown = shown
        self.durable = durable
        self._file: io.BufferedWriter | None = None

    def size(self) -> int:
        """Bytes already in the `.part` file (0 when there is none)."""
        try:
            status = os.lstat(self.part)
        except FileNotFoundError:
            return 0
        except OSError as error:
            raise DestinationError(self.shown, error) from None
        if not stat.S_ISREG(status.st_mode):
            raise DestinationError(self.shown, f"{self.shown}{PART_SUFFIX} is not a regular file")
        return status.st_size

    def open(self, offset: int) -> None:
        """Open for writing at `offset`: keep the first `offset` bytes, drop the rest."""
        self.close()
        try:
            os.makedirs(os.path.dirname(self.target), exist_ok=True)
            flags = os.O_WRONLY | os.O_CREAT | _NOFOLLOW | (0 if offset else os.O_TRUNC)
            descriptor = os.open(self.part, flags, 0o644)
            self._file = open(descriptor, "wb")  # noqa: SIM115 - closed by close()/finish()
            if offset:
                self._file.truncate(offset)
                self._file.seek(offset)
        except OSError as error:
            self.close()
            raise DestinationError(self.shown, error) from None

    def write(self, chunk: bytes) -> None:
        """Append `chunk`."""
        if self._file is None:
            raise RuntimeError("PartFile.write before open")
        try:
            self._file.write(chunk)
        except OSError as error:
            self.close()
            raise DestinationError(self.shown, error) from None

    def close(self) -> None:
        """Close the file if open, keeping the `.part` for a later resume."""
        file, self._file = self._file, None
        if file is not None:
            with contextlib.suppress(OSError):
                file.close()

    def validator(self) -> str | None:
        """The ETag or Last-Modified the `.part` file's bytes came with (None: unknown)."""
        try:
            descriptor = os.open(self.validator_file, os.O_RDONLY | _NOFOLLOW)
        except OSError:
            return None
        with open(descriptor, "rb") as file:
            text = file.read(_VALIDATOR_LIMIT).decode("ascii", errors="replace").strip()
        return text or None

    def remember(self, validator: str | None) -> None:
        """Keep `validator` beside the `.part` file, so a later resume can send `If-Range`."""
        self._unlink(self.validator_file)
        if not validator:
            return
        try:
            os.makedirs(os.path.dirname(self.target), exist_ok=True)
            flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _NOFOLLOW
            with open(os.open(self.validator_file, flags, 0o644), "wb") as file:
                file.write(validator.encode("ascii", errors="replace")[:_VALIDATOR_LIMIT])
        except OSError as error:
            raise DestinationError(self.shown, error) from None

    def discard(self) -> None:
        """Close and delete the `.part` file and its validator."""
        self.close()
        self._unlink(self.part)
        self._unlink(self.validator_file)

    def _unlink(self, path: str) -> None:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        except OSError as error:
            raise DestinationError(self.shown, error) from None

    def finish(self) -> None:
        """Close the complete file and move it to its final name."""
        file, self._file = self._file, None
        try:
            if file is not None:
                with file:
                    file.flush()
                    if self.durable:
                        os.fsync(file.fileno())
            os.replace(self.part, self.target)
            if self.durable:
                self._sync_folder()
        except OSError as error:
            raise DestinationError(self.shown, error) from None
        self._unlink(self.validator_file)

    def _sync_folder(self) -> None:
        descriptor = os.open(os.path.dirname(self.target), os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
