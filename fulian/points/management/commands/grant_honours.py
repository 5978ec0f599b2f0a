"""``manage.py grant_honours --year 2026``: give the year's 礼遇褒奖 of every scheme (or of the
scheme of ``--org``) to those at the top of each organisation or above a threshold. Run once the
year has closed; safe to run again (an honour is given once)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fulian.grid import coverage
from fulian.points.models import Scheme
from fulian.points.services.honours import honours_grant


class Command(BaseCommand):
    help = "Give the year's honours (礼遇褒奖) of the points schemes; safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, help="The year (last year if not given).")
        parser.add_argument("--org", default="", help="Only the scheme of this organisation (its division code).")

    def handle(self, *args: Any, **options: Any) -> None:
        this_year = coverage.today().year
        year = options["year"] or this_year - 1
        if not 2000 <= year <= this_year:
            raise CommandError(f"--year must be from 2000 to {this_year}, not {year}.")
        scheme = None
        if options["org"]:
            scheme = Scheme.objects.filter(org__code=options["org"]).first()
            if scheme is None:
                raise CommandError(f"No points scheme kept by the organisation {options['org']}.")
        given = honours_grant(year=year, scheme=scheme)
        self.stdout.write(f"{given} honours given for {year}.")
