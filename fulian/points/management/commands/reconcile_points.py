"""Prove the points ledger exact (run daily: deploy/systemd/fulian-points.timer): every balance
equals the sum of its entries, every year's earnings the sum of that year's entries, every stock
level the sum of its movements. Prints the counts and every difference; exits 1 if there is any,
so that the timer's unit fails and the difference is seen (``systemctl --failed``, the journal)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fulian.orgs.models import Organisation
from fulian.points.reconciling import difference_rows
from fulian.points.services.reconcile import reconcile


class Command(BaseCommand):
    help = (
        "Check that every points balance and stock level equals the sum of its entries; print every "
        "difference and exit 1 if there is any. Run daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", default="", help="division code: check only this organisation's subtree")

    def handle(self, *args: Any, org: str, **options: Any) -> None:
        where = None
        if org:
            where = Organisation.objects.filter(code=org.strip()).first()
            if where is None:
                raise CommandError(f"No organisation with the division code {org!r}.")
        result = reconcile(org=where)
        scope = f"{where.display_name} ({where.code})" if where is not None else "all organisations"
        self.stdout.write(
            f"Checked {result.accounts} accounts, {result.entries} entries and {result.items} stocked items of {scope}."
        )
        if result.ok:
            self.stdout.write("No difference.")
            return
        for row in difference_rows(result.differences):
            self.stdout.write(
                f"DIFFERENCE {row.what} {row.which}: stored {row.stored}, sum of entries {row.summed} "
                f"({row.difference:+d})"
            )
        self.stdout.write(f"{len(result.differences)} difference(s).")
        raise SystemExit(1)
