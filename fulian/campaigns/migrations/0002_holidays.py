"""The shipped holiday calendar (data/holidays.csv): 公示 counts working days from the start."""

from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from fulian.campaigns.holidays import SHIPPED, read_calendar

    holiday = apps.get_model("campaigns", "Holiday")
    holiday.objects.bulk_create(
        [holiday(day=day, workday=workday, name=name) for day, workday, name in read_calendar(SHIPPED)],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
