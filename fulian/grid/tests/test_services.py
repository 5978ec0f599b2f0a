"""Bad input to the assignment services: a clear message naming the field, nothing written."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fulian.grid import coverage, services
from fulian.grid.choices import Mode
from fulian.grid.models import Assignment
from fulian.grid.tests.helpers import START, assign, executive
from fulian.households import services as household_services
from fulian.households.tests.helpers import household

pytestmark = pytest.mark.django_db


def refused(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return error.value.message_dict if hasattr(error.value, "error_dict") else {"__all__": error.value.messages}


def test_an_unknown_mode_and_no_targets_are_refused_by_field(world):
    post = executive(world)
    with pytest.raises(ValidationError) as bad_mode:
        assign(world, post, household(world), mode="sometimes")
    assert "mode" in refused(bad_mode)
    with pytest.raises(ValidationError) as no_targets:
        assign(world, post)
    assert "targets" in refused(no_targets)
    assert not Assignment.objects.exists()


def test_a_target_listed_twice_is_refused(world):
    h = household(world)
    with pytest.raises(ValidationError, match="listed twice"):
        assign(world, executive(world), h, h)
    assert not Assignment.objects.exists()


def test_one_bad_target_among_good_ones_writes_nothing(world):
    post = executive(world)
    good = [household(world, "huilong", f"周{i}") for i in range(3)]
    other_village = household(world, "daqiaotou", "外村")
    with pytest.raises(ValidationError) as error:
        assign(world, post, *good, other_village)
    assert "her own village" in refused(error)["targets"][0]
    assert not Assignment.objects.exists()
    for h in good:
        h.refresh_from_db()
        assert not h.covered


def test_a_target_outside_the_actors_reach_is_not_in_her_area(world):
    post = executive(world, "xinshi", "李四")
    with pytest.raises(ValidationError) as error:
        assign(world, post, world.org("shucai"), actor="xinshi_staff")
    assert "is not in your area" in refused(error)["targets"][0]


def test_an_archived_household_cannot_be_taken(world):
    h = household(world)
    household_services.household_archive(actor=world.user("city_admin"), household=h, reason="搬走")
    h.refresh_from_db()
    with pytest.raises(ValidationError, match="archived"):
        assign(world, executive(world), h)


def test_a_start_before_her_post_and_a_partner_name_too_long_are_refused_by_field(world):
    post = executive(world)
    with pytest.raises(ValidationError) as early:
        assign(world, post, household(world), start_date=post.start_date - datetime.timedelta(days=1))
    assert "start_date" in refused(early)
    with pytest.raises(ValidationError) as long_partner:
        assign(world, post, household(world, "huilong", "周二"), mode=Mode.JOINT, partner="网" * 51)
    assert "partner" in refused(long_partner)
    assert not Assignment.objects.exists()


def test_a_member_role_may_not_assign(world):
    with pytest.raises(PermissionDenied):
        assign(world, executive(world), household(world), actor="huilong_zhiwei")
    assert not Assignment.objects.exists()


def test_ending_past_the_set_end_or_ending_an_ended_one_is_refused(world):
    actor = world.user("city_admin")
    today = coverage.today()
    (ends_later,) = assign(world, executive(world), household(world), end_date=today + datetime.timedelta(days=30))
    with pytest.raises(ValidationError) as later:
        services.assignment_end(actor=actor, assignment=ends_later, on=today + datetime.timedelta(days=60))
    assert "end_date" in refused(later)
    (ended,) = assign(world, executive(world), household(world, "huilong", "周二"), end_date=datetime.date(2022, 6, 30))
    with pytest.raises(ValidationError, match="already ended"):
        services.assignment_end(actor=actor, assignment=ended, on=datetime.date(2022, 5, 31))
    ends_later.refresh_from_db()
    ended.refresh_from_db()
    assert (ends_later.end_date, ended.end_date) == (today + datetime.timedelta(days=30), datetime.date(2022, 6, 30))


def test_a_change_after_the_end_or_before_the_start_is_refused(world):
    (made,) = assign(world, executive(world), household(world), end_date=datetime.date(2022, 6, 30))
    actor = world.user("city_admin")
    with pytest.raises(ValidationError, match="had ended"):
        services.assignment_change(actor=actor, assignment=made, on=datetime.date(2022, 7, 1), mode=Mode.NEARBY)
    with pytest.raises(ValidationError) as early:
        services.assignment_change(actor=actor, assignment=made, on=START - datetime.timedelta(days=1))
    assert "on" in refused(early)
    assert Assignment.objects.count() == 1


def test_a_handover_onto_somebody_already_nearby_is_refused_and_the_old_one_stays_open(world):
    h = household(world)
    (made,) = assign(world, executive(world, "huilong", "周一姐"), h)
    other = executive(world, "huilong", "周二姐")
    assign(world, executive(world, "huilong", "周三姐"), h, mode=Mode.NEARBY)
    with pytest.raises(ValidationError, match="one-to-one"):
        services.assignment_change(
            actor=world.user("city_admin"), assignment=made, on=datetime.date(2023, 1, 1), post=other, mode=Mode.NEARBY
        )
    made.refresh_from_db()
    assert made.end_date is None  # the transaction rolled the ending back
    assert not Assignment.objects.filter(post=other).exists()


def test_a_correction_on_the_first_day_to_an_unknown_mode_is_refused(world):
    (made,) = assign(world, executive(world), household(world))
    with pytest.raises(ValidationError) as error:
        services.assignment_change(actor=world.user("city_admin"), assignment=made, on=START, mode="never")
    assert "mode" in refused(error)
    made.refresh_from_db()
    assert made.mode == Mode.CIRCUIT


def test_a_joint_assignment_names_its_grid_worker(world):
    post = executive(world)
    with pytest.raises(ValidationError) as unnamed:
        assign(world, post, household(world), mode=Mode.JOINT)
    assert "partner" in refused(unnamed)
    (made,) = assign(world, post, household(world, "huilong", "周二"), mode=Mode.JOINT, partner="李网格")
    with pytest.raises(ValidationError) as changed:
        services.assignment_change(
            actor=world.user("city_admin"), assignment=made, on=made.start_date, mode=Mode.JOINT, partner=""
        )
    assert "partner" in refused(changed)
