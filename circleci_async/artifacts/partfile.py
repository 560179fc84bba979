"""`PartFile`: one download in progress, written to `<name>.part` and moved into place whole.

Ownership: a harvest writes a file only while it holds an exclusive `flock` on that file's
`.part` (`owned`). The lock lives on the open file, so two harvests in one process (two
clients) exclude each other as two processes do, and the kernel drops it when a process
dies, so a crash never leaves a file locked. The `.part` name stays the same from run to
run, so a later harvest still resumes what an earlier one left. This is the one place that
decides who may write a file; the harvester only asks for `owned(...)`.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import stat
from collections.abc import AsyncIterator, Awaitable, Callable

from .errors import DestinationError
from .paths import PART_SUFFIX, VALIDATOR_SUFFIX

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks, one harvest per folder
    fcntl = None  # type: ignore[assignment]

__all__ = ["PartFile", "owned"]

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_VALIDATOR_LIMIT = 1024
_FIRST_POLL = 0.02
_LONGEST_POLL = 1.0
_SWAPS = 100


class PartFile:
    """The `.part` file beside `target`; `finish()` renames it to `target` with `os.replace`.

    A final name therefore only ever holds a complete file. The ETag or Last-Modified the
    bytes came with is kept in `<name>.part.validator`, for `If-Range` when resuming. Every
    `OSError` is raised as a `DestinationError` naming `shown` (the target relative to the
    destination). With `durable`, the data is fsynced before the rename and the folder after
    it, so a complete file survives a power cut too; without it, a killed or cancelled
    process still never leaves a partial file under a final name.

    Every method but `try_own` needs the file owned (`try_own`, or `owned(...)`): writes go
    through the locked descriptor, and `discard` empties the file instead of deleting it, so
    no other harvest can take the name meanwhile.
    """

    def __init__(self, target: str, shown: str, *, durable: bool = False) -> None:
        self.target = target
        self.part = target + PART_SUFFIX
        self.validator_file = self.part + VALIDATOR_SUFFIX
        self.shown = shown
        self.durable = durable
        self._file: io.BufferedWriter | None = None
        self._lock: int | None = None

    @property
    def owned(self) -> bool:
        """Whether this object holds the lock on the `.part` file."""
        return self._lock is not None

    def try_own(self) -> bool:
        """Take the `.part` file (creating it, empty) unless another harvest holds it.

        Never blocks. After the lock is granted the name is checked to still be the locked
        file: a harvest that finished meanwhile has renamed it to the final name.
        """
        if self._lock is not None:
            return True
        for _ in range(_SWAPS):
            descriptor = self._open_for_lock()
            if fcntl is not None:
                try:
                    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    os.close(descriptor)
                    return False
                except OSError as error:
                    os.close(descriptor)
                    raise DestinationError(self.shown, error) from None
            if self._still_named(descriptor):
                self._lock = descriptor
                return True
            os.close(descriptor)
        raise DestinationError(self.shown, f"{self.shown}{PART_SUFFIX} keeps being replaced")

    def release(self) -> None:
        """Close everything and give the `.part` file up (deleted when it holds nothing)."""
        self.close()
        descriptor, self._lock = self._lock, None
        if descriptor is None:
            return
        try:
            with contextlib.suppress(DestinationError, OSError):
                if self._still_named(descriptor) and os.fstat(descriptor).st_size == 0:
                    self._unlink(self.part)
                    self._unlink(self.validator_file)
        finally:
            os.close(descriptor)

    def _open_for_lock(self) -> int:
        self._check_kind()
        try:
            os.makedirs(os.path.dirname(self.target), exist_ok=True)
            return os.open(self.part, os.O_RDWR | os.O_CREAT | _NOFOLLOW, 0o644)
        except OSError as error:
            raise DestinationError(self.shown, error) from None

    def _still_named(self, descriptor: int) -> bool:
        """Whether the `.part` name still points at the open file `descriptor`."""
        try:
            named = os.lstat(self.part)
        except FileNotFoundError:
            return False
        except OSError as error:
            raise DestinationError(self.shown, error) from None
        held = os.fstat(descriptor)
        return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)

    def _check_kind(self) -> None:
        try:
            status = os.lstat(self.part)
        except FileNotFoundError:
            return
        except OSError as error:
            raise DestinationError(self.shown, error) from None
        if not stat.S_ISREG(status.st_mode):
            raise DestinationError(self.shown, f"{self.shown}{PART_SUFFIX} is not a regular file")

    def size(self) -> int:
        """Bytes already in the `.part` file."""
        return os.fstat(self._owned()).st_size

    def open(self, offset: int) -> None:
        """Open for writing at `offset`: keep the first `offset` bytes, drop the rest."""
        self.close()
        try:
            self._file = open(os.dup(self._owned()), "wb")  # noqa: SIM115 - see close()/finish()
            self._file.truncate(offset)
            self._file.seek(offset)
        except OSError as error:
            self.close()
            raise DestinationError(self.shown, error) from None

    def _owned(self) -> int:
        if self._lock is None:
            raise RuntimeError("PartFile used before try_own()")
        return self._lock

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
        """Close and empty the `.part` file (kept, and still owned); delete its validator."""
        self.close()
        try:
            os.ftruncate(self._owned(), 0)
        except OSError as error:
            raise DestinationError(self.shown, error) from None
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


@contextlib.asynccontextmanager
async def owned(
    target: str,
    shown: str,
    *,
    durable: bool,
    sleep: Callable[[float], Awaitable[object]],
    clock: Callable[[], float],
    budget: float,
) -> AsyncIterator[PartFile]:
    """The `PartFile` of `target`, held by this harvest alone until the block ends.

    While another harvest (another process, or another client in this one) holds it, wait
    for it, polling, at most `budget` seconds; past that, `DestinationError`. A file the
    other harvest finished meanwhile is then already under its final name.
    """
    part = PartFile(target, shown, durable=durable)
    deadline = clock() + budget
    delay = _FIRST_POLL
    while not part.try_own():
        if clock() + delay > deadline:
            reason = f"another harvest has been writing it for over {budget:g}s"
            raise DestinationError(shown, reason)
        await sleep(delay)
        await asyncio.sleep(0)  # let the holder run, even under an injected sleep that does not
        delay = min(delay * 2, _LONGEST_POLL)
    try:
        yield part
    finally:
        part.release()
