"""Where the token and API root come from: flags, environment, our file, CircleCI CLI's file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from circleci_async import CircleCI
from circleci_async.errors import ConfigurationError
from circleci_async.testing import FakeCircleCI

from .cli_helpers import json_lines, run

TOKEN_VARIABLES = ("CIRCLECI_TOKEN", "CIRCLE_TOKEN", "CIRCLECI_CLI_TOKEN")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path))
    for variable in TOKEN_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    return tmp_path


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    return path


def own(home: Path) -> Path:
    return home / ".config" / "circleci-async" / "config.toml"


def cli_yml(home: Path, fake: FakeCircleCI, token: str) -> Path:
    host = fake.base_url.removesuffix("/api/v2")
    lines = [f"host: {host}", "endpoint: graphql-unstable", f'token: "{token}"']
    lines += ["rest_endpoint: api/v2", 'tls_cert: ""', "orb_publishing:", '  default_namespace: ""']
    text = "\n".join(lines) + "\n"
    return write(home / ".circleci" / "cli.yml", text)


async def test_circleci_clis_file_gives_token_and_host(
    home: Path, fake: FakeCircleCI, capsys: pytest.CaptureFixture[str]
) -> None:
    cli_yml(home, fake, fake.token)
    assert await run(["me"]) == 0
    out, err = capsys.readouterr()
    assert "fake-user" in out
    assert err == ""
    assert await run(["config", "show", "--json"]) == 0
    [shown] = json_lines(capsys.readouterr().out)
    assert shown["token"] == {
        "value": "****" + fake.token[-4:],
        "source": f"{home}/.circleci/cli.yml:3",
    }
    assert shown["base_url"] == {"value": fake.base_url, "source": f"{home}/.circleci/cli.yml:1"}


async def test_flags_beat_the_environment_which_beats_the_files(
    home: Path,
    fake: FakeCircleCI,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cli_yml(home, fake, "cli-yml-token-0000000000")
    write(own(home), f'token = "own-file-token-000000000"\nbase_url = "{fake.base_url}"\n')
    monkeypatch.setenv("CIRCLECI_CLI_TOKEN", fake.token)
    monkeypatch.setenv("CIRCLECI_CLI_HOST", fake.base_url.removesuffix("/api/v2"))
    assert await run(["config", "show"]) == 0
    out = capsys.readouterr().out
    assert "from $CIRCLECI_CLI_TOKEN" in out
    assert "from $CIRCLECI_CLI_HOST" in out
    assert fake.token not in out
    assert await run(["me"]) == 0, "the environment's token is used"
    capsys.readouterr()
    monkeypatch.delenv("CIRCLECI_CLI_TOKEN")
    assert await run(["config", "show"]) == 0
    assert f"from {own(home)}:1" in capsys.readouterr().out, "our file beats cli.yml"
    assert await run(["config", "show", "--base-url", "https://circleci.com/api/v2"]) == 0
    shown = capsys.readouterr().out
    assert "https://circleci.com/api/v2  from --base-url" in shown
    assert "token:     (none)" in shown, "a file's token never goes to another host"


async def test_the_library_reads_the_same_variables(
    home: Path, fake: FakeCircleCI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CIRCLECI_CLI_TOKEN", fake.token)
    monkeypatch.setenv("CIRCLECI_BASE_URL", fake.base_url)
    async with CircleCI() as circle:
        assert circle.base_url == fake.base_url
        assert (await circle.users.me()).login == "fake-user"
    monkeypatch.delenv("CIRCLECI_BASE_URL")
    monkeypatch.setenv("CIRCLECI_CLI_HOST", fake.base_url.removesuffix("/api/v2"))
    assert CircleCI().base_url == fake.base_url
    monkeypatch.setenv("CIRCLECI_CLI_HOST", "circleci.example.com")
    with pytest.raises(ConfigurationError, match=r"\$CIRCLECI_CLI_HOST must be an http"):
        CircleCI()


@pytest.mark.parametrize(
    ("where", "text", "said"),
    [
        ("own", 'token = "abc"\ncolour = true\n', "config.toml:2: unknown setting 'colour'"),
        ("own", 'token = "abc\n', "config.toml:1: not TOML"),
        ("own", "token = 3\n", "config.toml:1: token must be a non-empty string"),
        ("own", 'base_url = "circleci.example.com"\n', "config.toml:1 must be an http"),
        ("yml", "host: https://circleci.com\ntoken: |\n  abc\n", "cli.yml:2: expected a plain"),
        ("yml", "just words\n", "cli.yml:1: expected 'key: value'"),
        ("yml", 'token: "unterminated\n', "cli.yml:1: unterminated double-quoted"),
    ],
)
async def test_a_bad_config_file_is_exit_2_naming_path_and_line(
    home: Path, capsys: pytest.CaptureFixture[str], where: str, text: str, said: str
) -> None:
    write(own(home) if where == "own" else home / ".circleci" / "cli.yml", text)
    status = await run(["me"])
    err = capsys.readouterr().err
    assert status == 2
    assert said in err
    assert err.count("\n") == 1
    assert "Traceback" not in err


async def test_an_unreadable_config_file_is_exit_2(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = own(home)
    path.mkdir(parents=True)
    assert await run(["me"]) == 2
    err = capsys.readouterr().err
    assert f"{path}: cannot read it" in err


async def test_a_token_file_others_can_read_gets_a_warning(
    home: Path, fake: FakeCircleCI, capsys: pytest.CaptureFixture[str]
) -> None:
    path = cli_yml(home, fake, fake.token)
    os.chmod(path, 0o644)
    assert await run(["me"]) == 0
    err = capsys.readouterr().err
    assert err == (
        f"warning: {path} holds a token and other users may read it (mode 644); "
        f"run: chmod 600 {path}\n"
    )
    assert fake.token not in err


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("CIRCLECI_BASE_URL", "circleci.example.com", "$CIRCLECI_BASE_URL must be an http"),
        ("CIRCLECI_TOKEN", "two words", "$CIRCLECI_TOKEN contains spaces"),
    ],
)
async def test_a_bad_variable_is_exit_2_naming_it(
    home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    value: str,
    said: str,
) -> None:
    monkeypatch.setenv("CIRCLECI_TOKEN", "a-token-of-twenty-chars")
    monkeypatch.setenv(variable, value)
    assert await run(["me"]) == 2
    err = capsys.readouterr().err
    assert said in err
    assert err.count("\n") == 1


async def test_an_empty_token_flag_is_named(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert await run(["me", "--token", " "]) == 2
    assert "--token is empty" in capsys.readouterr().err
