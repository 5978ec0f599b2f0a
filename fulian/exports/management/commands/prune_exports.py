from typing import Any

from django.core.management.base import BaseCommand

from fulian.exports.services import prune


class Command(BaseCommand):
    help = (
        "Delete the files of exports made more than 24 hours ago (each new export does this "
        "too; run daily so that files do not wait for the next export)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Deleted the files of {prune()} exports older than 24 hours.")
