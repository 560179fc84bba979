"""The `schedules` service."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import checks as check
from ..endpoints import Endpoint
from ..errors import InvalidArgumentError
from ..models import AttributionActor, Message, Schedule, Timetable
from ..pagination import Paginator
from .base import Service, implements

__all__ = ["SchedulesService"]

LIST = Endpoint("listSchedulesForProject", "GET", "/project/{project-slug}/schedule")
CREATE = Endpoint("createSchedule", "POST", "/project/{project-slug}/schedule")
GET = Endpoint("getScheduleById", "GET", "/schedule/{schedule-id}")
UPDATE = Endpoint("updateSchedule", "PATCH", "/schedule/{schedule-id}")
DELETE = Endpoint("deleteScheduleById", "DELETE", "/schedule/{schedule-id}")


def _schedule_path(schedule_id: str) -> dict[str, str]:
    return {"schedule-id": check.format_path_id(schedule_id, name="schedule_id")}


def _timetable(timetable: object, *, optional: bool = False) -> dict[str, Any] | None:
    """A timetable as JSON; it must name days of the week or of the month."""
    data: dict[str, Any] | None = check.record(timetable, Timetable, "timetable", optional=optional)
    if data is None:
        return None
    if not 1 <= data["per-hour"] <= 60:
        raise InvalidArgumentError(f"timetable.per_hour must be 1 to 60, got {data['per-hour']}")
    if "days-of-week" not in data and "days-of-month" not in data:
        raise InvalidArgumentError("timetable needs days_of_week or days_of_month")
    return data


def _parameters(parameters: object, *, optional: bool = False) -> dict[str, Any] | None:
    """Pipeline parameters of a schedule; they must hold `branch` or `tag`."""
    checked = check.pipeline_parameters(parameters, optional=optional)
    if checked is not None and "branch" not in checked and "tag" not in checked:
        raise InvalidArgumentError("parameters must contain 'branch' or 'tag'")
    return checked


class SchedulesService(Service):
    """Schedules: pipelines triggered on a timetable."""

    name = "schedules"

    @implements(LIST)
    def list(self, project_slug: str, *, page_token: str | None = None) -> Paginator[Schedule]:
        """The schedules of a project."""
        return self._paginate(
            LIST,
            Schedule,
            path={"project-slug": check.validate_project_slug(project_slug)},
            page_token=page_token,
        )

    @implements(CREATE)
    async def create(
        self,
        project_slug: str,
        *,
        name: str,
        timetable: Timetable,
        attribution_actor: AttributionActor | str,
        parameters: Mapping[str, Any],
        description: str | None = None,
        idempotent: bool | None = None,
    ) -> Schedule:
        """Create a schedule; `parameters` must name the `branch` or `tag` to build."""
        path = {"project-slug": check.validate_project_slug(project_slug)}
        body = check.drop_none(
            {
                "name": check.text(name, "name"),
                "timetable": _timetable(timetable),
                "attribution-actor": check.member(
                    attribution_actor, AttributionActor, "attribution_actor"
                ),
                "parameters": _parameters(parameters),
                "description": check.text(description, "description", optional=True, empty=True),
            }
        )
        return await self._call(CREATE, Schedule, path=path, body=body, idempotent=idempotent)

    @implements(GET)
    async def get(self, schedule_id: str) -> Schedule:
        """A schedule by id."""
        return await self._call(GET, Schedule, path=_schedule_path(schedule_id))

    @implements(UPDATE)
    async def update(
        self,
        schedule_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        timetable: Timetable | None = None,
        attribution_actor: AttributionActor | str | None = None,
        parameters: Mapping[str, Any] | None = None,
        idempotent: bool | None = None,
    ) -> Schedule:
        """Change the given fields of a schedule; the others stay as they are."""
        path = _schedule_path(schedule_id)
        body = check.drop_none(
            {
                "name": check.text(name, "name", optional=True),
                "description": check.text(description, "description", optional=True, empty=True),
                "timetable": _timetable(timetable, optional=True),
                "attribution-actor": check.member(
                    attribution_actor, AttributionActor, "attribution_actor", optional=True
                ),
                "parameters": _parameters(parameters, optional=True),
            }
        )
        return await self._call(UPDATE, Schedule, path=path, body=body, idempotent=idempotent)

    @implements(DELETE)
    async def delete(self, schedule_id: str) -> Message:
        """Delete a schedule."""
        return await self._call(DELETE, Message, path=_schedule_path(schedule_id))
