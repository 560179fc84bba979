"""Collect the flaky tests of several projects at once, worst first.

    python examples/flaky_tests.py gh/acme/api-server gh/acme/web [--fake]

With `--fake` and no slugs, every project of the fake is asked.
"""

from __future__ import annotations

import asyncio

from connect import connect, parser

from circleci_async import CircleCI
from circleci_async.models import FlakyTest


async def flaky_tests(circle: CircleCI, slugs: list[str]) -> list[tuple[str, FlakyTest]]:
    """Every flaky test of every project, fetched concurrently, most flaky first."""
    answers = await asyncio.gather(*(circle.insights.flaky_tests(slug) for slug in slugs))
    found = [(slug, test) for slug, answer in zip(slugs, answers, strict=True)
             for test in answer.flaky_tests]  # fmt: skip
    return sorted(found, key=lambda pair: -(pair[1].times_flaked or 0))


async def main() -> None:
    cli = parser(__doc__ or "")
    cli.add_argument("slugs", nargs="*", help="project slugs")
    args = cli.parse_args()
    async with connect(args.fake) as circle:
        slugs = args.slugs
        if not slugs:
            followed = await circle.pipelines.followed().take(100)
            slugs = sorted({pipeline.project_slug for pipeline in followed})
        found = await flaky_tests(circle, slugs)
    print(f"{len(found)} flaky tests in {len(slugs)} projects")
    for slug, test in found:
        print(f"{test.times_flaked}x  {slug}  {test.classname}.{test.test_name} ({test.job_name})")


if __name__ == "__main__":
    asyncio.run(main())
