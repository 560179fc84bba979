"""The cost of bounding JSON nesting: the stdlib parser with and without the depth pre-scan.

`python -m benchmarks.json_depth` reads a job's details (CircleCI's published sample) alone
and as pages of 20 and 100, with `json.loads` and with `jsoncodec`'s bounded stdlib reader,
side by side in one process, and prints the best CPU time of each and their ratio. (orjson
is bounded by orjson itself, so its path has no pre-scan.)
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from circleci_async import jsoncodec

SAMPLE = Path(__file__).resolve().parent.parent / "tests/samples/getJobDetails/guide.json"


def best(works: list[Callable[[], Any]], body: bytes, rounds: int = 25) -> list[float]:
    """The least CPU microseconds one parse took with each reader, batches interleaved."""
    batch = max(20, 200_000 // len(body))
    fastest = [float("inf")] * len(works)
    for _ in range(rounds):
        for index, work in enumerate(works):
            started = time.process_time()
            for _ in range(batch):
                work()
            fastest[index] = min(fastest[index], (time.process_time() - started) / batch)
    return [seconds * 1e6 for seconds in fastest]


def main() -> None:
    job = json.loads(SAMPLE.read_bytes())
    bodies = {"a job": json.dumps(job).encode()}
    for size in (20, 100):
        page = {"items": [job] * size, "next_page_token": "x"}
        bodies[f"a page of {size} jobs"] = json.dumps(page).encode()
    bounded = jsoncodec._stdlib_loads
    for name, body in bodies.items():
        plain, checked = best([partial(json.loads, body), partial(bounded, body)], body)
        openers = body.count(b"[") + body.count(b"{")
        print(
            f"{name} ({len(body):,} bytes, {openers} openers): json.loads {plain:.1f} us, "
            f"bounded {checked:.1f} us, {checked / plain:.2f}x"
        )


if __name__ == "__main__":
    main()
