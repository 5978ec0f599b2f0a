"""Bring the coverage summary up to date with the calendar: run nightly (deploy/systemd/
fulian-coverage.timer), just after midnight, so that the first reader of the day does not
wait for it."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fulian.grid import coverage
from fulian.grid.models import CoverageCount


class Command(BaseCommand):
    help = (
        "Bring the grid's coverage up to date with the calendar (assignments that started or ended, "
        "contacts that passed 90 days); with --all, recount every household and place. Run nightly."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all",
            action="store_true",
            dest="everything",
            help="recount every household and place, not only what the day changed",
        )

    def handle(self, *args: Any, everything: bool, **options: Any) -> None:
        today = coverage.today()
        if everything:
            coverage.refresh_all(on=today)
            self.stdout.write(f"Coverage recounted for {today}: {CoverageCount.objects.count()} places.")
        elif coverage.bring_up_to_date(on=today):
            self.stdout.write(f"Coverage brought up to date for {today}.")
        else:
            self.stdout.write(f"Coverage was already up to date for {today}.")
