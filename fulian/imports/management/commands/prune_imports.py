from typing import Any

from django.core.management.base import BaseCommand

from fulian.imports.services import prune


class Command(BaseCommand):
    help = (
        "Fail imports stalled past FULIAN_IMPORT_STALE_MINUTES (a worker killed or gone), cancel "
        "previews not imported within 24 hours, and delete the uploaded files of every ended import. "
        "Run daily (cron or a timer), beside prune_exports."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        done = prune()
        self.stdout.write(
            f"Failed {done['stale']} stalled imports, cancelled {done['expired']} previews not imported "
            f"within 24 hours, deleted the files of {done['files']} ended imports."
        )
