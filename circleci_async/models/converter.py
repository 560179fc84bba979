"""The one cattrs converter that turns JSON into models, and `decode()` that uses it."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
from cattrs.v import format_exception

from ..errors import DecodeError
from .base import OpenEnum

__all__ = ["converter", "decode", "encode"]

T = TypeVar("T")

converter = cattrs.Converter(forbid_extra_keys=False)
"""Decodes every response: unknown keys ignored, wire names honoured, strict scalars."""


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


def _describe(exc: BaseException, cls: type | None) -> str:
    if isinstance(exc, TypeError | ValueError) and str(exc) and not isinstance(exc, KeyError):
        return str(exc)
    return format_exception(exc, cls)


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
_fast = _configure(cattrs.Converter(forbid_extra_keys=False, detailed_validation=False))


def decode(data: Any, into: type[T], operation: str) -> T:
    """Structure JSON `data` into `into`; a mismatch raises `DecodeError` naming each field.

    Bodies that fit go through a converter without per-field bookkeeping; only a body that
    fails is decoded again by the detailed one, to name every field that is wrong.
    """
    try:
        return _fast.structure(data, into)
    except Exception:
        pass
    try:
        return converter.structure(data, into)
    except Exception as exc:
        if isinstance(exc, cattrs.BaseValidationError):
            details = cattrs.transform_error(exc, path="body", format_exception=_describe)
        else:
            details = [f"{type(exc).__name__}: {exc} @ body"]
        raise DecodeError(operation, details) from None


def encode(value: Any) -> Any:
    """A model (or plain value) as JSON-ready data, with wire names."""
    return converter.unstructure(value)
