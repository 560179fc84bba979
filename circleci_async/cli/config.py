"""Where the command line finds its token and API root, and `circleci-async config show`.

In order: the flags (`--token`, `--base-url`); the environment (`CIRCLECI_TOKEN`,
`CIRCLE_TOKEN`, `CIRCLECI_CLI_TOKEN`; `CIRCLECI_BASE_URL`, `CIRCLECI_CLI_HOST`); our own
file (`$CIRCLECI_ASYNC_CONFIG`, else `$XDG_CONFIG_HOME/circleci-async/config.toml`, else
`~/.config/circleci-async/config.toml`: TOML with `token` and `base_url`); then CircleCI
CLI's `~/.circleci/cli.yml`, read only, for its `token`, `host` and `rest_endpoint`.

A token from a file is used only with the API root of that same file (CircleCI's when the
file names none), so a token kept for one install never goes to another. A malformed file
is a `ConfigurationError` naming its path and line; a file that holds a token and that other
users may read gets a warning on stderr, as ssh does.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..client import BASE_URL_VARIABLES, DEFAULT_BASE_URL, TOKEN_VARIABLES, resolve_base_url
from ..errors import ConfigurationError
from .common import add_group, connection_options
from .output import Output

__all__ = [
    "Settings",
    "Value",
    "cli_yml_path",
    "config_path",
    "file_tokens",
    "mask",
    "read_cli_yml",
    "read_own",
    "register",
    "resolve",
    "settings_of",
]

_OWN_KEYS = ("token", "base_url")
_CLI_YML_KEYS = ("host", "token", "rest_endpoint")
_MAX_CONFIG_BYTES = 64 * 1024


@dataclass(frozen=True)
class Value:
    """A setting's value and where it came from."""

    value: str
    source: str


@dataclass
class Settings:
    """The token and API root a command uses, with their sources, and notes for `config show`."""

    token: Value | None
    base_url: Value
    files: list[tuple[str, str]] = field(default_factory=list)
    """Each config file looked at, and what became of it."""


def config_path() -> Path:
    """Our own config file's path (which may not exist)."""
    named = os.environ.get("CIRCLECI_ASYNC_CONFIG", "").strip()
    if named:
        return Path(named).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME", "").strip() or str(Path("~/.config").expanduser())
    return Path(base) / "circleci-async" / "config.toml"


def cli_yml_path() -> Path:
    """CircleCI CLI's settings file (`~/.circleci/cli.yml`)."""
    return Path("~/.circleci/cli.yml").expanduser()


def _read(path: Path) -> str | None:
    """The file's text, None when it does not exist; `ConfigurationError` when unreadable."""
    try:
        with path.open("rb") as file:
            data = file.read(_MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise ConfigurationError(f"{path}: cannot read it: {error.strerror or error}") from None
    if len(data) > _MAX_CONFIG_BYTES:
        raise ConfigurationError(f"{path}: over {_MAX_CONFIG_BYTES // 1024} KiB, not a config")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigurationError(f"{path}: not UTF-8 text") from None


def _line_of(text: str, key: str) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip().startswith(key):
            return number
    return 1


def read_own(path: Path) -> dict[str, tuple[str, int]] | None:
    """Our TOML file's settings with their line numbers; None when it does not exist."""
    text = _read(path)
    if text is None:
        return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        where = message.rsplit("line ", 1)[-1].split(",")[0] if "line " in message else "1"
        reason = message.split(" (at ")[0]
        raise ConfigurationError(f"{path}:{where}: not TOML: {reason}") from None
    found: dict[str, tuple[str, int]] = {}
    for key, value in data.items():
        line = _line_of(text, key)
        if key not in _OWN_KEYS:
            raise ConfigurationError(
                f"{path}:{line}: unknown setting {key!r} (known: {', '.join(_OWN_KEYS)})"
            )
        if not isinstance(value, str) or not value.strip():
            raise ConfigurationError(f"{path}:{line}: {key} must be a non-empty string")
        found[key] = (value.strip(), line)
    return found


def _unquote(raw: str, path: Path, number: int) -> str:
    value = raw.strip()
    if value[:1] == '"':
        if len(value) < 2 or not value.endswith('"'):
            raise ConfigurationError(f"{path}:{number}: unterminated double-quoted value")
        return value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    if value[:1] == "'":
        if len(value) < 2 or not value.endswith("'"):
            raise ConfigurationError(f"{path}:{number}: unterminated single-quoted value")
        return value[1:-1].replace("''", "'")
    if value[:1] in ("|", ">", "&", "*", "!", "[", "{"):
        raise ConfigurationError(f"{path}:{number}: expected a plain or quoted value")
    return value.split(" #", 1)[0].strip()


def read_cli_yml(path: Path) -> dict[str, tuple[str, int]] | None:
    """`host`, `token` and `rest_endpoint` of CircleCI CLI's file; None when it does not exist.

    The CLI writes a flat YAML mapping of plain or quoted scalars (Go's yaml.v3 from its
    settings struct), so the top-level `key: value` lines are read without a YAML parser;
    nested blocks (its `orb_publishing`) are skipped.
    """
    text = _read(path)
    if text is None:
        return None
    found: dict[str, tuple[str, int]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#") or line[:1] in (" ", "\t"):
            continue
        if line.strip() == "---":
            continue
        key, colon, rest = line.partition(":")
        if not colon or not key.strip():
            raise ConfigurationError(f"{path}:{number}: expected 'key: value'")
        key = key.strip()
        if key in _CLI_YML_KEYS and rest.strip():
            value = _unquote(rest, path, number)
            if value:
                found[key] = (value, number)
    return found


def file_tokens() -> list[str]:
    """The tokens the config files hold (for masking them in errors); none if unreadable."""
    found = []
    for path, reader in ((config_path(), read_own), (cli_yml_path(), read_cli_yml)):
        try:
            settings = reader(path)
        except ConfigurationError:
            continue
        if settings is not None and "token" in settings:
            found.append(settings["token"][0])
    return found


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _mode_warning(path: Path) -> str | None:
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        return (
            f"warning: {path} holds a token and other users may read it "
            f"(mode {stat.S_IMODE(mode):o}); run: chmod 600 {path}"
        )
    return None


def resolve(token: str | None, base_url: str | None, *, warn: bool = True) -> Settings:
    """The token and API root from flags, environment and config files, in that order."""
    files: list[tuple[str, str]] = []
    base: Value | None
    if base_url is not None:
        base = Value(resolve_base_url(base_url, source="--base-url"), "--base-url")
    else:
        base = _env_base_url()
    chosen = token
    token_value = Value(token, "--token") if token is not None else None
    if token_value is None:
        for variable in TOKEN_VARIABLES:
            if os.environ.get(variable, "").strip():
                token_value = Value(os.environ[variable], f"${variable}")
                break
    own_path, yml_path = config_path(), cli_yml_path()
    for path, reader, base_key in (
        (own_path, read_own, "base_url"),
        (yml_path, read_cli_yml, "host"),
    ):
        settings = reader(path)
        if settings is None:
            files.append((str(path), "not found"))
            continue
        file_base = None
        if base_key in settings:
            raw, line = settings[base_key]
            if base_key == "host":
                endpoint = settings["rest_endpoint"][0] if "rest_endpoint" in settings else "api/v2"
                endpoint = endpoint.strip("/")
                raw = raw.rstrip("/") + "/" + endpoint
            file_base = Value(resolve_base_url(raw, source=f"{path}:{line}"), f"{path}:{line}")
        if base is None and file_base is not None:
            base = file_base
        note = "read"
        if "token" in settings:
            used_base = (base or Value(DEFAULT_BASE_URL, "default")).value
            token_base = (file_base or Value(DEFAULT_BASE_URL, "default")).value
            if token_value is None and chosen is None:
                if _host(used_base) == _host(token_base):
                    raw, line = settings["token"]
                    token_value = Value(raw, f"{path}:{line}")
                    note = "read; its token is used"
                else:
                    note = f"read; its token is for {_host(token_base)}, not used"
            if warn and (message := _mode_warning(path)) is not None:
                print(message, file=sys.stderr)
        files.append((str(path), note))
    return Settings(token_value, base or Value(DEFAULT_BASE_URL, "default"), files)


def _env_base_url() -> Value | None:
    for variable in BASE_URL_VARIABLES:
        if os.environ.get(variable, "").strip():
            return Value(resolve_base_url(None), f"${variable}")
    return None


def settings_of(args: argparse.Namespace) -> Settings:
    """The settings of a command line's `--token` and `--base-url`."""
    return resolve(getattr(args, "token", None), getattr(args, "base_url", None))


def mask(token: str) -> str:
    """A token as `config show` prints it: its last four characters, if it is long."""
    return "****" + token[-4:] if len(token) >= 16 else "****"


def register(groups: Any) -> None:
    """Add the `config` group to the top-level sub-parsers."""
    commands = add_group(groups, "config", "where the token and API root come from")
    show = commands.add_parser(
        "show",
        parents=[connection_options()],
        help="the token (masked) and API root in use, and where each came from",
        description=__doc__.split("\n\n", 1)[1].replace("\n", " ") if __doc__ else None,
    )
    show.set_defaults(run=_show)


def _show(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    out = Output(sys.stdout, json_lines=args.json)
    token = settings.token
    if out.json_lines:
        out.json(
            {
                "token": None
                if token is None
                else {"value": mask(token.value), "source": token.source},
                "base_url": {"value": settings.base_url.value, "source": settings.base_url.source},
                "files": [{"path": path, "status": note} for path, note in settings.files],
            }
        )
        return 0
    fields: list[tuple[str, object]] = [
        ("token", "(none)" if token is None else f"{mask(token.value)}  from {token.source}"),
        ("base url", f"{settings.base_url.value}  from {settings.base_url.source}"),
    ]
    fields += [("file", f"{path} ({note})") for path, note in settings.files]
    out.record(fields, None)
    return 0
