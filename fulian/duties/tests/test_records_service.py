"""A 执委's own records after recording: a waiting or returned one edited (a returned one goes
back to review), a confirmed one never; the day's 24 hours hold through edits."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from fulian.duties.services import records, review
from fulian.duties.tests import helpers as h
from fulian.grid import coverage
from fulian.grid.choices import RecordStatus
from fulian.grid.models import Contact
from fulian.households.tests.helpers import household
from fulian.testing.world import World

pytestmark = pytest.mark.django_db


def edit(actor: Any, record: Contact, **changes: Any) -> Contact:
    values: dict[str, Any] = {
        "work_mode": record.work_mode,
        "happened_on": record.happened_on,
        "half_hours": record.half_hours,
        "whom": record.whom,
        "location": record.location,
        "note": record.note,
    }
    return records.record_edit(actor=actor, record=record, **{**values, **changes})


@pytest.fixture
def her(world: World) -> Any:
    return h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"))


def test_she_edits_her_waiting_record_and_a_colleague_cannot(world: World, her: Any) -> None:
    made = h.record(world, her)
    edited = edit(her.account, made, half_hours=5, note="  走访  了两户 ")
    assert (edited.half_hours, edited.note, edited.status) == (5, "走访 了两户", RecordStatus.PENDING)
    colleague = h.zhiwei(world, "huilong", "李秀英", username="li_xiuying")
    with pytest.raises(ValidationError, match="only your own"):
        edit(colleague.account, made, note="我改的")
    made.refresh_from_db()
    assert made.note == "走访 了两户"


def test_an_edit_keeps_the_day_within_24_hours(world: World, her: Any) -> None:
    home = household(world, "huilong", "周建国")
    h.record(world, her, households=[home], half_hours=40)
    other = h.record(world, her, households=[home], half_hours=4)
    edit(her.account, other, half_hours=8)  # its own hours are not counted twice
    with pytest.raises(ValidationError) as error:
        edit(her.account, other, half_hours=9)
    assert list(error.value.message_dict) == ["half_hours"]
    yesterday = coverage.today() - datetime.timedelta(days=1)
    moved = edit(her.account, other, happened_on=yesterday, half_hours=30)
    assert (moved.happened_on, moved.half_hours) == (yesterday, 30)


def test_changing_the_households_moves_the_record_and_their_last_contact(world: World, her: Any) -> None:
    first, second = household(world, "huilong", "周一"), household(world, "huilong_group1", "周二")
    made = h.record(world, her, households=[first])
    edit(her.account, made, households=[second])
    made.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert made.org == second.org
    assert (first.last_contact_on, second.last_contact_on) == (None, made.happened_on)
    with pytest.raises(ValidationError) as error:
        edit(her.account, made, households=[household(world, "shucai", "钟建华")])
    assert list(error.value.message_dict) == ["households"]
    with pytest.raises(ValidationError) as empty:
        edit(her.account, made, households=[], whom="")
    assert list(empty.value.message_dict) == ["households"]


def test_a_returned_correction_sent_again_beside_a_newer_one_is_refused(world: World, her: Any) -> None:
    made = h.record(world, her)
    staff = world.user("xinshi_staff")
    review.record_confirm(actor=staff, record=made)
    first = h.record(world, her, supersedes=made, correction_reason="时长", half_hours=3)
    review.record_return(actor=staff, record=first, reason="不用改")
    h.record(world, her, supersedes=made, correction_reason="户", half_hours=2)
    with pytest.raises(ValidationError) as error:
        edit(her.account, first, note="再交一次")
    assert list(error.value.message_dict) == ["supersedes"]
    first.refresh_from_db()
    assert first.status == RecordStatus.RETURNED


def test_a_superseded_record_is_never_edited(world: World, her: Any) -> None:
    made = h.record(world, her)
    staff = world.user("xinshi_staff")
    review.record_confirm(actor=staff, record=made)
    fixed = h.record(world, her, supersedes=made, correction_reason="时长", half_hours=3)
    review.record_confirm(actor=staff, record=fixed)
    made.refresh_from_db()
    assert made.status == RecordStatus.SUPERSEDED
    assert not records.may_edit(her.account, made)
    with pytest.raises(ValidationError, match="make a correction"):
        edit(her.account, made, note="x")
