"""Run every benchmark scenario and write benchmarks/RESULTS.md.

python -m benchmarks.run            # the full figures (a few minutes)
python -m benchmarks.run --smoke    # a quick pass that checks nothing rotted
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable

from . import cpu, fanout, harvest, logs, paging, processes, ratelimit
from .common import Section, write_sections

SCENARIOS: dict[str, Callable[..., Awaitable[Section]]] = {
    "fanout": fanout.run,
    "cpu": cpu.run,
    "paging": paging.run,
    "ratelimit": ratelimit.run,
    "harvest": harvest.run,
    "sharedgate": processes.run_gate,
    "dask": processes.run_dask,
    "logs": logs.run,
}


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="circleci-async benchmarks")
    parser.add_argument("--smoke", action="store_true", help="small sizes, seconds not minutes")
    parser.add_argument(
        "--only", choices=sorted(SCENARIOS), action="append", help="run only these scenarios"
    )
    parser.add_argument("--no-write", action="store_true", help="print, do not touch RESULTS.md")
    args = parser.parse_args(argv)
    sections = []
    for name in args.only or list(SCENARIOS):
        section = await SCENARIOS[name](smoke=args.smoke)
        print(section.markdown(), flush=True)
        sections.append(section)
    if not args.no_write and not args.smoke:
        command = "python -m benchmarks.run" + "".join(f" --only {n}" for n in args.only or [])
        write_sections(sections, command)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
