"""``manage.py refresh_duty_counts``: write the summary of confirmed duty records by place,
month and work mode again from the records (after rows written in bulk, or to check it)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from fulian.duties import counting


class Command(BaseCommand):
    help = "Rebuild the summary of confirmed duty records by place, month and work mode."

    def handle(self, *args: Any, **options: Any) -> None:
        rows = counting.rebuild()
        self.stdout.write(f"{rows} summary rows written.")
