"""The command line loads the fake CircleCI only for the commands that run it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from circleci_async.cli import demo
from circleci_async.testing.demo_org import DEMO_BRANCH, DEMO_PROJECT
from circleci_async.testing.profiles import PROFILES

pytestmark = pytest.mark.slow


def _testing_modules_after(code: str) -> list[str]:
    script = (
        f"import sys\n{code}\n"
        "print('\\n'.join(m for m in sys.modules if m.startswith('circleci_async.testing')))"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("CIRCLECI_TOKEN", "CIRCLE_TOKEN")}
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env=env,
    )
    return done.stdout.split()


def test_building_the_parser_and_running_an_api_command_load_no_fake() -> None:
    code = "from circleci_async import cli\ncli.build_parser()\nassert cli.main(['me']) == 2\n"
    assert _testing_modules_after(code) == []


def test_the_demo_help_names_the_seeded_project_and_branch() -> None:
    assert f"{DEMO_BRANCH} of {DEMO_PROJECT}" in demo._DESCRIPTION.replace("\n", " ")


def test_the_demo_offers_every_profile_of_the_fake() -> None:
    assert sorted(demo.PROFILE_NAMES) == sorted(PROFILES)
