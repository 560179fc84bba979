"""Scheduled pipelines and their timetables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .base import EXPECTED, EXPECTED_LIST, OpenEnum, model, wire
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

    per_hour: int | None = wire("per-hour", default=EXPECTED)
    hours_of_day: list[int] = wire("hours-of-day", default=EXPECTED_LIST)
    days_of_week: list[Weekday] | None = wire("days-of-week", default=None)
    days_of_month: list[int] | None = wire("days-of-month", default=None)
    months: list[Month] | None = None


@model
class Schedule:
    """A schedule that triggers a project's pipelines."""

    id: str
    name: str | None = EXPECTED
    timetable: Timetable | None = EXPECTED
    project_slug: str | None = wire("project-slug", default=EXPECTED)
    actor: User | None = EXPECTED
    created_at: datetime | None = wire("created-at", default=EXPECTED)
    updated_at: datetime | None = wire("updated-at", default=EXPECTED)
    parameters: dict[str, Any] | None = EXPECTED
    """The pipeline parameters each triggered pipeline gets."""
    description: str | None = None
