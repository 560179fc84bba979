"""What every model shares: the model decorator, wire-name fields and open enums."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeVar, dataclass_transform

import attrs

__all__ = ["OpenEnum", "model", "wire"]

T = TypeVar("T")


def wire(name: str, default: Any = attrs.NOTHING) -> Any:
    """A field whose JSON key is not its Python name (`created-at` → `created_at`).

    Pass `default=` by keyword, so that type checkers see the field is optional.
    """
    return attrs.field(default=default, metadata={"wire": name})


@dataclass_transform(
    frozen_default=True, kw_only_default=True, field_specifiers=(attrs.field, wire)
)
def model(cls: type[T]) -> type[T]:
    """Decorator for response models: frozen, slotted, keyword-only attrs classes.

    Declared as a dataclass transform, so type checkers know the keyword-only constructor.
    """
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
