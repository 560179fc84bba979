"""Answer size caps, checked in a child process against a ceiling on its peak RSS."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.slow

MIB = 1 << 20

_CHILD = textwrap.dedent(
    """
    import asyncio, json, resource, sys
    from circleci_async import CircleCI
    from circleci_async.errors import CircleCIError
    from circleci_async.testing import FakeCircleCI

    def peak():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    async def main():
        out = {}
        async with FakeCircleCI() as fake:
            async with CircleCI(fake.token, base_url=fake.base_url) as circle:
                await circle.users.me()
                fake.faults.oversized(256 << 20, gzip_bomb=True)
                fake.faults.oversized(256 << 20)
                fake.faults.oversized(256 << 20, status=404)
                before = peak()
                for case in ("bomb", "big", "error"):
                    try:
                        await circle.users.me()
                    except CircleCIError as exc:
                        out[case] = type(exc).__name__
                out["growth"] = peak() - before
                out["requests"] = circle.core.requests_sent
        print(json.dumps(out))

    asyncio.run(main())
    """
)


def test_big_answers_a_gzip_bomb_and_a_big_error_body_keep_memory_under_a_ceiling() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD], capture_output=True, text=True, check=True, timeout=120
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["bomb"] == "ResponseTooLargeError"
    assert figures["big"] == "ResponseTooLargeError"
    assert figures["error"] == "NotFoundError"
    assert figures["requests"] == 4
    # Before: +1550 MiB (a 512 MiB bomb), +813 MiB (256 MiB answer), +526 MiB (256 MiB 404).
    # Now: the 64 MiB cap, read in pieces, and 64 KiB of an error body.
    assert figures["growth"] < 200 * MIB, f"peak RSS grew by {figures['growth'] / MIB:.0f} MiB"
