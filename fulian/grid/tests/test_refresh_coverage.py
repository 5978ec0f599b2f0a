"""``manage.py refresh_coverage``: the nightly catch-up of the coverage summary with the calendar."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from fulian.grid import coverage
from fulian.grid.models import CoverageCount, CoverageDay
from fulian.grid.tests.helpers import assign, executive
from fulian.households.models import Household
from fulian.households.tests.helpers import household

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("refresh_coverage", *args, stdout=out)
    return out.getvalue()


def test_at_midnight_an_assignment_that_starts_today_covers_its_households(world, clock):
    h = household(world, "huilong", "周一")
    tomorrow = coverage.today() + datetime.timedelta(days=1)
    assign(world, executive(world), world.org("huilong"), start_date=tomorrow)
    run()  # the first run of all counts the day
    assert run() == f"Coverage was already up to date for {coverage.today()}.\n"
    h.refresh_from_db()
    assert not h.covered
    clock.advance(minutes=24 * 60)
    assert run() == f"Coverage brought up to date for {tomorrow}.\n"
    h.refresh_from_db()
    assert h.covered
    assert CoverageDay.objects.get().day == tomorrow
    assert CoverageCount.objects.get(org=world.org("huilong")).covered == 1
    assert run() == f"Coverage was already up to date for {tomorrow}.\n"


def test_all_recounts_every_household_and_place(world):
    h = household(world, "huilong", "周一")
    # A flag and a summary row gone wrong (a write outside the services): --all puts them right.
    Household.objects.filter(pk=h.pk).update(covered=True)
    CoverageCount.objects.all().delete()
    out = run("--all")
    assert out == f"Coverage recounted for {coverage.today()}: 1 places.\n"
    h.refresh_from_db()
    assert not h.covered
    assert CoverageCount.objects.get(org=world.org("huilong")).households == 1
