"""Reading answers into models: a generated fast path, and a tolerant reader for the rest.

The fast path is Python source generated once per model: it accepts only answers that fit
the spec exactly (every field the spec requires present and not null, every value of its
declared kind, every enum value known) and builds the models with no bookkeeping. Anything
else makes it give up, and the tolerant reader decodes the answer again: a missing or null
field becomes None (an empty list for lists), a value of the wrong kind becomes None, an
unknown enum value is kept, and each departure is listed as a `Deviation`. Only an answer
whose top level has the wrong shape, or that lacks an identity field (a field without a
default, such as a pipeline's `id`), raises `DecodeError`.
"""

from __future__ import annotations

import functools
import itertools
import types
import typing
import warnings
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from enum import Enum
from typing import Any, TypeVar, Union, get_args, get_origin

import attrs

from ..drift import Deviation
from ..errors import DecodeError, SchemaDriftWarning
from .base import OpenEnum

__all__ = ["Report", "decode", "describe_value", "fast_reader", "field_hints", "other_spelling"]

T = TypeVar("T")
Report = Callable[[str, Sequence[Deviation]], None]
"""Receives the deviations of one answer: the operation and what departed from the spec."""

_NONE = type(None)
_MISSING = object()


class _Miss(Exception):
    """The fast path met something it does not take; the tolerant reader decides."""


class _Wrong(Exception):
    """A value of the wrong kind; `got` says what it was."""

    def __init__(self, got: str) -> None:
        self.got = got


class _Identity(Exception):
    """An identity field is missing or unusable: the answer cannot be decoded."""


def describe_value(value: Any) -> str:
    """What a JSON value is, in words: `null`, `a string 'abc'`, `an object`, ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"a string {shown!r}"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        return f"the number {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _split_optional(tp: Any) -> tuple[Any, bool]:
    if get_origin(tp) in (Union, types.UnionType):
        members = [arg for arg in get_args(tp) if arg is not _NONE]
        if len(members) < len(get_args(tp)):
            if len(members) == 1:
                return members[0], True
            return Union[tuple(members)], True  # noqa: UP007
    return tp, False


def _describe_type(tp: Any) -> str:
    tp, _ = _split_optional(tp)
    origin = get_origin(tp)
    if tp is str:
        return "a string"
    if tp is int:
        return "an integer"
    if tp is float:
        return "a number"
    if tp is bool:
        return "true or false"
    if tp is datetime:
        return "an ISO 8601 date-time"
    if isinstance(tp, type) and issubclass(tp, Enum):
        return f"one of {sorted(str(member.value) for member in tp)}"
    if attrs.has(origin or tp):
        name = (origin or tp).__name__
        return "an object" if name.startswith("_") else f"an object ({name})"
    if origin is list:
        return "a list"
    if origin is dict:
        return "an object"
    if origin in (Union, types.UnionType):
        return " or ".join(_describe_type(arg) for arg in get_args(tp))
    return "any JSON value"


@attrs.frozen
class _Field:
    name: str
    key: str
    tp: Any
    """The declared type without `| None`."""
    optional: bool
    """The type admits None."""
    identity: bool
    """No default: the answer cannot be decoded without it."""
    expected: bool
    """The spec requires it (and not null)."""
    default: Any
    factory: Callable[[], Any] | None
    alias: str | None = None
    """The key's other spelling (`-` and `_` swapped), also read; None when it has none."""
    known_alias: bool = False
    """Real answers are known to use the other spelling (`spec_fixes.OTHER_SPELLINGS`): it is
    read without a drift warning."""

    def fallback(self) -> Any:
        return self.factory() if self.factory is not None else self.default


@functools.cache
def _fields(tp: Any) -> tuple[_Field, ...]:
    cls = get_origin(tp) or tp
    hints = field_hints(tp)
    result = []
    keys = {field.metadata.get("wire", field.name) for field in attrs.fields(cls)}
    for field in attrs.fields(cls):
        inner, optional = _split_optional(hints[field.name])
        default = field.default
        factory = None
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            factory, default = default.factory, None
        identity = default is attrs.NOTHING and factory is None
        key = field.metadata.get("wire", field.name)
        alias = other_spelling(key)
        result.append(
            _Field(
                name=field.name,
                key=key,
                tp=inner,
                optional=optional,
                identity=identity,
                expected=bool(field.metadata.get("expected")),
                default=None if identity else default,
                factory=factory,
                alias=alias if alias not in keys else None,
                known_alias=(cls, field.name) in _known_spellings(),
            )
        )
    return tuple(result)


@functools.cache
def _known_spellings() -> frozenset[tuple[type, str]]:
    from .spec_fixes import OTHER_SPELLINGS  # the fixes import the models, which import this

    return frozenset((seen.model, seen.field) for seen in OTHER_SPELLINGS)


def other_spelling(key: str) -> str | None:
    """The spelling CircleCI also sends for a key: kebab-case as snake_case and back.

    `public-key` is also read as `public_key`, `created_at` as `created-at`; a key with
    neither `-` nor `_` has no other spelling (None). A key with both swaps the dashes.
    """
    if "-" in key:
        return key.replace("-", "_")
    if "_" in key:
        return key.replace("_", "-")
    return None


def field_hints(tp: Any) -> dict[str, Any]:
    """An attrs class's type hints, a generic alias's with its parameters filled in."""
    cls = get_origin(tp) or tp
    hints = typing.get_type_hints(cls)
    if get_origin(tp) is not None:
        params = dict(zip(cls.__parameters__, get_args(tp), strict=True))
        hints = {name: _substitute(hint, params) for name, hint in hints.items()}
    return hints


def _substitute(hint: Any, params: dict[Any, Any]) -> Any:
    if hint in params:
        return params[hint]
    origin = get_origin(hint)
    if origin is None:
        return hint
    args = tuple(_substitute(arg, params) for arg in get_args(hint))
    if origin in (Union, types.UnionType):
        return Union[args]  # noqa: UP007
    return origin[args]


# The fast path.


def _miss(*_: Any) -> Any:
    raise _Miss


def _as_int(value: Any) -> int:
    if value.__class__ is float and value.is_integer():
        return int(value)
    raise _Miss


def _as_datetime(value: Any) -> datetime:
    if value.__class__ is not str:
        raise _Miss
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _Miss from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _check_str(value: Any) -> str:
    if value.__class__ is not str:
        raise _Miss
    return value


def _check_float(value: Any) -> float:
    if value.__class__ is not float and value.__class__ is not int:
        raise _Miss
    return value


def _check_bool(value: Any) -> bool:
    if value.__class__ is not bool:
        raise _Miss
    return value


def _same(value: Any) -> Any:
    return value


@functools.cache
def fast_reader(tp: Any) -> Callable[[Any], Any]:
    """A function that reads a value of type `tp` that fits the spec exactly, else raises."""
    inner, optional = _split_optional(tp)
    read = _fast_inner(inner)
    if not optional:
        return read

    def maybe(value: Any) -> Any:
        return None if value is None else read(value)

    return maybe


def _fast_inner(tp: Any) -> Callable[[Any], Any]:
    origin = get_origin(tp)
    if tp is str:
        return _check_str
    if tp is int:
        return lambda v: v if v.__class__ is int else _as_int(v)
    if tp is float:
        return _check_float
    if tp is bool:
        return _check_bool
    if tp is datetime:
        return _as_datetime
    if tp is Any or tp is object:
        return _same
    if isinstance(tp, type) and issubclass(tp, Enum):
        members = tp._value2member_map_

        def enum(value: Any) -> Any:
            try:
                return members[value]
            except (KeyError, TypeError):
                raise _Miss from None

        return enum
    if attrs.has(origin or tp):
        return _generate(tp)
    if origin is list:
        (item,) = get_args(tp)
        read_item = fast_reader(item)
        if read_item is _check_str or read_item is _same:

            def plain_list(value: Any) -> Any:
                if value.__class__ is not list:
                    raise _Miss
                for element in value:
                    read_item(element)
                return value

            return plain_list
        return lambda v: [read_item(i) for i in v] if v.__class__ is list else _miss()
    if origin is dict:
        _, item = get_args(tp)
        read_value = fast_reader(item)
        if read_value is _same:
            return lambda v: v if v.__class__ is dict else _miss()
        return lambda v: (
            {_check_str(k): read_value(i) for k, i in v.items()} if v.__class__ is dict else _miss()
        )
    if origin in (Union, types.UnionType):
        readers = [fast_reader(arg) for arg in get_args(tp)]

        def either(value: Any) -> Any:
            for read in readers:
                try:
                    return read(value)
                except Exception:
                    continue
            raise _Miss

        return either
    raise TypeError(f"no decoding rule for {tp!r}")


_INLINE = {
    str: "if v.__class__ is not str: raise Miss",
    bool: "if v.__class__ is not bool: raise Miss",
}
_INLINE[int] = "if v.__class__ is not int: v = as_int(v)"
_INLINE[float] = "if v.__class__ is not float and v.__class__ is not int: raise Miss"
_counter = itertools.count()


def _generate(tp: Any) -> Callable[[Any], Any]:
    """Python source for one model's fast reader, compiled once.

    An answer that spells a key the other way (`public_key` for `public-key`) is left to
    the tolerant reader, which reads it and reports the spelling (one `in` test per such
    key: cheaper than a set test on the answer). The instance is made with `object.__new__`
    and its slots are filled through their descriptors: several times cheaper than a frozen
    attrs `__init__` with keywords, and the same result (the models have no validators or
    post-init hooks).
    """
    cls = get_origin(tp) or tp
    namespace: dict[str, Any] = {"Miss": _Miss, "as_int": _as_int, "new": object.__new__}
    namespace["cls"] = cls
    lines = ["def read(d):", "    if d.__class__ is not dict: raise Miss", "    g = d.get"]
    fields = _fields(tp)
    aliases = frozenset(field.alias for field in fields if field.alias is not None)
    if aliases:
        namespace["aliases"] = aliases
        lines.extend(f"    if {alias!r} in d: raise Miss" for alias in sorted(aliases))
    lines.append("    o = new(cls)")
    for index, field in enumerate(fields):
        namespace[f"s{index}"] = _slot_setter(cls, field.name)
        store = f"s{index}(o, v)"
        check = _INLINE.get(field.tp)
        if check is None and field.tp not in (Any, object):
            namespace[f"r{index}"] = _fast_inner(field.tp)
            check = f"v = r{index}(v)"
        if field.identity or field.expected:
            lines.append(f"    v = d[{field.key!r}]")
            if field.optional:
                lines.append("    if v is None: raise Miss")
            if check:
                lines.append(f"    {check}")
            lines.append(f"    {store}")
        else:
            if field.factory is not None:
                namespace[f"f{index}"] = field.factory
                fallback = f"f{index}()"
            else:
                namespace[f"d{index}"] = field.default
                fallback = f"d{index}"
            lines.append(f"    v = g({field.key!r})")
            lines.append("    if v is None:")
            lines.append(f"        s{index}(o, {fallback})")
            if check:
                lines.append("    else:")
                lines.append(f"        {check}")
                lines.append(f"        {store}")
            else:
                lines.append("    else:")
                lines.append(f"        {store}")
    lines.append("    return o")
    source = "\n".join(lines) + "\n"
    filename = f"<circleci_async fast reader {next(_counter)} for {cls.__name__}>"
    exec(compile(source, filename, "exec"), namespace)
    reader: Callable[[Any], Any] = namespace["read"]
    return reader


def _slot_setter(cls: type, name: str) -> Callable[[Any, Any], None]:
    descriptor = next((k.__dict__[name] for k in cls.__mro__ if name in k.__dict__), None)
    if not isinstance(descriptor, types.MemberDescriptorType):
        raise TypeError(f"{cls.__name__}.{name} is not a slot; models must be slotted")
    setter: Callable[[Any, Any], None] = descriptor.__set__
    return setter


# The tolerant reader.


def _read(value: Any, tp: Any, path: str, found: list[Deviation]) -> Any:
    """Read `value` as `tp`, listing departures in `found`; `_Wrong` when it cannot."""
    tp, optional = _split_optional(tp)
    if value is None:
        if optional:
            return None
        raise _Wrong("null")
    origin = get_origin(tp)
    if tp is Any or tp is object:
        return value
    if attrs.has(origin or tp):
        return _read_model(value, tp, path, found)
    if origin is list:
        if not isinstance(value, list):
            raise _Wrong(describe_value(value))
        (item,) = get_args(tp)
        items = []
        for element in value:
            try:
                items.append(_read(element, item, path + "[]", found))
            except _Wrong as wrong:
                found.append(Deviation(path + "[]", _describe_type(item), wrong.got))
        return items
    if origin is dict:
        if not isinstance(value, dict):
            raise _Wrong(describe_value(value))
        _, item = get_args(tp)
        result = {}
        for key, element in value.items():
            try:
                result[key] = _read(element, item, path + "{}", found)
            except _Wrong as wrong:
                found.append(Deviation(path + "{}", _describe_type(item), wrong.got))
        return result
    if origin in (Union, types.UnionType):
        best: tuple[list[Deviation], Any] | None = None
        for member in get_args(tp):
            trial: list[Deviation] = []
            try:
                result = _read(value, member, path, trial)
            except (_Wrong, _Identity):
                continue
            if best is None or len(trial) < len(best[0]):
                best = (trial, result)
        if best is None:
            raise _Wrong(describe_value(value))
        found.extend(best[0])
        return best[1]
    return _read_scalar(value, tp, path, found)


def _read_scalar(value: Any, tp: Any, path: str, found: list[Deviation]) -> Any:
    if tp is str:
        if isinstance(value, str):
            return value
    elif tp is bool:
        if isinstance(value, bool):
            return value
    elif tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
    elif tp is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
    elif tp is datetime:
        try:
            return _as_datetime(value)
        except _Miss:
            pass
    elif isinstance(tp, type) and issubclass(tp, Enum):
        if isinstance(value, str):
            known = tp._value2member_map_.get(value)
            if known is not None:
                return known
            if issubclass(tp, OpenEnum):
                found.append(Deviation(path, _describe_type(tp), describe_value(value)))
                return tp(value)
    else:
        raise TypeError(f"no decoding rule for {tp!r}")
    raise _Wrong(describe_value(value))


def _read_model(value: Any, tp: Any, path: str, found: list[Deviation]) -> Any:
    if not isinstance(value, dict):
        raise _Wrong(describe_value(value))
    cls = get_origin(tp) or tp
    arguments = {}
    for field in _fields(tp):
        here = f"{path}.{field.key}"
        raw = value.get(field.key, _MISSING)
        if field.alias is not None and field.alias in value:
            raw = _either_spelling(raw, value[field.alias], field, here, found)
        if raw is _MISSING or raw is None:
            got = "absent" if raw is _MISSING else "null"
            if field.identity and not field.optional:
                raise _Identity(f"{here} is {got}, and a {cls.__name__} cannot be read without it")
            if field.identity or field.expected:
                found.append(Deviation(here, f"{_describe_type(field.tp)} (required)", got))
            arguments[field.name] = None if field.identity else field.fallback()
            continue
        try:
            arguments[field.name] = _read(raw, field.tp, here, found)
        except _Wrong as wrong:
            if field.identity and not field.optional:
                raise _Identity(
                    f"{here} is {wrong.got} where the spec says {_describe_type(field.tp)}, "
                    f"and a {cls.__name__} cannot be read without it"
                ) from None
            found.append(Deviation(here, _describe_type(field.tp), wrong.got))
            arguments[field.name] = None if field.identity else field.fallback()
    return cls(**arguments)


def _either_spelling(raw: Any, other: Any, field: _Field, here: str, found: list[Deviation]) -> Any:
    """The value of a field sent under its other spelling too: the one present, else the spec's.

    The other spelling is a deviation that names it, unless real answers are known to use
    it. When both spellings carry different values, the spec's wins and the deviation says so.
    """
    expected = f"the key {field.key!r}"
    if raw is _MISSING or raw is None:
        if other is None:
            return raw
        if not field.known_alias:
            found.append(Deviation(here, expected, f"it spelled {field.alias!r}"))
        return other
    if other is not None and other != raw:
        found.append(
            Deviation(
                here,
                expected,
                f"both {field.key!r} and {field.alias!r} with different values "
                f"(the value of {field.key!r} was kept)",
            )
        )
    return raw


def _warn(operation: str, deviations: Sequence[Deviation]) -> None:
    for deviation in deviations:
        warnings.warn(deviation.describe(operation), SchemaDriftWarning, stacklevel=3)


def decode(
    data: Any, into: Any, operation: str, *, report: Report | None = None, path: str = "body"
) -> Any:
    """Read JSON `data` as `into` the tolerant way; see the module docstring.

    Departures from the spec go to `report` (by default each one is a `SchemaDriftWarning`).
    Raises `DecodeError` only when the top level has the wrong shape or an identity field is
    missing.
    """
    try:
        return fast_reader(into)(data)
    except Exception:
        pass
    found: list[Deviation] = []
    try:
        value = _read(data, into, path, found)
    except _Wrong as wrong:
        where = "the answer" if path == "body" else path
        raise DecodeError(
            operation, f"{where} is {wrong.got}, where the spec says {_describe_type(into)}"
        ) from None
    except _Identity as missing:
        raise DecodeError(operation, str(missing)) from None
    if found:
        (report or _warn)(operation, found)
    return value
