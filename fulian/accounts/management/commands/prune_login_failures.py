import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Q
from django.utils import timezone

from fulian.accounts.models import LoginFailure


class Command(BaseCommand):
    help = (
        "Delete failed-login records older than --days (default 30); they only serve the "
        "15-minute lockout, and the audit log keeps every failure. Run daily (cron or a timer)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=30)

    def handle(self, *args: Any, days: int, **options: Any) -> None:
        cutoff = timezone.now() - datetime.timedelta(days=days)
        deleted, _ = (
            LoginFailure.objects.filter(at__lt=cutoff)
            .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=timezone.now()))
            .delete()
        )
        self.stdout.write(f"Deleted {deleted} failed-login records older than {days} days.")
