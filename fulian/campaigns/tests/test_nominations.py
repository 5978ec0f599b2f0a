"""Nominations: the public's, the federation's, screening, and what is refused."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fulian.campaigns.choices import NominationStatus
from fulian.campaigns.models import Award, Entry, Nomination
from fulian.campaigns.services import nominations
from fulian.campaigns.tests import helpers as h

pytestmark = pytest.mark.django_db


def _public(world, campaign, **kwargs):
    values = {"village": world.org("huilong"), "name": "钟桃华", "reason": "庭院整洁", "phone": "13800138000", **kwargs}
    return nominations.nomination_public(campaign=campaign, **values)


def test_the_same_phone_nominating_the_same_household_twice_is_refused(world):
    campaign = h.campaign(world)
    _public(world, campaign)
    with pytest.raises(ValidationError, match="already nominated"):
        _public(world, campaign, reason="再推荐一次")
    _public(world, campaign, phone="13800138009")
    assert Nomination.objects.filter(campaign=campaign).count() == 2


def test_a_public_nomination_outside_the_campaign_or_after_it_closed_is_refused(world):
    campaign = h.campaign(world, "youxian")
    with pytest.raises(ValidationError, match="Choose a village of"):
        _public(world, campaign, village=world.org("shucai"))
    campaign.nominations_until = datetime.date(2020, 1, 1)
    campaign.save()
    with pytest.raises(ValidationError, match="closed"):
        _public(world, campaign)


def test_a_bad_phone_or_a_long_reason_names_the_field(world):
    campaign = h.campaign(world)
    with pytest.raises(ValidationError) as raised:
        _public(world, campaign, phone="12345")
    assert "phone" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        _public(world, campaign, reason="好" * 301)
    assert "reason" in raised.value.message_dict


def test_screening_accepts_merges_and_rejects(world):
    campaign = h.campaign(world)
    staff = world.user("xinshi_staff")
    first, second = _public(world, campaign), _public(world, campaign, phone="13800138009")
    third = _public(world, campaign, name="周建国", phone="13800138007")
    household = h.household(world, "huilong", "钟桃华")
    entry = nominations.nomination_accept(actor=staff, nomination=first, household=household)
    assert entry.stage == h.first_stage(campaign)
    with pytest.raises(ValidationError, match="already in this campaign"):
        nominations.nomination_accept(actor=staff, nomination=second, household=household)
    nominations.nomination_merge(actor=staff, nomination=second, into=first)
    with pytest.raises(ValidationError):
        nominations.nomination_reject(actor=staff, nomination=third, reason=" ")
    nominations.nomination_reject(actor=staff, nomination=third, reason="经核实，该户未在本村居住")
    statuses = dict(Nomination.objects.values_list("pk", "status"))
    assert statuses == {
        first.pk: NominationStatus.ACCEPTED,
        second.pk: NominationStatus.MERGED,
        third.pk: NominationStatus.REJECTED,
    }
    with pytest.raises(ValidationError, match="already screened"):
        nominations.nomination_reject(actor=staff, nomination=first, reason="改主意")


def test_staff_of_another_county_cannot_screen(world):
    campaign = h.campaign(world)
    nomination = _public(world, campaign)
    with pytest.raises(PermissionDenied):
        nominations.nomination_reject(actor=world.user("yanling_admin"), nomination=nomination, reason="x")


def test_a_household_whose_award_was_revoked_waits_two_years(world):
    campaign = h.campaign(world, levels=("village",), raters=1)
    entry = h.enter(world, campaign, head="钟桃华")
    stage = h.first_stage(campaign)
    Award.objects.create(
        campaign=campaign,
        stage=stage,
        entry=entry,
        household=entry.household,
        title="最美庭院",
        certificate_no="T-1",
        issued_on=datetime.date(2025, 1, 1),
        revoked_on=datetime.date.today(),
        revoke_reason="弄虚作假",
        org=entry.org,
        village_id=entry.village_id,
    )
    later = h.campaign(world, levels=("village",), raters=1)
    with pytest.raises(ValidationError, match="revoked"):
        nominations.nomination_create(actor=world.user("city_admin"), campaign=later, household=entry.household)
    assert not Entry.objects.filter(campaign=later).exists()


def test_bulk_nomination_enters_what_it_can_and_says_why_not_for_the_rest(world):
    campaign = h.campaign(world, "youxian")
    inside = [h.household(world, "huilong", f"户{n}") for n in range(3)]
    outside = h.household(world, "shucai", "炎陵户")
    h.enter(world, campaign, head="已入选")
    already = Entry.objects.get(campaign=campaign).household
    made, skipped = nominations.households_nominate(
        actor=world.user("youxian_admin"), campaign=campaign, households=[*inside, outside, already]
    )
    assert len(made) == 3
    assert {h.head_name: reason for h, reason in skipped} == {
        "炎陵户": "not in your area",
        "已入选": "already in this campaign",
    }
