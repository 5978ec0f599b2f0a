"""Reviewing duty records: the level above confirms or returns; nobody reviews her own; a
confirmed record is locked and corrected by a new record that supersedes it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from fulian.duties.services import review
from fulian.duties.tests import helpers as h
from fulian.grid.choices import RecordStatus
from fulian.grid.models import Contact
from fulian.people.choices import PostKind

pytestmark = pytest.mark.django_db


def test_a_village_chair_confirms_her_villages_member_and_township_staff_confirm_the_chair(world) -> None:
    member = h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"))
    chair = h.zhiwei(world, "huilong", "刘春花", username="liu_chunhua", kind=PostKind.CHAIR)
    chair_user = world.user("liu_chunhua")
    mine = h.record(world, member)
    hers = h.record(world, chair)
    assert list(review.review_queue(chair_user)) == [mine]
    assert set(review.review_queue(world.user("xinshi_staff"))) == {mine, hers}
    review.record_confirm(actor=chair_user, record=mine)
    review.record_confirm(actor=world.user("xinshi_staff"), record=hers)
    assert set(Contact.objects.values_list("status", flat=True)) == {RecordStatus.CONFIRMED}


def test_nobody_confirms_her_own_record_and_a_second_confirmation_changes_nothing(world) -> None:
    chair = h.zhiwei(world, "huilong", "刘春花", username="liu_chunhua", kind=PostKind.CHAIR)
    chair_user = world.user("liu_chunhua")
    own = h.record(world, chair)
    with pytest.raises(ValidationError, match="her own"):
        review.record_confirm(actor=chair_user, record=own)
    review.record_confirm(actor=world.user("xinshi_staff"), record=own)
    with pytest.raises(ValidationError, match="already"):
        review.record_confirm(actor=world.user("youxian_admin"), record=own)


def test_a_correction_supersedes_the_confirmed_record_once_confirmed(world) -> None:
    member = h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"))
    first = h.record(world, member, half_hours=2)
    review.record_confirm(actor=world.user("xinshi_staff"), record=first)
    fixed = h.record(world, member, half_hours=4, supersedes=first, correction_reason="时长记错了")
    review.record_confirm(actor=world.user("xinshi_staff"), record=fixed)
    first.refresh_from_db()
    assert first.status == RecordStatus.SUPERSEDED
    assert list(Contact.objects.counted()) == [fixed]


def test_a_double_tap_makes_one_record_and_a_day_holds_at_most_24_hours(world) -> None:
    import uuid

    member = h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"))
    key = uuid.uuid4()
    assert h.record(world, member, client_key=key) == h.record(world, member, client_key=key)
    h.record(world, member, half_hours=40)
    with pytest.raises(ValidationError, match="24 hours"):
        h.record(world, member, half_hours=8)
