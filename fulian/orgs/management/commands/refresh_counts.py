"""Rebuild the per-organisation counts that city and county lists show as "about N"."""

from typing import Any

from django.core.management.base import BaseCommand

from fulian.orgs import counts


class Command(BaseCommand):
    help = 'Rebuild the per-organisation counts behind the "about N" of city and county lists.'

    def handle(self, *args: Any, **options: Any) -> None:
        for kind, total in counts.refresh().items():
            self.stdout.write(f"{kind}: {total} counted.")
