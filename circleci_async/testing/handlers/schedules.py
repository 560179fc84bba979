"""Handlers of the Schedule tag: a project's scheduled pipelines.

A schedule attributed to `current` is attributed to the token's user; one attributed to
`system` to CircleCI's scheduling actor.
"""

from __future__ import annotations

from typing import Any

from ..api_context import ApiContext, ApiError
from ..project_config_records import ScheduleRecord
from ..records import UserRecord
from ..renderers import schedule_json
from ..replies import Reply
from .bodies import Body
from .lookups import found

__all__ = [
    "SYSTEM_ACTOR",
    "create_schedule",
    "delete_schedule",
    "get_schedule",
    "list_schedules_for_project",
    "update_schedule",
]

SYSTEM_ACTOR = UserRecord(
    id="00000000-0000-4000-8000-000000000000",
    login="system-actor",
    name="Scheduled Pipelines",
    avatar_url=None,
)
"""Whom pipelines of a schedule attributed to `system` are triggered by."""
_DAYS = frozenset({"MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"})
_MONTHS = frozenset(
    {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}
)
_TIMETABLE = ("per-hour", "hours-of-day", "days-of-week", "days-of-month", "months")
_FIELDS = ("name", "description", "timetable", "attribution-actor", "parameters")
_ACTORS = frozenset({"current", "system"})


def _members(body: Body, key: str, allowed: frozenset[str]) -> list[str] | None:
    values = body.strings(key)
    if values is not None and not set(values) <= allowed:
        raise ApiError(400, f"timetable.{key} holds an unknown value.")
    return values


def _timetable(body: Body) -> dict[str, Any]:
    """A checked timetable: runs per hour, hours, and days of the week or of the month."""
    table = body.need_obj("timetable", fields=_TIMETABLE)
    checked: dict[str, Any] = {
        "per-hour": table.whole("per-hour", 1, 60),
        "hours-of-day": table.integers("hours-of-day", 0, 23),
        "days-of-week": _members(table, "days-of-week", _DAYS),
        "days-of-month": table.integers("days-of-month", 1, 31),
        "months": _members(table, "months", _MONTHS),
    }
    if checked["per-hour"] is None or not checked["hours-of-day"]:
        raise ApiError(400, "timetable needs per-hour and hours-of-day.")
    if not checked["days-of-week"] and not checked["days-of-month"]:
        raise ApiError(400, "timetable needs days-of-week or days-of-month.")
    return {key: value for key, value in checked.items() if value is not None}


def _parameters(body: Body) -> dict[str, Any]:
    parameters = body.parameters("parameters")
    if parameters is None or not ({"branch", "tag"} & set(parameters)):
        raise ApiError(400, "parameters must name the branch or tag to build.")
    return parameters


def _actor(ctx: ApiContext, attribution: str) -> UserRecord:
    return ctx.state.user if attribution == "current" else SYSTEM_ACTOR


def _schedule(ctx: ApiContext) -> ScheduleRecord:
    return found(ctx.state.schedules.get(ctx.params["schedule-id"]), "Schedule")


async def list_schedules_for_project(ctx: ApiContext) -> Reply:
    """GET /project/{project-slug}/schedule, oldest first."""
    slug = ctx.project().slug
    schedules = [item for item in ctx.state.schedules.values() if item.project_slug == slug]
    return ctx.page(schedules, schedule_json)


async def create_schedule(ctx: ApiContext) -> Reply:
    """POST /project/{project-slug}/schedule: 201; names are unique within a project."""
    project = ctx.project()
    body = await Body.read(ctx, fields=_FIELDS)
    name = body.need_text("name")
    if any(
        item.project_slug == project.slug and item.name == name
        for item in ctx.state.schedules.values()
    ):
        raise ApiError(409, f"A schedule named {name!r} already exists.")
    attribution = body.need_choice("attribution-actor", _ACTORS)
    now = ctx.state.now()
    schedule = ScheduleRecord(
        id=ctx.state.new_id(),
        project_slug=project.slug,
        name=name,
        description=body.text("description"),
        timetable=_timetable(body),
        attribution_actor=attribution,
        parameters=_parameters(body),
        actor=_actor(ctx, attribution),
        created_at=now,
        updated_at=now,
    )
    ctx.state.schedules[schedule.id] = schedule
    return Reply.json(201, schedule_json(schedule))


async def get_schedule(ctx: ApiContext) -> Reply:
    """GET /schedule/{schedule-id}."""
    return Reply.json(200, schedule_json(_schedule(ctx)))


async def update_schedule(ctx: ApiContext) -> Reply:
    """PATCH /schedule/{schedule-id}: change the fields given."""
    schedule = _schedule(ctx)
    body = await Body.read(ctx, fields=_FIELDS)
    if body.has("name"):
        schedule.name = body.need_text("name")
    if "description" in body.data:
        schedule.description = body.text("description")
    if body.has("timetable"):
        schedule.timetable = _timetable(body)
    if body.has("attribution-actor"):
        schedule.attribution_actor = body.need_choice("attribution-actor", _ACTORS)
        schedule.actor = _actor(ctx, schedule.attribution_actor)
    if body.has("parameters"):
        schedule.parameters = _parameters(body)
    schedule.updated_at = ctx.state.now()
    return Reply.json(200, schedule_json(schedule))


async def delete_schedule(ctx: ApiContext) -> Reply:
    """DELETE /schedule/{schedule-id}."""
    del ctx.state.schedules[_schedule(ctx).id]
    return Reply.json(200, {"message": "Schedule deleted."})
