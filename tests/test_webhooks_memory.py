"""`webhooks listen` under a flood of large unauthenticated bodies: its peak RSS stays bounded."""

from __future__ import annotations

import asyncio
import sys
from collections import Counter

import aiohttp
import pytest

from .webhook_helpers import SECRET, peak_rss_kib

pytestmark = pytest.mark.slow

DEADLINE = 60.0
FLOOD = 600
BODY = b"x" * (1024 * 1024)
BAD_SIGNATURE = {"circleci-signature": "v1=" + "0" * 64}


async def _post(http: aiohttp.ClientSession, url: str) -> str:
    try:
        async with http.post(url, data=BODY, headers=BAD_SIGNATURE) as response:
            await response.read()
            return str(response.status)
    except aiohttp.ClientError:
        return "closed"


async def test_600_unauthenticated_1_mib_bodies_at_once_stay_bounded() -> None:
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "circleci_async", "webhooks", "listen", "--port", "0",
        "--path", "/hook", "--secret", SECRET,
        stdin=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    assert child.stderr is not None
    try:
        first = (await asyncio.wait_for(child.stderr.readline(), DEADLINE)).decode()
        assert first.startswith("listening on http://127.0.0.1:"), first
        url = first.split()[2]
        before = peak_rss_kib(child.pid)
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
            answers = await asyncio.wait_for(
                asyncio.gather(*(_post(http, url) for _ in range(FLOOD))), DEADLINE
            )
        grown_mib = (peak_rss_kib(child.pid) - before) / 1024
    finally:
        child.terminate()
        await asyncio.wait_for(child.communicate(), DEADLINE)
    counts = Counter(answers)
    print(f"peak RSS +{grown_mib:.1f} MiB; answers {dict(counts)}")
    assert "202" not in counts
    assert counts["401"] >= 1
    assert grown_mib < 80, f"peak RSS grew {grown_mib:.1f} MiB for {FLOOD} bodies of 1 MiB"
