"""`Secret`: a holder for a token, a signing secret or a password that never shows its value.

Not in a repr, a str, an f-string, a log record, `vars()` (the value sits in a slot) or a
pickle; a traceback with locals shows `Secret('***')`. Every object of the library that keeps
a secret keeps it in one, and reveals it only where it is sent.
"""

from __future__ import annotations

from typing import NoReturn

__all__ = ["Secret"]


class Secret:
    """Wraps a secret string; only `reveal()` gives the value (for an auth header, a MAC)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself."""
        return self._value

    def __copy__(self) -> Secret:
        return self

    def __deepcopy__(self, memo: object) -> Secret:
        return self

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled")
