"""What every model shares: the model decorator, wire-name fields and open enums."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeAlias, TypeVar, dataclass_transform

import attrs

__all__ = ["EXPECTED", "EXPECTED_LIST", "JsonValue", "OpenEnum", "model", "wire"]

T = TypeVar("T")

JsonValue: TypeAlias = object
"""A field the spec leaves untyped: whatever JSON value came (str, int, float, bool, None,
list or dict), kept as it is."""


class _Expected:
    """Marks a field the spec requires but real answers may lack (see `EXPECTED`)."""

    def __init__(self, name: str, factory: Any) -> None:
        self._name = name
        self.factory = factory

    def __repr__(self) -> str:
        return self._name

    def field(self, wire_name: str | None = None) -> Any:
        metadata: dict[str, Any] = {"expected": True}
        if wire_name is not None:
            metadata["wire"] = wire_name
        if self.factory is None:
            return attrs.field(default=None, metadata=metadata)
        return attrs.field(factory=self.factory, metadata=metadata)


EXPECTED: Any = _Expected("EXPECTED", None)
"""Default of a field the spec requires, typed `X | None`: None when an answer lacks it.

Such a field is present in every answer that follows the spec; when one comes without it
(or with null), the decoder fills in None and reports the drift.
"""

EXPECTED_LIST: Any = _Expected("EXPECTED_LIST", list)
"""Like `EXPECTED`, for a list the spec requires: an empty list when an answer lacks it."""


def wire(name: str, default: Any = attrs.NOTHING) -> Any:
    """A field whose JSON key is not its Python name (`created-at` → `created_at`).

    Pass `default=` by keyword (`EXPECTED` too), so that type checkers see the field is
    optional.
    """
    if isinstance(default, _Expected):
        return default.field(name)
    return attrs.field(default=default, metadata={"wire": name})


@dataclass_transform(
    frozen_default=True, kw_only_default=True, field_specifiers=(attrs.field, wire)
)
def model(cls: type[T]) -> type[T]:
    """Decorator for response models: frozen, slotted, keyword-only attrs classes.

    Declared as a dataclass transform, so type checkers know the keyword-only constructor.
    Fields without a default are identity fields: an answer without them cannot be decoded.
    """
    for name, value in list(vars(cls).items()):
        if isinstance(value, _Expected):
            setattr(cls, name, value.field())
    return attrs.frozen(kw_only=True)(cls)


class OpenEnum(StrEnum):
    """A string enum that keeps values it does not know instead of failing.

    CircleCI adds statuses over time; an unknown one decodes to a member whose value is the
    string the server sent, which compares equal to that string like any other member.
    """

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = value.upper().replace("-", "_")
        member._value_ = value
        return member
