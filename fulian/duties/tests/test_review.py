"""Reviewing duty records: the level above confirms or returns; nobody reviews her own; a
confirmed record is locked and corrected by a new record that supersedes it."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from fulian.accounts.models import RoleGrant
from fulian.core.scoping import forget_grants
from fulian.duties.services import records, review
from fulian.duties.tests import helpers as h
from fulian.grid import coverage
from fulian.grid.choices import RecordStatus
from fulian.grid.models import Contact
from fulian.households.tests.helpers import household
from fulian.people.choices import PostKind
from fulian.people.services import post_end

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


def test_staff_never_confirm_their_own_federations_chair_or_vice_chairs(world) -> None:
    chair = h.zhiwei(world, "xinshi", "罗春兰", kind=PostKind.CHAIR)
    vice = h.zhiwei(world, "xinshi", "谭秋菊", kind=PostKind.PART_TIME_VICE_CHAIR)
    member = h.zhiwei(world, "xinshi", "刘冬梅")
    theirs = [h.record(world, who, households=[household(world, "huilong", "周建国")]) for who in (chair, vice)]
    hers = h.record(world, member, households=[household(world, "huilong", "周二")])
    staff = world.user("xinshi_staff")
    assert list(review.review_queue(staff)) == [hers]
    for record in theirs:
        with pytest.raises(ValidationError, match="level above her"):
            review.record_confirm(actor=staff, record=record)
    # The county's staff do.
    assert set(review.review_queue(world.user("youxian_admin"))) == {*theirs, hers}


def test_a_vice_chair_reviews_her_villages_members_but_not_her_fellow_leaders(world) -> None:
    chair = h.zhiwei(world, "huilong", "刘春花", kind=PostKind.CHAIR)
    vice = h.zhiwei(world, "huilong", "陈秀兰", username="chen_xiulan", kind=PostKind.PART_TIME_VICE_CHAIR)
    member = h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"))
    mine = h.record(world, member)
    h.record(world, chair)
    assert list(review.review_queue(acct(vice))) == [mine]


def test_a_chairs_reach_ends_with_her_post(world) -> None:
    chair = h.zhiwei(world, "huilong", "刘春花", username="liu_chunhua", kind=PostKind.CHAIR)
    member = h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"))
    waiting = h.record(world, member)
    assert review.reviewable(acct(chair), waiting)
    post_end(actor=world.user("city_admin"), post=chair.posts.get(), on=coverage.today())
    assert not review.reviewable(acct(chair), waiting)
    assert not review.review_queue(acct(chair)).exists()
    with pytest.raises(ValidationError, match="level above her"):
        review.record_confirm(actor=acct(chair), record=waiting)
    waiting.refresh_from_db()
    assert waiting.status == RecordStatus.PENDING


def test_a_chair_reviews_nothing_beyond_her_accounts_reach(world) -> None:
    chair = h.zhiwei(world, "huilong", "刘春花", username="liu_chunhua", kind=PostKind.CHAIR)
    member = h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"))
    waiting = h.record(world, member)
    RoleGrant.objects.filter(user=acct(chair)).delete()
    acct(chair).refresh_from_db()
    forget_grants(acct(chair))
    assert not review.reviewable(acct(chair), waiting)


def test_a_record_of_an_executive_member_of_another_subtree_is_not_reviewable(world) -> None:
    # The city's administrator records for a 炎陵县 执委 a visit in 回龙村: 新市镇's staff see the
    # record (it is placed in their village) but she is not theirs to review.
    far = h.zhiwei(world, "shucai", "钟桂兰")
    made = h.record(world, far, actor=world.user("city_admin"), households=[household(world, "huilong", "周建国")])
    staff = world.user("xinshi_staff")
    assert not review.reviewable(staff, made)
    assert not review.review_queue(staff).exists()
    assert review.reviewable(world.user("yanling_admin"), made) is False  # placed outside 炎陵县
    assert review.reviewable(world.user("city_admin"), made) is False  # she entered it
    chair = h.zhiwei(world, "huilong", "刘春花", username="liu_chunhua", kind=PostKind.CHAIR)
    assert not review.reviewable(acct(chair), made)


def test_a_returned_record_is_no_households_last_contact_and_sent_again_it_is(world) -> None:
    member = h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"))
    home = household(world, "huilong", "周建国")
    earlier = h.record(world, member, households=[home], on=coverage.today() - datetime.timedelta(days=5))
    latest = h.record(world, member, households=[home])
    home.refresh_from_db()
    assert home.last_contact_on == coverage.today()
    review.record_return(actor=world.user("xinshi_staff"), record=latest, reason="照片看不清")
    home.refresh_from_db()
    assert home.last_contact_on == earlier.happened_on
    records.record_edit(
        actor=acct(member),
        record=latest,
        work_mode=h.mode(),
        happened_on=latest.happened_on,
        half_hours=latest.half_hours,
        whom="",
        location="",
        note="补了说明",
    )
    latest.refresh_from_db()
    home.refresh_from_db()
    assert (latest.status, latest.return_reason, latest.reviewed_by) == (RecordStatus.PENDING, "照片看不清", None)
    assert home.last_contact_on == coverage.today()


def test_a_correction_pair_counts_once_and_the_old_one_is_no_last_contact(world) -> None:
    member = h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"))
    home, other = household(world, "huilong", "周建国"), household(world, "huilong", "周二")
    first = h.record(world, member, households=[home], half_hours=20)
    staff = world.user("xinshi_staff")
    review.record_confirm(actor=staff, record=first)
    # Until the correction is confirmed, the first is what counts (and both hold the day).
    fixed = h.record(world, member, households=[other], half_hours=22, supersedes=first, correction_reason="户选错了")
    assert list(Contact.objects.counted()) == [first]
    with pytest.raises(ValidationError, match="24 hours"):
        h.record(world, member, households=[home], half_hours=8)
    review.record_confirm(actor=staff, record=fixed)
    assert list(Contact.objects.counted()) == [fixed]
    assert sum(Contact.objects.counted().values_list("half_hours", flat=True)) == 22
    home.refresh_from_db()
    assert home.last_contact_on is None
    # A returned correction frees the record for another.
    second = h.record(world, member, supersedes=fixed, correction_reason="时长", half_hours=2, households=[other])
    review.record_return(actor=staff, record=second, reason="不用改")
    third = h.record(world, member, supersedes=fixed, correction_reason="时长", half_hours=2, households=[other])
    assert third.supersedes == fixed


def test_bulk_confirm_confirms_what_waits_and_names_the_rest(world) -> None:
    member = h.zhiwei(world, "huilong", "周桂姣", account=world.user("huilong_zhiwei"))
    home = household(world, "huilong", "周建国")
    waiting = [h.record(world, member, households=[home]) for _ in range(2)]
    far = h.record(world, h.zhiwei(world, "shucai", "钟桂兰"))
    confirmed, problems = review.records_confirm(
        actor=world.user("xinshi_staff"), ids=[*[r.pk for r in waiting], far.pk]
    )
    assert confirmed == 2
    assert problems == [f"Record {far.pk} is not waiting for your review."]
    again, problems = review.records_confirm(actor=world.user("xinshi_staff"), ids=[waiting[0].pk])
    assert (again, len(problems)) == (0, 1)


def acct(who: Any) -> Any:
    """Her account (the personas' are set)."""
    return who.account
