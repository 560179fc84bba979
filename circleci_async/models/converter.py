"""The cattrs converter that checks request values and encodes models; `decode()` reads answers.

Answers are read by `decoding.decode` (re-exported here): a generated fast path and a
tolerant reader. This converter is strict: it checks what callers pass before it is sent.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from .base import OpenEnum
from .decoding import decode

__all__ = ["converter", "decode", "encode"]

T = TypeVar("T")

converter = cattrs.Converter(forbid_extra_keys=False)
"""Strict structuring of request values and unstructuring of models, with wire names."""


def _datetime(value: Any, _: type) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"not an ISO 8601 date-time: {value!r}") from None
    else:
        raise TypeError(f"expected an ISO 8601 date-time string, got {type(value).__name__}")
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _str(value: Any, _: type) -> str:
    if isinstance(value, str):
        return value
    raise TypeError(f"expected a string, got {type(value).__name__}")


def _int(value: Any, _: type) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise TypeError(f"expected an integer, got {value!r}")


def _float(value: Any, _: type) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise TypeError(f"expected a number, got {value!r}")


def _bool(value: Any, _: type) -> bool:
    if isinstance(value, bool):
        return value
    raise TypeError(f"expected true or false, got {value!r}")


def _enum(value: Any, cls: type[Enum]) -> Enum:
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise TypeError(f"expected one of the {cls.__name__} values, got {value!r}")
    return cls(value)


def _renames(cls: type) -> dict[str, Any]:
    return {
        field.name: override(rename=field.metadata["wire"])
        for field in attrs.fields(cls)
        if "wire" in field.metadata
    }


def _or_none(hook: Any) -> Any:
    def structure(value: Any, cls: type) -> Any:
        return None if value is None else hook(value, cls)

    return structure


def _configure(conv: cattrs.Converter) -> cattrs.Converter:
    for scalar, hook in ((str, _str), (int, _int), (float, _float), (bool, _bool)):
        conv.register_structure_hook(scalar | None, _or_none(hook))
    conv.register_structure_hook(datetime | None, _or_none(_datetime))
    conv.register_structure_hook(datetime, _datetime)
    conv.register_unstructure_hook(datetime, lambda value: value.isoformat())
    conv.register_structure_hook(str, _str)
    conv.register_structure_hook(int, _int)
    conv.register_structure_hook(float, _float)
    conv.register_structure_hook(bool, _bool)
    conv.register_structure_hook(Enum, _enum)
    conv.register_structure_hook(OpenEnum, _enum)
    conv.register_structure_hook_factory(
        attrs.has, lambda cls: make_dict_structure_fn(cls, conv, **_renames(cls))
    )
    conv.register_unstructure_hook_factory(
        attrs.has,
        lambda cls: make_dict_unstructure_fn(
            cls, conv, _cattrs_omit_if_default=False, **_renames(cls)
        ),
    )
    return conv


_configure(converter)


def encode(value: Any) -> Any:
    """A model (or plain value) as JSON-ready data, with wire names."""
    return converter.unstructure(value)
