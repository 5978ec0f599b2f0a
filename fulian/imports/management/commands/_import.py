"""The shared body of ``import_people`` and ``import_households`` (for IT staff loading a
county at once): the same checks as the pages, a report, and a write only with ``--commit``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from fulian.audit.recorder import audit_context
from fulian.imports import engine
from fulian.imports.problems import shown_all
from fulian.imports.work import lock_city
from fulian.orgs.models import Organisation


class ImportCommand(BaseCommand):
    kind = ""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="An .xlsx, .xls or .csv file")
        parser.add_argument("--org", required=True, help="Division code the rows belong under, e.g. 430223123")
        parser.add_argument("--json", action="store_true", help="Print one machine-readable JSON report")
        parser.add_argument("--commit", action="store_true", help="Write the valid rows (default: check only)")

    def handle(self, *args: Any, **options: Any) -> None:
        spec = engine.kind_named(self.kind)
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        org = Organisation.objects.filter(code=options["org"]).first()
        if org is None:
            raise CommandError(_("No organisation with code %(code)s.") % {"code": options["org"]})
        data = path.read_bytes()
        with audit_context(actor_name=f"manage.py import_{self.kind}"):
            evaluation = engine.evaluate(spec, data, path.name, org=org, actor=None)
            written = 0
            if options["commit"] and not evaluation.file_error and evaluation.valid:
                evaluation, written = engine.write(
                    spec,
                    data,
                    path.name,
                    org=org,
                    actor=None,
                    expected_sha256=evaluation.sha256,
                    prior=evaluation,
                    lock=lambda: lock_city(org),
                )
        report = {"kind": self.kind, "file": str(path), "org": org.code, **evaluation.report(), "imported": written}
        # In words, in the command's language, beside each code.
        report["problems"], report["notices"] = shown_all(report["problems"]), shown_all(report["notices"])
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=1))
        else:
            self._print(report)
        if evaluation.file_error:
            raise CommandError(evaluation.file_error)

    def _print(self, report: dict[str, Any]) -> None:
        self.stdout.write(
            _("%(file)s: %(rows)d rows, %(valid)d valid, %(bad)d with problems.")
            % {
                "file": report["file"],
                "rows": report["rows"],
                "valid": report["valid_rows"],
                "bad": report["rows_with_problems"],
            }
        )
        for p in report["problems"]:
            where = _("row %(row)d") % {"row": p["row"]}
            if p.get("name"):
                where += f" {p['name']}"
            if p["column"]:
                where += f" {p['column']}({p['header']})"
            self.stdout.write(f"  {where}: {p['message']}")
        for line in report["footer_rows"]:
            self.stdout.write("  " + _("row %(row)d: skipped, not a record: %(text)s") % line)
        for notice in report["notices"]:
            self.stdout.write(f"  {notice['message']}")
        if report["imported"]:
            self.stdout.write(self.style.SUCCESS(_("Imported %(n)d rows.") % {"n": report["imported"]}))
        elif report["valid_rows"]:
            self.stdout.write(_("Nothing written: add --commit to import the valid rows."))
