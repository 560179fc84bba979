"""Pipeline parameters from the command line: `--param key=value`, with typed values."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterable

__all__ = ["ParamValue", "collect_params", "pipeline_param", "typed_value"]

ParamValue = bool | int | str
"""The types a CircleCI pipeline parameter takes."""

_INTEGER = re.compile(r"-?(0|[1-9][0-9]*)")


def typed_value(text: str) -> ParamValue:
    """`true` / `false` as booleans, integers (no leading zeros) as int, else the string."""
    if text in ("true", "false"):
        return text == "true"
    if _INTEGER.fullmatch(text):
        return int(text)
    return text


def pipeline_param(text: str) -> tuple[str, ParamValue]:
    """An argparse type: `key=value` as `(key, typed value)`; a usage error otherwise."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected key=value, got {text!r}")
    return key.strip(), typed_value(value)


def collect_params(pairs: Iterable[tuple[str, ParamValue]]) -> dict[str, ParamValue]:
    """The parameters as a mapping; a key given twice raises `ValueError`."""
    params: dict[str, ParamValue] = {}
    for key, value in pairs:
        if key in params:
            raise ValueError(f"argument --param: {key!r} given twice")
        params[key] = value
    return params
