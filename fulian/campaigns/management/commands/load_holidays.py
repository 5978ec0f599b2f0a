"""Load or correct the holiday calendar from a ``day,workday,name`` CSV file (UTF-8), such as
the shipped ``fulian/campaigns/data/holidays.csv`` or next year's notice typed up by staff."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from fulian.campaigns.holidays import SHIPPED, load_calendar, read_calendar


class Command(BaseCommand):
    help = "Load public holidays and worked weekend days (调休) for the 公示 working-day count."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", nargs="?", default=str(SHIPPED), help="CSV file: day,workday,name")

    def handle(self, *args: Any, path: str, **options: Any) -> None:
        written = load_calendar(read_calendar(Path(path)))
        self.stdout.write(f"{written} days loaded.")
