"""Working days for 公示: weekdays that are not public holidays, plus the weekend days worked
instead (调休), from the maintained holiday calendar (``Holiday``; the shipped years are in
``data/holidays.csv``, more are added with ``manage.py load_holidays`` or by staff)."""

from __future__ import annotations

import csv
import datetime
from pathlib import Path
from typing import Any

from django.db import transaction

from fulian.campaigns.models import Holiday

SHIPPED = Path(__file__).resolve().parent / "data" / "holidays.csv"
# Enough to find the end of any 公示 (the longest holiday is nine days).
_SEARCH_DAYS = 120


def read_calendar(path: Path = SHIPPED) -> list[tuple[datetime.date, bool, str]]:
    """The days of a holiday file: ``day,workday,name`` rows below ``#`` comment lines."""
    with path.open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return [
        (datetime.date.fromisoformat(row["day"]), row["workday"].strip() in {"1", "true", "True"}, row["name"].strip())
        for row in csv.DictReader(lines)
    ]


@transaction.atomic
def load_calendar(days: list[tuple[datetime.date, bool, str]]) -> int:
    """Add or correct the given days; returns how many were written."""
    for day, workday, name in days:
        Holiday.objects.update_or_create(day=day, defaults={"workday": workday, "name": name})
    return len(days)


def years_known() -> set[int]:
    """The years the calendar holds (a year without any entry is not known: a warning shows)."""
    return {day.year for day in Holiday.objects.values_list("day", flat=True)}


def _exceptions(start: datetime.date, end: datetime.date) -> dict[datetime.date, bool]:
    return dict(Holiday.objects.filter(day__range=(start, end)).values_list("day", "workday"))


def is_working_day(day: datetime.date, exceptions: dict[datetime.date, bool] | None = None) -> bool:
    if exceptions is None:
        exceptions = _exceptions(day, day)
    if day in exceptions:
        return exceptions[day]
    return day.weekday() < 5


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The last day of a period of ``days`` working days beginning on ``start`` (counted if it is
    a working day): a 公示 posted on Monday 2026-09-28 for 5 working days runs to Friday
    10-09, the National Day holiday skipped."""
    if days < 1:
        return start
    exceptions = _exceptions(start, start + datetime.timedelta(days=_SEARCH_DAYS))
    day = start
    counted = 0
    while True:
        if is_working_day(day, exceptions):
            counted += 1
            if counted == days:
                return day
        day += datetime.timedelta(days=1)


def may_edit(user: Any) -> bool:
    """Staff who set campaigns up at the city (or above): the calendar serves every campaign."""
    from fulian.core.scoping import grants_for

    return any(g.level in ("province", "city") for g in grants_for(user, "campaigns.manage"))


@transaction.atomic
def day_set(*, actor: Any, day: datetime.date, workday: bool, name: str) -> Holiday:
    """Add or correct one day of the calendar (the city's campaign staff), audited: a wrong day
    moves the end of every 公示 that spans it."""
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    from fulian.audit.recorder import record

    if not may_edit(actor):
        raise PermissionDenied(_("You do not have permission to do this here."))
    holiday, created = Holiday.objects.update_or_create(day=day, defaults={"workday": workday, "name": name})
    record(
        "create" if created else "update",
        holiday,
        actor=actor,
        changes={"day": day.isoformat(), "workday": workday, "name": name},
    )
    return holiday
