"""Scheduled pipelines and their timetables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .base import OpenEnum, model, wire
from .users import User

__all__ = ["AttributionActor", "Month", "Schedule", "Timetable", "Weekday"]


class Weekday(OpenEnum):
    """A day of the week, as schedules name them."""

    MON = "MON"
    TUE = "TUE"
    WED = "WED"
    THU = "THU"
    FRI = "FRI"
    SAT = "SAT"
    SUN = "SUN"


class Month(OpenEnum):
    """A month, as schedules name them."""

    JAN = "JAN"
    FEB = "FEB"
    MAR = "MAR"
    APR = "APR"
    MAY = "MAY"
    JUN = "JUN"
    JUL = "JUL"
    AUG = "AUG"
    SEP = "SEP"
    OCT = "OCT"
    NOV = "NOV"
    DEC = "DEC"


class AttributionActor(OpenEnum):
    """Whom scheduled pipelines are attributed to: the schedule's creator or the system."""

    CURRENT = "current"
    SYSTEM = "system"


@model
class Timetable:
    """When a schedule runs; also what `schedules.create()` and `schedules.update()` take.

    It runs `per_hour` times in each of `hours_of_day` (UTC), on the given days of the week
    or of the month, optionally only in some months; a timetable names `days_of_week`,
    `days_of_month` or both.
    """

    per_hour: int = wire("per-hour")
    hours_of_day: list[int] = wire("hours-of-day")
    days_of_week: list[Weekday] | None = wire("days-of-week", default=None)
    days_of_month: list[int] | None = wire("days-of-month", default=None)
    months: list[Month] | None = None


@model
class Schedule:
    """A schedule that triggers a project's pipelines."""

    id: str
    name: str
    timetable: Timetable
    project_slug: str = wire("project-slug")
    actor: User
    created_at: datetime = wire("created-at")
    updated_at: datetime = wire("updated-at")
    parameters: dict[str, Any]
    """The pipeline parameters each triggered pipeline gets."""
    description: str | None = None
