"""Nobody scores her own household, her relatives' households, or one she nominated: found
without anyone declaring it, and refused both when raters are assigned and when a sheet comes."""

import pytest
from django.core.exceptions import ValidationError

from fulian.campaigns.choices import ConflictReason
from fulian.campaigns.conflicts import conflict_of, conflicts
from fulian.campaigns.models import Conflict, RaterAssignment
from fulian.campaigns.services import scoring
from fulian.campaigns.tests import helpers as h
from fulian.households.tests.helpers import member
from fulian.testing.ids import id_number

pytestmark = pytest.mark.django_db

HERS = id_number(birth="19680305", seq="21")
SON = id_number(birth="19900101", gender="M", seq="33")


def test_she_heads_or_lives_in_her_own_household(world):
    campaign = h.campaign(world)
    who = h.rater(world, name="周桂姣")
    who.set_id_number(HERS)
    who.save()
    headed = h.enter(world, campaign, head="周桂姣", id_number=HERS)
    lived_in = h.enter(world, campaign, head="李建国")
    member(world, lived_in.household, "周桂姣", id_number=HERS, relation="spouse")
    other = h.enter(world, campaign, head="王五")
    found = conflicts([who], [headed.household_id, lived_in.household_id, other.household_id], campaign=campaign)
    assert found == {
        (who.pk, headed.household_id): ConflictReason.OWN,
        (who.pk, lived_in.household_id): ConflictReason.OWN,
    }


def test_her_sons_own_household_is_a_relatives(world):
    campaign = h.campaign(world)
    who = h.rater(world, name="周桂姣")
    who.set_id_number(HERS)
    who.save()
    home = h.household(world, "huilong", "周桂姣", id_number=HERS)
    member(world, home, "周小军", id_number=SON)
    sons = h.enter(world, campaign, head="周小军", id_number=SON)
    assert conflict_of(who, sons.household_id, campaign=campaign) == ConflictReason.RELATIVE


def test_a_declared_interest_and_a_nomination_by_phone_count(world):
    campaign = h.campaign(world)
    who = h.rater(world, name="周桂姣")
    who.set_mobile("13912345678")
    who.save()
    declared = h.enter(world, campaign, head="表姐")
    conflict = Conflict(person=who, household=declared.household, reason=ConflictReason.RELATIVE)
    conflict.place(declared.household.org, declared.household.ancestry)
    conflict.save()
    from fulian.campaigns.services.nominations import nomination_public

    nomination = nomination_public(
        campaign=campaign, village=world.org("huilong"), name="邻居", reason="院子很美", phone="13912345678"
    )
    neighbour = h.household(world, "huilong", "邻居")
    from fulian.campaigns.services.nominations import nomination_accept

    entry = nomination_accept(actor=world.user("city_admin"), nomination=nomination, household=neighbour)
    assert conflict_of(who, declared.household_id, campaign=campaign) == ConflictReason.RELATIVE
    assert conflict_of(who, entry.household_id, campaign=campaign) == ConflictReason.NOMINATOR


def test_a_sheet_from_a_rater_with_an_interest_is_refused(world):
    campaign = h.campaign(world)
    stage = h.first_stage(campaign)
    who = h.rater(world, name="周桂姣", username="zgj")
    entry = h.enter(world, campaign, head="表姐")
    assignment = h.assign(world, stage, entry, who)
    # Declared after she was assigned: her sheet is refused all the same.
    conflict = Conflict(person=who, household=entry.household, reason=ConflictReason.RELATIVE)
    conflict.place(entry.household.org, entry.household.ancestry)
    conflict.save()
    with pytest.raises(ValidationError, match="may not score this household"):
        h.score(world, assignment)
    assert not RaterAssignment.objects.get(pk=assignment.pk).sheets.exists()
    outcome = scoring.raters_assign(actor=world.user("city_admin"), stage=stage, org=world.org("huilong"))
    assert outcome["assigned"] == 0
