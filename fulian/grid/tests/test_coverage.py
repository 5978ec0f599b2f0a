"""Coverage is exact: the summary and the flags equal a direct count after any writes."""

from __future__ import annotations

import datetime
import random

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q

from fulian.grid import coverage, services
from fulian.grid.choices import Mode
from fulian.grid.models import Assignment, CoverageCount, active_q
from fulian.grid.tests.helpers import START, assign, executive
from fulian.households import services as household_services
from fulian.households.models import Household
from fulian.households.tests.helpers import household
from fulian.orgs.services import group_create_as_system
from fulian.people import services as people_services

pytestmark = pytest.mark.django_db


def direct_counts(on: datetime.date) -> dict[int, tuple[int, int]]:
    """Per place, (households, covered) counted from the raw tables with plain loops."""
    active = list(Assignment.objects.filter(active_q(on), tier="village"))
    levels = {a.target_org_id: a.target_org.level for a in active if a.target_org is not None}
    whole = {pk for pk, level in levels.items() if level == "village"}
    groups = {pk for pk, level in levels.items() if level == "group"}
    direct = {a.household_id for a in active if a.household_id}
    counts: dict[int, tuple[int, int]] = {}
    for h in Household.objects.filter(archived_at__isnull=True):
        is_covered = h.village_id in whole or h.group_id in groups or h.pk in direct
        n, c = counts.get(h.org_id, (0, 0))
        counts[h.org_id] = (n + 1, c + int(is_covered))
    return counts


def summary_counts() -> dict[int, tuple[int, int]]:
    return {c.org_id: (c.households, c.covered) for c in CoverageCount.objects.all()}


def test_a_group_assignment_covers_its_households_and_ending_it_uncovers_them(world):
    group = world.org("huilong_group1")
    inside = household(world, "huilong_group1", "周一")
    outside = household(world, "huilong", "周二")
    (made,) = assign(world, executive(world), group)
    inside.refresh_from_db()
    outside.refresh_from_db()
    assert (inside.covered, outside.covered) == (True, False)
    whole, parts = coverage.figures(world.org("huilong"))
    assert (whole.households, whole.covered) == (2, 1)
    assert [(p.org, p.covered, p.households) for p in parts] == [(group, 1, 1), (None, 0, 1)]
    services.assignment_end(
        actor=world.user("city_admin"), assignment=made, on=coverage.today() - datetime.timedelta(days=1)
    )
    assert summary_counts() == {group.pk: (1, 0), world.org("huilong").pk: (1, 0)}


def test_a_township_executive_taking_a_village_answers_for_it_without_covering_its_households(world):
    h = household(world, "huilong", "周一")
    township_post = executive(world, "xinshi", "李四")
    assign(world, township_post, world.org("huilong"))
    h.refresh_from_db()
    assert not h.covered
    assert world.org("huilong") not in coverage.org_gaps(world.org("xinshi"))
    assert world.org("daqiaotou") in coverage.org_gaps(world.org("xinshi"))


def test_the_rules_of_the_level_are_enforced(world):
    village_post = executive(world)
    other = household(world, "daqiaotou", "外村")
    with pytest.raises(ValidationError, match="her own village"):
        assign(world, village_post, other)
    with pytest.raises(ValidationError, match="township executive member takes villages"):
        assign(world, executive(world, "xinshi", "李四"), world.org("shucai"))
    with pytest.raises(ValidationError, match="cannot end before it starts"):
        assign(world, village_post, world.org("huilong"), end_date=START - datetime.timedelta(days=1))


def test_overlapping_and_one_to_one_assignments_are_refused_and_nothing_is_written(world):
    first = executive(world, name="甲")
    second = executive(world, name="乙")
    h1, h2 = household(world, "huilong", "户一"), household(world, "huilong", "户二")
    assign(world, first, h1, mode=Mode.NEARBY)
    with pytest.raises(ValidationError, match="already responsible"):
        assign(world, first, h2, h1)
    with pytest.raises(ValidationError, match="one-to-one"):
        assign(world, second, h2, h1, mode=Mode.NEARBY)
    assert Assignment.objects.filter(household=h2).count() == 0
    assign(world, second, h1, mode=Mode.CIRCUIT)  # many to one is 巡回服务


def test_an_out_of_scope_target_is_refused(world):
    village_post = executive(world, "shucai", "钟某")
    with pytest.raises(PermissionDenied):
        assign(world, village_post, world.org("shucai"), actor="xinshi_staff")


def test_an_ended_post_gives_no_new_responsibility_and_ending_a_post_ends_its_assignments(world):
    post = executive(world)
    (made,) = assign(world, post, world.org("huilong"))
    people_services.post_end(actor=world.user("city_admin"), post=post, on=coverage.today())
    made.refresh_from_db()
    assert made.end_date == coverage.today()
    post.refresh_from_db()
    with pytest.raises(ValidationError, match="post ended"):
        assign(world, post, world.org("huilong_group1"))


def test_changing_an_assignment_keeps_the_old_one(world):
    post = executive(world)
    (made,) = assign(world, post, world.org("huilong"))
    on = coverage.today()
    new = services.assignment_change(actor=world.user("city_admin"), assignment=made, on=on, mode=Mode.STATIONED)
    made.refresh_from_db()
    assert made.end_date == on - datetime.timedelta(days=1)
    assert (new.previous_id, new.mode, new.start_date) == (made.pk, Mode.STATIONED, on)


def test_coverage_as_of_a_past_day(world):
    household(world, "huilong", "周一")
    (made,) = assign(world, executive(world), world.org("huilong"), start_date=coverage.today())
    yesterday = coverage.today() - datetime.timedelta(days=1)
    assert coverage.figures_as_of(world.org("huilong"), yesterday)[0].covered == 0
    assert coverage.figures_as_of(world.org("huilong"), coverage.today())[0].covered == 1
    assert made.is_active(coverage.today())


def test_random_writes_keep_every_summary_equal_to_a_direct_count(world):
    """Assignments made, ended and changed; households added, moved, archived and restored, at
    random: after each write the summary and each household's flag equal a direct count."""
    rng = random.Random(11)
    admin = world.user("city_admin")
    villages = ["huilong", "daqiaotou", "shucai"]
    groups = {"huilong": [world.org("huilong_group1")]}
    for name in villages[1:]:
        groups[name] = [group_create_as_system(village=world.org(name), name=f"第{n}组") for n in (1, 2)]
    posts = {name: [executive(world, name, f"{name}{n}") for n in range(3)] for name in villages}
    homes = [household(world, rng.choice(villages), f"户{n}") for n in range(12)]
    today = coverage.today()
    for step in range(60):
        action = rng.choice(["assign", "assign", "end", "change", "add", "move", "archive", "restore"])
        village = rng.choice(villages)
        try:
            if action == "assign":
                in_village = list(Household.objects.filter(village=world.org(village), archived_at=None))
                target = rng.choice([world.org(village), *groups[village], *in_village])
                start = today - datetime.timedelta(days=rng.randint(0, 3))
                assign(world, rng.choice(posts[village]), target, start_date=start)
            elif action == "end":
                open_ = list(Assignment.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=today)))
                if open_:
                    chosen = rng.choice(open_)
                    services.assignment_end(
                        actor=admin, assignment=chosen, on=max(chosen.start_date, today - datetime.timedelta(days=1))
                    )
            elif action == "change":
                open_ = list(Assignment.objects.filter(end_date__isnull=True, tier="village"))
                if open_:
                    chosen = rng.choice(open_)
                    services.assignment_change(
                        actor=admin, assignment=chosen, on=today, mode=Mode.JOINT, partner="李网格"
                    )
            elif action == "add":
                homes.append(household(world, village, f"新{step}"))
            elif action == "move":
                h = rng.choice(homes)
                h.refresh_from_db()
                if h.archived_at is None:
                    place = rng.choice([world.org(village), *groups[village]])
                    household_services.household_update(actor=admin, household=h, values={}, org=place)
            elif action == "archive":
                h = rng.choice(homes)
                h.refresh_from_db()
                if h.archived_at is None:
                    household_services.household_archive(actor=admin, household=h, reason="迁出")
            elif action == "restore":
                h = rng.choice(homes)
                h.refresh_from_db()
                if h.archived_at is not None:
                    household_services.household_restore(actor=admin, household=h, reason="迁回")
        except ValidationError:
            pass  # an overlap or a rule refused: nothing written, as the next check shows
        assert summary_counts() == direct_counts(today), (step, action)
        flags = dict(Household.objects.values_list("pk", "covered"))
        active = list(Assignment.objects.filter(active_q(today), tier="village"))
        for h in Household.objects.all():
            expected = any(
                a.household_id == h.pk
                or (a.target_org_id is not None and a.target_org_id in (h.group_id, h.village_id))
                for a in active
            )
            assert flags[h.pk] == expected, (step, action, h.head_name)
    assert Assignment.objects.count() > 5


def test_the_first_read_of_a_day_catches_up_with_the_calendar(world, clock):
    h = household(world, "huilong", "周一")
    tomorrow = coverage.today() + datetime.timedelta(days=1)
    assign(world, executive(world), world.org("huilong"), start_date=tomorrow)
    h.refresh_from_db()
    assert not h.covered
    clock.advance(minutes=24 * 60)
    whole, _parts = coverage.figures(world.org("huilong"))
    h.refresh_from_db()
    assert (h.covered, whole.covered) == (True, 1)
