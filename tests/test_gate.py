"""The rate-limit gate and the retry policy, on virtual time."""

from __future__ import annotations

import asyncio

import pytest

from circleci_async import RetryPolicy
from circleci_async.gate import (
    UNTIMED_WINDOW,
    Budget,
    GateTimeout,
    RateLimitGate,
    budget_at,
    header_budget,
    pace_target,
    pause_span,
)
from circleci_async.wire import RateLimitInfo, parse_rate_limit

from .clock import VirtualTime


def make_gate(time: VirtualTime, rolls: float = 0.5) -> RateLimitGate:
    return RateLimitGate(clock=time, sleep=time.sleep, random=lambda: rolls, spread=0.2)


async def test_open_gate_does_not_wait() -> None:
    time = VirtualTime()
    gate = make_gate(time)
    assert await time.run(gate.wait()) == 0.0
    assert time.sleeps == []


async def test_a_pause_holds_every_waiter_until_the_server_time_plus_spread() -> None:
    time = VirtualTime(start=100.0)
    gate = make_gate(time, rolls=0.5)
    gate.pause(1.0)
    released: list[float] = []

    async def waiter() -> None:
        await gate.wait()
        released.append(time.now)

    async def many() -> None:
        await asyncio.gather(*(waiter() for _ in range(50)))

    await time.run(many())
    assert len(released) == 50
    assert min(released) >= 101.0
    assert max(released) == pytest.approx(101.1)
    assert gate.pauses == 1


async def test_spread_never_shortens_the_server_wait() -> None:
    time = VirtualTime(start=0.0)
    rolls = iter([0.0, 0.99, 0.3])
    gate = RateLimitGate(clock=time, sleep=time.sleep, random=lambda: next(rolls), spread=1.0)
    gate.pause(2.0)
    out: list[float] = []

    async def waiter() -> None:
        await gate.wait()
        out.append(time.now)

    await time.run(asyncio.gather(waiter(), waiter(), waiter()))
    assert sorted(out) == pytest.approx([2.0, 2.3, 2.99])


async def test_a_later_pause_extends_a_wait_in_progress() -> None:
    time = VirtualTime(start=0.0)
    gate = make_gate(time, rolls=0.0)
    gate.pause(1.0)

    async def scenario() -> float:
        waiting = asyncio.ensure_future(gate.wait())
        await time.sleep(0.5)
        gate.pause(3.0)
        await waiting
        return time.now

    assert await time.run(scenario()) == pytest.approx(3.5)


async def test_pause_without_header_backs_off_exponentially_within_jitter() -> None:
    time = VirtualTime(start=0.0)
    gate = RateLimitGate(
        clock=time,
        sleep=time.sleep,
        random=lambda: 1.0,
        policy=RetryPolicy(base_delay=1.0, max_delay=5.0),
    )
    waits = [gate.pause(None) for _ in range(5)]
    assert waits == [1.0, 2.0, 4.0, 5.0, 5.0]
    low = RateLimitGate(
        clock=time, sleep=time.sleep, random=lambda: 0.0, policy=RetryPolicy(base_delay=1.0)
    )
    assert low.pause(None) == 0.5
    gate.observe(None)
    assert gate.pause(None) == 1.0


async def test_deadline_refuses_to_wait_past_it() -> None:
    time = VirtualTime(start=0.0)
    gate = make_gate(time)
    gate.pause(30.0)
    with pytest.raises(GateTimeout) as caught:
        await time.run(gate.wait(deadline=10.0))
    assert caught.value.wait == pytest.approx(30.0)
    assert time.sleeps == []


async def test_the_budget_lets_requests_through_then_paces_them() -> None:
    time = VirtualTime(start=0.0)
    gate = make_gate(time)
    gate.observe(RateLimitInfo(limit=100, remaining=3, reset=2.0))
    sent: list[float] = []

    async def send() -> None:
        await gate.wait()
        sent.append(time.now)
        gate.finished()

    await time.run(asyncio.gather(*(send() for _ in range(6))))
    assert sent == pytest.approx([0.0, 0.0, 0.0, 0.0, 0.02, 0.04])


async def test_requests_in_flight_count_against_the_budget() -> None:
    time = VirtualTime(start=0.0)
    gate = make_gate(time)
    await time.run(asyncio.gather(gate.wait(), gate.wait()))
    assert gate.in_flight == 2
    gate.finished()
    gate.observe(RateLimitInfo(limit=10, remaining=1, reset=1.0))
    sent: list[float] = []

    async def send() -> None:
        await gate.wait()
        sent.append(time.now)

    await time.run(asyncio.gather(send(), send()))
    assert sent == pytest.approx([0.0, 0.1])


async def test_fresh_budget_ends_the_pacing() -> None:
    time = VirtualTime(start=0.0)
    gate = make_gate(time)
    gate.observe(RateLimitInfo(limit=10, remaining=0, reset=1.0))
    await time.run(asyncio.gather(gate.wait(), gate.wait()))
    assert time.now == pytest.approx(0.1)
    gate.finished()
    gate.finished()
    gate.observe(RateLimitInfo(limit=10, remaining=10, reset=1.0))
    await time.run(asyncio.gather(*(gate.wait() for _ in range(10))))
    assert time.now == pytest.approx(0.1)


async def test_no_headers_means_no_pacing() -> None:
    time = VirtualTime(start=0.0)
    gate = make_gate(time)
    gate.observe(None)
    await time.run(asyncio.gather(*(gate.wait() for _ in range(10))))
    assert time.sleeps == []


def test_retry_policy_delays_are_full_jitter_exponential() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=3.0)
    delays = policy.delays(lambda: 1.0)
    assert [next(delays) for _ in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    half = policy.delays(lambda: 0.5)
    assert [next(half) for _ in range(3)] == [0.25, 0.5, 1.0]


def test_retry_policy_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="attempts"):
        RetryPolicy(attempts=0)
    with pytest.raises(ValueError, match="budget"):
        RetryPolicy(budget=-1)
    assert RetryPolicy.never().attempts == 1
    assert RetryPolicy.never().rate_limit_retries == 0


async def _send_many(time: VirtualTime, gate: RateLimitGate, count: int) -> list[float]:
    """Send `count` requests one after another; each answer carries no rate-limit headers."""
    sent: list[float] = []

    async def run() -> None:
        for _ in range(count):
            await gate.wait()
            sent.append(time.now)
            gate.finished()
            gate.observe(None)

    await time.run(run())
    return sent


async def test_a_header_budget_expires_at_its_reset_and_headerless_answers_go_unpaced() -> None:
    time = VirtualTime(start=0.0)
    gate = make_gate(time)
    gate.observe(RateLimitInfo(limit=100, remaining=0, reset=10.0))
    sent = await _send_many(time, gate, 200)
    # Paced at 10/s until the reset at t=10, then unpaced: 0.1 s apart, then all at once.
    assert sent[:3] == pytest.approx([0.0, 0.1, 0.2])
    assert time.now == pytest.approx(10.0)
    assert sum(1 for at in sent if at < 9.95) == 100
    assert gate.budget is None


async def test_a_429_with_only_remaining_and_reset_stops_pacing_after_the_reset() -> None:
    time = VirtualTime(start=0.0)
    gate = make_gate(time, rolls=0.0)
    gate.observe(RateLimitInfo(remaining=0, reset=1.0), success=False)
    gate.pause(1.0)
    sent = await _send_many(time, gate, 50)
    assert time.now == pytest.approx(1.0)
    assert len(sent) == 50


async def test_a_pause_beyond_the_cap_fails_callers_who_cannot_wait_and_reopens_after_it() -> None:
    time = VirtualTime(start=0.0)
    gate = RateLimitGate(
        clock=time, sleep=time.sleep, random=lambda: 0.0, policy=RetryPolicy(budget=300.0)
    )
    assert gate.pause(86400.0) == 300.0
    with pytest.raises(GateTimeout) as caught:
        await time.run(gate.wait(deadline=10.0))
    assert caught.value.server_wait == pytest.approx(86400.0)
    assert time.sleeps == []
    await time.run(gate.wait(deadline=400.0))
    assert time.now == pytest.approx(300.0)
    gate.finished()
    assert await time.run(gate.wait(deadline=310.0)) == 0.0


async def test_max_pause_comes_from_the_policy_or_the_gate() -> None:
    time = VirtualTime(start=0.0)
    assert RateLimitGate(clock=time, policy=RetryPolicy(budget=20.0)).max_pause == 20.0
    assert RateLimitGate(clock=time, policy=RetryPolicy(max_pause=5.0)).max_pause == 5.0
    assert RateLimitGate(clock=time, max_pause=7.0).max_pause == 7.0


async def test_pacing_past_the_deadline_sends_instead_of_failing() -> None:
    time = VirtualTime(start=0.0)
    gate = make_gate(time)
    gate.observe(RateLimitInfo(limit=1, remaining=0, reset=86400.0))
    await time.run(gate.wait(deadline=300.0))
    await time.run(gate.wait(deadline=300.0))
    assert time.now == 0.0
    assert time.sleeps == []


def test_pure_gate_rules() -> None:
    info = RateLimitInfo(limit=100, remaining=5, reset=10.0)
    budget = header_budget(info, now=50.0, in_flight=2)
    assert budget == Budget(remaining=3, spacing=0.1, expires_at=60.0)
    assert header_budget(None, now=0.0, in_flight=0) is None
    assert header_budget(RateLimitInfo(limit=9), now=0.0, in_flight=0) is None
    untimed = header_budget(RateLimitInfo(remaining=0), now=0.0, in_flight=0)
    assert untimed == Budget(remaining=0, spacing=0.0, expires_at=UNTIMED_WINDOW)
    assert not untimed.paced
    assert budget_at(budget, 59.9) is budget
    assert budget_at(budget, 60.0) is None
    paced = Budget(remaining=0, spacing=5.0, expires_at=20.0)
    assert pace_target(paced, next_slot=12.0, now=10.0) == 12.0
    assert pace_target(paced, next_slot=30.0, now=10.0) == 20.0
    assert pace_target(None, next_slot=30.0, now=10.0) == 10.0
    assert pause_span(86400.0, 300.0) == 300.0
    assert pause_span(2.0, 300.0) == 2.0
    assert pause_span(-1.0, 300.0) == 0.0


def test_an_epoch_reset_is_read_as_a_time() -> None:
    headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1700000030"}
    info = parse_rate_limit(headers, now=1_700_000_000.0)
    assert info is not None
    assert info.reset == pytest.approx(30.0)
    past = parse_rate_limit(headers, now=1_800_000_000.0)
    assert past is not None
    assert past.reset == 0.0
    plain = parse_rate_limit({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "30"}, now=5.0)
    assert plain is not None
    assert plain.reset == 30.0


async def test_a_waiter_whose_deadline_is_the_reopening_time_fails_at_once() -> None:
    time = VirtualTime(start=0.0)
    gate = make_gate(time)
    gate.pause(5.0)
    with pytest.raises(GateTimeout):
        await time.run(gate.wait(deadline=5.0))
    assert time.sleeps == []
