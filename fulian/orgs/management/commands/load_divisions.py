from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from fulian.audit.recorder import audit_context
from fulian.orgs.loader import SHIPPED_FILE, LoadError, read_china_division, read_flat
from fulian.orgs.services import divisions_load


class Command(BaseCommand):
    help = (
        "Load federation organisations from division codes (统计用区划代码). Without arguments, "
        "loads the Zhuzhou extract shipped with the project. With --from-dir and --code, loads "
        "a city or county from the china-division package's dist/ CSV files. Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--from-dir", type=Path, help="folder with china-division's cities/areas/streets/villages.csv"
        )
        parser.add_argument("--code", help="the city or county code to load from --from-dir, such as 430200 or 430223")
        parser.add_argument(
            "--file", type=Path, help="a flat extract in the shipped format (default: the Zhuzhou extract)"
        )

    def handle(self, *args: Any, from_dir: Path | None, code: str | None, file: Path | None, **options: Any) -> None:
        # A lone --code would otherwise be ignored and the whole shipped city loaded instead.
        if code and not from_dir:
            raise CommandError("--code goes with --from-dir (a china-division dist/ folder).")
        if from_dir and file:
            raise CommandError("Give either --file or --from-dir, not both.")
        if from_dir:
            if not code:
                raise CommandError("--from-dir needs --code (a city such as 430200 or a county such as 430223).")
            reading, source = read_china_division(from_dir, code), f"{from_dir}#{code}"
        else:
            path = file or SHIPPED_FILE
            reading, source = read_flat(path), str(path.name)
        try:
            with audit_context(actor_name="manage.py load_divisions"):
                result = divisions_load(reading, source=source)
        except LoadError as e:
            for problem in e.problems[:50]:
                self.stderr.write(str(problem))
            more = len(e.problems) - 50
            if more > 0:
                self.stderr.write(_("… and %(n)d more problems") % {"n": more})
            raise CommandError(
                _("Nothing was loaded: %(n)d problem(s) in %(source)s.") % {"n": len(e.problems), "source": source}
            ) from None
        self.stdout.write(
            _("Loaded %(source)s: %(created)d created, %(renamed)d renamed, %(moved)d moved, %(unchanged)d unchanged.")
            % {
                "source": source,
                "created": len(result.created),
                "renamed": len(result.renamed),
                "moved": len(result.moved),
                "unchanged": result.unchanged,
            }
        )
