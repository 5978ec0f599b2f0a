"""The summary of confirmed records by place, month and work mode stays equal to the records:
a confirmation adds one, a correction confirmed moves the count to the new record, a return
adds nothing, and a rebuild from the records gives the same rows."""

from __future__ import annotations

import datetime

import pytest

from fulian.duties import counting
from fulian.duties.models import ModeMonth
from fulian.duties.services import review
from fulian.duties.tests import helpers as h
from fulian.grid import coverage

pytestmark = pytest.mark.django_db


def summary() -> set[tuple[int, datetime.date, int | None, int, int]]:
    return {
        (row.org_id, row.month, row.work_mode_id, row.records, row.half_hours)
        for row in ModeMonth.objects.all()
        if row.records or row.half_hours
    }


def test_the_summary_follows_confirmations_corrections_and_returns(world) -> None:
    member = h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"))
    staff = world.user("xinshi_staff")
    today = coverage.today()
    first = h.record(world, member, half_hours=2)
    second = h.record(world, member, half_hours=3, work_mode="政策宣讲")
    returned = h.record(world, member, half_hours=1)
    review.record_confirm(actor=staff, record=first)
    review.record_confirm(actor=staff, record=second)
    review.record_return(actor=staff, record=returned, reason="没写清楚")
    assert sum(row.records for row in ModeMonth.objects.all()) == 2
    fixed = h.record(world, member, half_hours=4, supersedes=first, correction_reason="时长记错了")
    review.record_confirm(actor=staff, record=fixed)
    assert sum(row.records for row in ModeMonth.objects.all()) == 2
    assert sum(row.half_hours for row in ModeMonth.objects.all()) == 7
    incremental = summary()
    assert counting.rebuild() == len(incremental)
    assert summary() == incremental
    assert {month for _org, month, *_rest in incremental} == {today.replace(day=1)}
