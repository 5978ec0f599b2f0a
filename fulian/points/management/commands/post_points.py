"""Post the points not yet posted (run daily: deploy/systemd/fulian-points.timer): confirmed duty
records and standing awards whose entries are missing (a receiver that failed, a scheme adopted
after the deed, a year's backlog on first setup). Idempotent: what is posted is skipped by its
key, so a rerun posts 0."""

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fulian.points.services.earning import backlog


def _day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--since takes a day as YYYY-MM-DD, not {text!r}.") from None


class Command(BaseCommand):
    help = "Post the points of confirmed duty records and awards not yet posted (safe to rerun). Run daily."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", default="", help="only deeds on or after this day (YYYY-MM-DD)")

    def handle(self, *args: Any, since: str, **options: Any) -> None:
        posted = backlog(since=_day(since) if since else None)
        self.stdout.write(f"Posted {posted} entries.")
