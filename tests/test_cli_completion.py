"""`circleci-async completion SHELL`: scripts made from the parser, that complete commands."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from circleci_async.cli import GROUPS, build_parser
from circleci_async.cli.completion import SHELLS, script

from .cli_helpers import run


def commands() -> list[str]:
    """Every group and command name the parser knows."""
    parser = build_parser()
    [groups] = [a for a in parser._actions if a.dest == "group"]
    return sorted(groups.choices)  # type: ignore[arg-type]


@pytest.mark.parametrize("shell", SHELLS)
async def test_the_script_is_printed_and_names_every_command(
    shell: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run(["completion", shell]) == 0
    out = capsys.readouterr().out
    assert out == script(shell)
    for name in [*commands(), "watch", "--exit-status", "--number", "--paginate"]:
        assert name in out, (shell, name)
    assert len(GROUPS) <= len(commands())


def test_the_bash_script_completes_a_subcommand() -> None:
    line = "circleci-async pipelines w"
    probe = (
        f"{script('bash')}\nCOMP_WORDS=({line}); COMP_CWORD=2; COMP_LINE='{line}'; "
        'COMP_POINT=${#COMP_LINE}; _shtab_circleci_async; echo "${COMPREPLY[@]}"'
    )
    done = subprocess.run(
        ["bash", "--norc", "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == ["watch"]


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_the_script_parses_in_its_shell(shell: str) -> None:
    binary = shutil.which(shell)
    if binary is None:
        pytest.skip(f"{shell} is not installed")
    done = subprocess.run(
        [binary, "-n"], input=script(shell), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr


async def test_an_unknown_shell_is_exit_2_naming_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert await run(["completion", "powershell"]) == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'powershell'" in err
    assert err.count("\n") == 1
