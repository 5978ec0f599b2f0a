"""The summary of confirmed records by place, month and work mode (``ModeMonth``), kept exact
inside the transaction of every change of what counts: a record confirmed (+1), a confirmed
record superseded by its correction (−1). ``rebuild`` writes it again from the records."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Sum
from django.db.models.functions import TruncMonth

from fulian.duties.models import ModeMonth
from fulian.grid.choices import RecordStatus
from fulian.grid.models import Contact


def _month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def count(record: Contact, sign: int) -> None:
    """Add (``sign`` 1) or take away (−1) one confirmed record in the summary."""
    month = _month(record.happened_on)
    key: dict[str, Any] = {"org_id": record.org_id, "month": month, "work_mode_id": record.work_mode_id}
    change = {"records": F("records") + sign, "half_hours": F("half_hours") + sign * record.half_hours}
    if ModeMonth.objects.filter(**key).update(**change):
        return
    row = ModeMonth(month=month, work_mode_id=record.work_mode_id, records=sign, half_hours=sign * record.half_hours)
    row.place_beside(record)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        # Another confirmation made the row meanwhile: add to it.
        ModeMonth.objects.filter(**key).update(**change)


@transaction.atomic
def rebuild() -> int:
    """The whole summary again from the confirmed records (one grouped query); the rows made."""
    ModeMonth.objects.all().delete()
    grouped = (
        Contact.objects.filter(status=RecordStatus.CONFIRMED)
        .annotate(month=TruncMonth("happened_on"))
        .order_by()
        .values("org_id", "city_id", "county_id", "township_id", "village_id", "group_id", "month", "work_mode_id")
        .annotate(records=Count("pk"), half_hours=Sum("half_hours"))
    )
    rows = [
        ModeMonth(
            org_id=g["org_id"],
            city_id=g["city_id"],
            county_id=g["county_id"],
            township_id=g["township_id"],
            village_id=g["village_id"],
            group_id=g["group_id"],
            month=g["month"].date() if isinstance(g["month"], datetime.datetime) else g["month"],
            work_mode_id=g["work_mode_id"],
            records=g["records"],
            half_hours=g["half_hours"] or 0,
        )
        for g in grouped.iterator(chunk_size=5000)
    ]
    ModeMonth.objects.bulk_create(rows, batch_size=5000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE duties_modemonth")
    return len(rows)
