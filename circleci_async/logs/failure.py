"""`job_failure`: why a job failed, in one call: failed actions with their tails, failed tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, Awaitable, Callable

from ..models.jobs import JobDetails, TestResult
from .models import FailedAction, JobFailure, JobSteps, StepAction
from .stream import StepOutput

__all__ = ["FAILED_TEST_RESULTS", "MAX_FAILED_TESTS", "job_failure"]

FAILED_TEST_RESULTS = frozenset({"failure", "failed", "error"})
"""Test results that count as failed."""
MAX_FAILED_TESTS = 100
"""The most failed tests a summary keeps."""


async def _failed_tests(tests: AsyncIterable[TestResult]) -> tuple[TestResult, ...]:
    kept: list[TestResult] = []
    async for test in tests:
        if test.result in FAILED_TEST_RESULTS:
            kept.append(test)
            if len(kept) >= MAX_FAILED_TESTS:
                break
    return tuple(kept)


async def job_failure(
    *,
    job: Awaitable[JobDetails],
    steps: JobSteps,
    tests: AsyncIterable[TestResult],
    output: Callable[[StepAction], StepOutput],
    tail: int,
) -> JobFailure:
    """Gather the summary; each failed action's last `tail` lines are read concurrently."""
    failed = steps.failed_actions()
    names = {id(a): s.name for s in steps.steps for a in s.actions}

    async def summarise(action: StepAction) -> FailedAction:
        text = await output(action).text(tail=tail) if action.output_url else ""
        return FailedAction(
            step=names.get(id(action), action.name),
            step_id=action.step,
            index=action.index,
            outcome=action.outcome,
            exit_code=action.exit_code,
            timed_out=action.timed_out,
            tail=tuple(text.splitlines()),
            action=action,
        )

    details, found_tests, summaries = await asyncio.gather(
        job, _failed_tests(tests), asyncio.gather(*(summarise(action) for action in failed))
    )
    return JobFailure(job=details, steps=steps, actions=tuple(summaries), failed_tests=found_tests)
