"""Pytest plugin: the `fake_circleci` fixture, a started `FakeCircleCI` closed after the test.

Override the `fake_circleci_options` fixture to pass constructor arguments (e.g. `seed`).
The fixture needs pytest-asyncio; without it this module still imports, and the fixture fails
with an explanation. Registered through the `pytest11` entry point, so it loads into every
pytest run of a project that installs circleci-async: it imports nothing of the fake until the
fixture is used.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .testing import FakeCircleCI

__all__ = ["MISSING_PYTEST_ASYNCIO", "fake_circleci", "fake_circleci_options"]

MISSING_PYTEST_ASYNCIO = (
    "The fake_circleci fixture needs pytest-asyncio: pip install pytest-asyncio "
    "(or: pip install 'circleci-async[test]')."
)


@pytest.fixture
def fake_circleci_options() -> dict[str, Any]:
    """Keyword arguments for the `FakeCircleCI` of `fake_circleci`; override to customise."""
    return {}


def _make_fixture() -> Any:
    try:
        import pytest_asyncio
    except ImportError:

        @pytest.fixture(name="fake_circleci")
        def unavailable(fake_circleci_options: dict[str, Any]) -> None:
            """Unavailable: pytest-asyncio is not installed."""
            pytest.fail(MISSING_PYTEST_ASYNCIO, pytrace=False)

        return unavailable

    @pytest_asyncio.fixture(name="fake_circleci")
    async def started(fake_circleci_options: dict[str, Any]) -> AsyncIterator[FakeCircleCI]:
        """A started `FakeCircleCI`, closed after the test."""
        from .testing import FakeCircleCI

        async with FakeCircleCI(**fake_circleci_options) as fake:
            yield fake

    return started


fake_circleci = _make_fixture()
