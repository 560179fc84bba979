"""The `fake_circleci` fixture, for a conftest that names this module in `pytest_plugins`.

Installing circleci-async registers the same fixture through its `pytest11` entry point
(`circleci_async._pytest_plugin`), so most projects need not name this module at all.
"""

from .._pytest_plugin import MISSING_PYTEST_ASYNCIO, fake_circleci, fake_circleci_options

__all__ = ["MISSING_PYTEST_ASYNCIO", "fake_circleci", "fake_circleci_options"]
