"""Harvest plans as data, and shards of them by path hash.

A `HarvestPlan` is what a listing found: plain `ArtifactRef`s (and `LogRef`s, for step
logs) and the lists that could not be read. It pickles, so it can be written down, sent to
other processes or machines, and downloaded later with `circle.artifacts.download(plan,
dest)`. It holds every ref in memory (a few hundred bytes each); a plain `download_*` call
streams instead.

A shard `(i, n)` takes the refs whose destination key hashes to `i` modulo `n` (SHA-256, so
the split is the same in every process and on every machine, like the index of a Kubernetes
Indexed Job). Two refs that land on the same file always fall in the same shard, so shards
never write one file twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncGenerator, Iterator

import attrs

from ..errors import InvalidArgumentError
from .logrefs import LogRef
from .refs import ArtifactRef
from .report import ListingFailure

__all__ = ["HarvestPlan", "Shard", "collect_plan", "shard_index", "shard_key", "validate_shard"]

Items = AsyncGenerator[ArtifactRef | LogRef | ListingFailure, None]
"""A listing: refs to download and lists that could not be read."""
Shard = tuple[int, int]
"""`(index, count)`: this process takes shard `index` of `count` (0 <= index < count)."""


def validate_shard(shard: object) -> Shard:
    """`shard` as `(index, count)`, or `InvalidArgumentError` naming what is wrong."""
    if (
        not isinstance(shard, tuple)
        or len(shard) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in shard)
    ):
        raise InvalidArgumentError(f"shard must be a pair (index, count) of ints, got {shard!r}")
    index, count = shard
    if count < 1 or not 0 <= index < count:
        raise InvalidArgumentError(f"shard {index}/{count} is outside 0 <= index < count")
    return index, count


def shard_key(ref: ArtifactRef | LogRef, *, by_job: bool) -> str:
    """What decides a ref's shard: the place its file takes under the destination."""
    if isinstance(ref, LogRef):
        return f"{ref.job_number}/{ref.path}" if by_job else ref.path
    artifact = ref.artifact
    if by_job and ref.job_number is not None:
        return f"{ref.job_number}/{artifact.node_index}/{artifact.path}"
    return f"{artifact.node_index}/{artifact.path}"


def shard_index(key: str, count: int) -> int:
    """The shard (0 to count - 1) that `key` belongs to; the same in every process."""
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big") % count


@attrs.frozen
class HarvestPlan:
    """The files of a harvest, listed once: picklable, shardable, downloadable later.

    `by_job` says whether refs with a job number go to their job's folder (as for a
    workflow or pipeline) or straight to `dest/<node_index>/<path>` (as for one job).
    """

    refs: tuple[ArtifactRef | LogRef, ...]
    listing_failures: tuple[ListingFailure, ...] = ()
    """Lists that could not be read while planning; every shard carries (and reports) them."""
    by_job: bool = True

    def __len__(self) -> int:
        return len(self.refs)

    def __iter__(self) -> Iterator[ArtifactRef | LogRef]:
        return iter(self.refs)

    def shard(self, index: int, count: int) -> HarvestPlan:
        """The part of this plan that shard `index` of `count` downloads."""
        index, count = validate_shard((index, count))
        mine = tuple(r for r in self.refs if self.shard_of(r, count) == index)
        return attrs.evolve(self, refs=mine)

    def shards(self, count: int) -> list[HarvestPlan]:
        """All `count` shards of this plan, in index order (one pass over the refs)."""
        validate_shard((0, count))
        parts: list[list[ArtifactRef | LogRef]] = [[] for _ in range(count)]
        for ref in self.refs:
            parts[self.shard_of(ref, count)].append(ref)
        return [attrs.evolve(self, refs=tuple(part)) for part in parts]

    def shard_of(self, ref: ArtifactRef | LogRef, count: int) -> int:
        """The shard of `count` that `ref` falls in."""
        return shard_index(shard_key(ref, by_job=self.by_job), count)

    async def listing(self) -> Items:
        """The plan as a harvest listing: its failures first, then its refs."""
        for failure in self.listing_failures:
            yield failure
        for ref in self.refs:
            yield ref


async def collect_plan(listing: Items, *, by_job: bool) -> HarvestPlan:
    """Walk `listing` to its end into a plan."""
    refs: list[ArtifactRef | LogRef] = []
    failures: list[ListingFailure] = []
    try:
        async for item in listing:
            if isinstance(item, ListingFailure):
                failures.append(item)
            else:
                refs.append(item)
    finally:
        await listing.aclose()
    return HarvestPlan(tuple(refs), tuple(failures), by_job)


async def sharded(listing: Items, shard: Shard, *, by_job: bool) -> Items:
    """The refs of `listing` that fall in `shard`, read lazily; failures pass through."""
    index, count = shard
    try:
        async for item in listing:
            if (
                isinstance(item, ListingFailure)
                or shard_index(shard_key(item, by_job=by_job), count) == index
            ):
                yield item
    finally:
        await listing.aclose()
