"""The demo's grid (``fulian/grid/demo.py``): written in bulk, it must obey the rules the services
enforce, cover about 95% of households and leave the gaps the README promises."""

from __future__ import annotations

import datetime
from collections import defaultdict
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db.models import Max, Q

from fulian.audit.models import AuditEvent
from fulian.core.ancestry import ANCESTRY_FIELDS, ancestries_of
from fulian.grid import coverage, services
from fulian.grid.choices import Mode
from fulian.grid.models import Assignment, Contact, CoverageCount, active_q
from fulian.households.models import Household
from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation
from fulian.people.models import Person, Post
from fulian.testing.world import World

pytestmark = pytest.mark.django_db


def test_the_demo_grid_obeys_the_rules_covers_about_95_percent_and_leaves_its_gaps(world: World) -> None:
    """One load for all the checks (the full demo takes most of a minute), then a second run."""
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert any(line.startswith("Grid: ") for line in out.getvalue().splitlines())
    today = coverage.today()

    _every_assignment_obeys_the_rules_of_the_services()
    _coverage_is_about_95_percent_and_exact(today)
    _the_gaps_are_there(world, today)
    _huilong_zhiwei_has_households_some_contacted_some_not(today)
    _there_is_history_and_other_contacts(today)
    # Bulk rows, like the other demo steps: no audit event per row (the duties demo's reviews and
    # her own records go through the services, as their accounts).
    assert not AuditEvent.objects.filter(object_type__startswith="grid.", actor__isnull=True).exists()

    before = _fingerprint()
    call_command("load_demo", stdout=StringIO())
    assert _fingerprint() == before


def _every_assignment_obeys_the_rules_of_the_services() -> None:
    """Each row passes the service's own level check; its post is current and started before
    it; it is placed at its target; no 执委 holds one target twice at a time, and no target has
    two 就近包保 at a time; a 合力联动 names the grid worker (the service's own checks where it has
    them)."""
    orgs = {o.pk: o for o in Organisation.objects.all()}
    ancestry = ancestries_of(orgs.values())
    assignments = list(Assignment.objects.all())
    posts = {p.pk: p for p in Post.objects.filter(pk__in={a.post_id for a in assignments})}
    households = {
        h.pk: h
        for h in Household.objects.filter(pk__in={a.household_id for a in assignments if a.household_id}).only(
            "id", "head_name", "org_id", "village_id", "archived_at", *(f"{level}_id" for level in ANCESTRY_FIELDS)
        )
    }
    for post in posts.values():
        post.org = orgs[post.org_id]
    by_target: dict[tuple[str, int], list[Assignment]] = defaultdict(list)
    for a in assignments:
        post = posts[a.post_id]
        target: Any = households[a.household_id] if a.household_id else orgs[a.target_org_id]  # type: ignore[index]
        try:
            services.target_check(post, target)
        except ValidationError as error:  # pragma: no cover - the message says which rule
            raise AssertionError(f"{a.pk}: {error.messages}") from None
        assert a.tier == post.org.level, a.pk
        assert a.person_id == post.person_id, a.pk
        assert post.end_date is None, a.pk
        assert a.start_date >= post.start_date, a.pk
        assert a.end_date is None or a.end_date >= a.start_date, a.pk
        assert a.mode in Mode.values, a.pk
        services.partner_check(a.mode, a.partner)  # 合力联动 names the grid worker
        assert not a.partner or a.mode == Mode.JOINT, a.pk
        place = target.org_id if a.household_id else target.pk
        assert a.org_id == place, a.pk
        assert {level: getattr(a, f"{level}_id") for level in ANCESTRY_FIELDS} == ancestry[place], a.pk
        by_target["household" if a.household_id else "org", target.pk].append(a)
    for rows in by_target.values():
        for i, one in enumerate(rows):
            for other in rows[i + 1 :]:
                apart = (one.end_date is not None and one.end_date < other.start_date) or (
                    other.end_date is not None and other.end_date < one.start_date
                )
                if apart:
                    continue
                assert one.person_id != other.person_id, (one.pk, other.pk)
                assert not (one.mode == other.mode == Mode.NEARBY), (one.pk, other.pk)
    # Every level takes part, in every mode.
    tiers = set(Assignment.objects.values_list("tier", "mode").distinct())
    for tier in (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE):
        assert {mode for t, mode in tiers if t == tier} == set(Mode.values), tier


def _coverage_is_about_95_percent_and_exact(today: datetime.date) -> None:
    city = Organisation.objects.get(level=Level.CITY)
    whole, counties = coverage.figures(city)
    assert whole.households == Household.objects.filter(archived_at__isnull=True).count() == 28_000
    assert 0.93 <= (whole.share or 0) <= 0.97, whole.share
    assert all(0.85 <= (c.share or 0) <= 1 for c in counties)
    # The flags and the summary equal a direct count from the raw tables.
    covered = Household.objects.filter(coverage.covered_q(today), archived_at__isnull=True)
    assert set(covered.values_list("pk", flat=True)) == set(
        Household.objects.filter(covered=True, archived_at__isnull=True).values_list("pk", flat=True)
    )
    assert whole.covered == covered.count()
    assert (
        whole.uncontacted == Household.objects.filter(coverage.uncontacted_q(today), archived_at__isnull=True).count()
    )
    assert CoverageCount.objects.filter(counted_on=today).count() == CoverageCount.objects.count()
    # Households were on the books before the grid began: a past date has figures too.
    then, _parts = coverage.figures_as_of(city, today - datetime.timedelta(days=100))
    assert then.households == whole.households
    assert 0.8 <= then.covered / then.households <= 0.97


def _the_gaps_are_there(world: World, today: datetime.date) -> None:
    huilong = world.org("huilong")
    _whole, groups = coverage.figures(huilong)
    uncovered_groups = [g for g in groups if g.org is not None and g.households and not g.covered]
    assert uncovered_groups, [(g.org, g.covered, g.households) for g in groups]
    city = Organisation.objects.get(level=Level.CITY)
    gaps = list(coverage.org_gaps(city, on=today))
    villages = [o for o in gaps if o.level == Level.VILLAGE]
    assert 3 <= len(villages) <= 6, villages
    assert any(v.path.startswith(world.org("xinshi").path) for v in villages)
    assert huilong not in villages
    assert not [o for o in gaps if o.level == Level.TOWNSHIP], "every township has a county 执委"


def _households_of(person: Person, today: datetime.date) -> Any:
    mine = Assignment.objects.filter(active_q(today), person=person, tier=Level.VILLAGE)
    return Household.objects.filter(
        Q(pk__in=mine.values("household_id"))
        | Q(group_id__in=mine.filter(target_org__level=Level.GROUP).values("target_org_id"))
        | Q(village_id__in=mine.filter(target_org__level=Level.VILLAGE).values("target_org_id")),
        archived_at__isnull=True,
    )


def _huilong_zhiwei_has_households_some_contacted_some_not(today: datetime.date) -> None:
    her = Person.objects.get(account__username="huilong_zhiwei")
    assert Post.objects.filter(person=her, org__code="430223123215", end_date__isnull=False).count() == 0
    assert Post.objects.filter(person=her, org__code="430223123215", end_date__isnull=True).exists()
    households = list(_households_of(her, today))
    assert len(households) >= 5
    assert all(h.village_id == her.village_id for h in households)
    since = today - datetime.timedelta(days=coverage.UNCONTACTED_DAYS)
    recent = [h for h in households if h.last_contact_on and h.last_contact_on > since]
    stale = [h for h in households if h.last_contact_on and h.last_contact_on <= since]
    never = [h for h in households if h.last_contact_on is None]
    assert len(recent) >= 2
    assert stale
    assert never
    contacts = Contact.objects.filter(person=her)
    assert contacts.filter(happened_on__gte=today - datetime.timedelta(days=28)).count() >= 2
    assert contacts.values("mode").distinct().count() >= 3
    assert all(c.created_by is not None and c.created_by.username == "huilong_zhiwei" for c in contacts)


def _there_is_history_and_other_contacts(today: datetime.date) -> None:
    ended = Assignment.objects.filter(end_date__lt=today)
    assert ended.count() >= 3
    assert ended.exclude(end_reason="").count() == ended.count()
    changed = list(Assignment.objects.filter(previous__isnull=False).select_related("previous"))
    assert changed
    for new in changed:
        old = new.previous
        assert old is not None
        assert (old.household_id, old.target_org_id) == (new.household_id, new.target_org_id)
        assert old.end_date == new.start_date - datetime.timedelta(days=1)
    others = Contact.objects.exclude(person__account__username="huilong_zhiwei")
    assert others.values("person").distinct().count() >= 3
    # Each household's last contact date is its latest contact; households never contacted have none.
    latest = dict(
        Contact.objects.filter(households__isnull=False)
        .values_list("households")
        .annotate(on=Max("happened_on"))
        .values_list("households", "on")
    )
    assert dict(Household.objects.filter(last_contact_on__isnull=False).values_list("pk", "last_contact_on")) == latest


def _fingerprint() -> tuple[Any, ...]:
    return (
        list(Assignment.objects.order_by("id").values_list()),
        list(Contact.objects.order_by("id").values_list("id", "person_id", "happened_on", "org_id")),
        list(CoverageCount.objects.order_by("org_id").values_list("org_id", "households", "covered", "uncontacted")),
        Household.objects.filter(covered=True).count(),
        list(Person.objects.filter(account__isnull=False).values_list("pk", "account_id")),
    )
