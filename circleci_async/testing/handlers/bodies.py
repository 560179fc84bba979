"""`Body`: a request's JSON object, read field by field; a field that misfits answers 400."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from ..api_context import ApiContext, ApiError

__all__ = ["Body"]

_SCALARS = (str, int, float, bool)


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__


class Body:
    """A JSON object whose fields are checked as they are read.

    A getter returns None for a field that is absent (or null), raises a 400 `ApiError`
    naming the field when it has the wrong type; the `need_*` getters also refuse absence.
    """

    def __init__(self, data: Mapping[str, Any], where: str = "") -> None:
        self.data = dict(data)
        """The object as sent."""
        self._where = where

    @classmethod
    async def read(cls, ctx: ApiContext, *, fields: Iterable[str] | None = None) -> Body:
        """The request's body, an object (an empty body is `{}`), holding only `fields`."""
        data = await ctx.json_body()
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise ApiError(400, "Request body must be a JSON object.")
        body = cls(data)
        if fields is not None:
            body.only(fields)
        return body

    def name(self, key: str) -> str:
        """The field's full name (`config_source.file_path`)."""
        return f"{self._where}.{key}" if self._where else key

    def only(self, fields: Iterable[str]) -> None:
        """Refuse any field not in `fields`."""
        unknown = sorted(set(self.data) - set(fields))
        if unknown:
            raise ApiError(400, f"Unexpected request body field: {self.name(unknown[0])}")

    def has(self, key: str) -> bool:
        """Whether the field is present and not null."""
        return self.data.get(key) is not None

    def _typed(self, key: str, kind: type | tuple[type, ...], what: str) -> Any:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            raise ApiError(400, f"{self.name(key)} must be {what}, not {_kind(value)}.")
        return value

    def _needed(self, key: str, value: Any) -> Any:
        if value is None:
            raise ApiError(400, f"{self.name(key)} is required.")
        return value

    def text(self, key: str, *, empty: bool = True) -> str | None:
        """A string field; an empty one only when `empty`."""
        value: str | None = self._typed(key, str, "a string")
        if value is not None and not empty and not value.strip():
            raise ApiError(400, f"{self.name(key)} must not be empty.")
        return value

    def need_text(self, key: str, *, empty: bool = False) -> str:
        """A required, non-empty (unless `empty`) string field."""
        value: str = self._needed(key, self.text(key, empty=empty))
        return value

    def flag(self, key: str) -> bool | None:
        """A boolean field."""
        value: bool | None = self._typed(key, bool, "true or false")
        return value

    def need_flag(self, key: str) -> bool:
        """A required boolean field."""
        value: bool = self._needed(key, self.flag(key))
        return value

    def choice(self, key: str, options: Collection[str]) -> str | None:
        """A string field holding one of `options`."""
        value = self.text(key)
        if value is not None and value not in options:
            allowed = ", ".join(sorted(options))
            raise ApiError(400, f"{self.name(key)} must be one of {allowed}; got {value!r}.")
        return value

    def need_choice(self, key: str, options: Collection[str]) -> str:
        """A required string field holding one of `options`."""
        value: str = self._needed(key, self.choice(key, options))
        return value

    def strings(self, key: str) -> list[str] | None:
        """An array of strings."""
        value: list[Any] | None = self._typed(key, list, "an array")
        if value is not None and not all(isinstance(item, str) for item in value):
            raise ApiError(400, f"{self.name(key)} must hold only strings.")
        return value

    def integers(self, key: str, low: int, high: int) -> list[int] | None:
        """An array of integers from `low` to `high`."""
        value: list[Any] | None = self._typed(key, list, "an array")
        if value is None:
            return None
        for item in value:
            if isinstance(item, bool) or not isinstance(item, int) or not low <= item <= high:
                raise ApiError(400, f"{self.name(key)} must hold integers from {low} to {high}.")
        return value

    def whole(self, key: str, low: int, high: int) -> int | None:
        """An integer from `low` to `high`."""
        value: int | None = self._typed(key, int, "an integer")
        if value is not None and not low <= value <= high:
            raise ApiError(400, f"{self.name(key)} must be from {low} to {high}.")
        return value

    def moment(self, key: str) -> datetime | None:
        """An RFC 3339 date-time string (a time without zone is taken as UTC)."""
        value = self.text(key)
        if value is None:
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise ApiError(400, f"{self.name(key)} must be an RFC 3339 date-time.") from None
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)

    def need_moment(self, key: str) -> datetime:
        """A required RFC 3339 date-time."""
        value: datetime = self._needed(key, self.moment(key))
        return value

    def mapping(self, key: str) -> dict[str, Any] | None:
        """A free-form object."""
        value: dict[str, Any] | None = self._typed(key, dict, "an object")
        return value

    def obj(self, key: str, *, fields: Iterable[str] | None = None) -> Body | None:
        """A nested object, holding only `fields` when given."""
        value = self.mapping(key)
        if value is None:
            return None
        nested = Body(value, self.name(key))
        if fields is not None:
            nested.only(fields)
        return nested

    def need_obj(self, key: str, *, fields: Iterable[str] | None = None) -> Body:
        """A required nested object."""
        value: Body = self._needed(key, self.obj(key, fields=fields))
        return value

    def parameters(self, key: str) -> dict[str, Any] | None:
        """Pipeline parameters: an object of strings, integers and booleans."""
        value = self.mapping(key)
        if value is not None and not all(
            isinstance(item, _SCALARS) and not isinstance(item, float) for item in value.values()
        ):
            raise ApiError(
                400, f"{self.name(key)} must map names to strings, integers or booleans."
            )
        return value
