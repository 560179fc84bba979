"""Artifact content: literal bytes, or deterministic pseudo-random bytes made on demand."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Iterator

import attrs

__all__ = ["CHUNK_SIZE", "Blob", "BlobSlice"]

CHUNK_SIZE = 256 * 1024
_ROTATION_STEP = 2_654_435_761


@attrs.frozen
class Blob:
    """The bytes of one artifact.

    With `data` the bytes are held as given. Without it, `size` bytes are derived from `seed`
    chunk by chunk, so a large artifact never sits in memory and any byte range can be produced.
    """

    size: int
    data: bytes | None = None
    seed: bytes = b""

    def __attrs_post_init__(self) -> None:
        if self.size < 0:
            raise ValueError("size must not be negative")
        if self.data is not None and len(self.data) != self.size:
            raise ValueError("size does not match len(data)")

    def chunks(self, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """Yield the bytes in `[start, end)` in pieces of at most `CHUNK_SIZE`."""
        stop = self.size if end is None else min(end, self.size)
        if start >= stop:
            return
        if self.data is not None:
            for offset in range(start, stop, CHUNK_SIZE):
                yield self.data[offset : min(offset + CHUNK_SIZE, stop)]
            return
        if self.size <= CHUNK_SIZE:  # the whole blob is the start of the first chunk
            yield _prefix(self.seed, self.size)[start:stop]
            return
        base = _prefix(self.seed, CHUNK_SIZE)
        index = start // CHUNK_SIZE
        while index * CHUNK_SIZE < stop:
            chunk = _rotated(base, index)
            chunk_start = index * CHUNK_SIZE
            yield chunk[max(start - chunk_start, 0) : min(stop - chunk_start, CHUNK_SIZE)]
            index += 1

    def read(self, start: int = 0, end: int | None = None) -> bytes:
        """Return the bytes in `[start, end)` at once; meant for small artifacts."""
        return b"".join(self.chunks(start, end))

    def sha256(self) -> str:
        """Hex SHA-256 of the whole content, computed by streaming it."""
        digest = hashlib.sha256()
        for chunk in self.chunks():
            digest.update(chunk)
        return digest.hexdigest()


@attrs.frozen
class BlobSlice:
    """A byte range `[start, end)` of a blob, ready to be streamed as a response body."""

    blob: Blob
    start: int
    end: int

    @property
    def length(self) -> int:
        """Number of bytes in the slice."""
        return self.end - self.start

    def chunks(self) -> Iterator[bytes]:
        """Yield the slice's bytes in pieces."""
        return self.blob.chunks(self.start, self.end)


_derived: OrderedDict[bytes, bytes] = OrderedDict()
_DERIVED_BYTES = 64 * 2**20
"""Derived bytes kept for reuse, least recently used first, at most this many in all."""
_derived_total = 0


def _prefix(seed: bytes, size: int) -> bytes:
    """The first `size` derived bytes of a seed (SHAKE-256 output), derived once while kept.

    An extendable-output function's shorter output is a prefix of its longer one, so a small
    blob is the start of the chunk a large blob of the same seed would rotate.
    """
    kept = _derived.get(seed)
    if kept is not None and len(kept) >= size:
        _derived.move_to_end(seed)
        return kept
    global _derived_total
    data = hashlib.shake_256(b"circleci-async-fake:" + seed).digest(size)
    _derived[seed] = data
    _derived_total += len(data) - (0 if kept is None else len(kept))
    while _derived_total > _DERIVED_BYTES and len(_derived) > 1:
        _derived_total -= len(_derived.popitem(last=False)[1])
    return data


def _rotated(base: bytes, index: int) -> bytes:
    shift = (index * _ROTATION_STEP) % len(base)
    return base[shift:] + base[:shift]
