"""The duties demo (``fulian/duties/demo/``): its bulk records must be placed and reviewed as the
services would, its statuses and requests as the README promises, and a second run adds nothing."""

from __future__ import annotations

import datetime
from collections import Counter
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Max, Q

from fulian.accounts.models import User
from fulian.core.ancestry import ANCESTRY_FIELDS, ancestries_of
from fulian.duties.choices import RequestStatus, Satisfaction, StepKind
from fulian.duties.models import Request, RequestStep
from fulian.duties.services import review
from fulian.grid import coverage
from fulian.grid.choices import RecordStatus
from fulian.grid.models import Contact
from fulian.households.models import Household
from fulian.orgs.models import Organisation
from fulian.people.models import Post

pytestmark = pytest.mark.django_db

XINSHI = "/430200/430223/430223123/"


def test_the_duties_demo_obeys_the_rules_and_keeps_its_promises() -> None:
    """One load for all the checks (the full demo takes most of a minute), then a second run."""
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert any(line.startswith("Duties: ") for line in out.getvalue().splitlines()), out.getvalue()
    today = coverage.today()

    _every_record_is_placed_as_the_service_places_it()
    _every_review_is_by_someone_whose_list_holds_the_record()
    _xinshi_has_a_year_mostly_confirmed_some_waiting_one_returned_one_corrected(today)
    _a_few_xinshi_members_are_silent(today)
    _huilong_zhiwei_has_her_own_and_xinshi_staff_a_queue()
    _households_last_contact_follows_the_records()
    _requests_in_every_state_one_escalated_to_the_county_one_overdue(today)

    before = _fingerprint()
    again = StringIO()
    call_command("load_demo", stdout=again)
    assert "Duties: already loaded." in again.getvalue()
    assert _fingerprint() == before


def _every_record_is_placed_as_the_service_places_it() -> None:
    """At its organisation with that organisation's ancestry; its households under it; and the
    organisation within the 执委's reach (where she lives, or under one of her posts)."""
    orgs = {o.pk: o for o in Organisation.objects.all()}
    ancestry = ancestries_of(orgs.values())
    reach: dict[int, list[str]] = {}
    for person_id, org_id in Post.objects.values_list("person_id", "org_id"):
        reach.setdefault(person_id, []).append(orgs[org_id].path)
    homes: dict[int, str] = {}
    records = Contact.objects.values_list(
        "pk", "org_id", "person_id", "person__org__path", *(f"{f}_id" for f in ANCESTRY_FIELDS)
    )
    for pk, org_id, person_id, home, *ids in records.iterator():
        assert dict(zip(ANCESTRY_FIELDS, ids, strict=True)) == ancestry[org_id], pk
        path = orgs[org_id].path
        homes[pk] = path
        assert path.startswith(home) or home.startswith(path) or any(path.startswith(p) for p in reach[person_id]), pk
    links = Contact.households.through.objects.values_list("contact_id", "household__org__path")
    for contact_id, household_path in links.iterator():
        assert household_path.startswith(homes[contact_id]), contact_id


def _every_review_is_by_someone_whose_list_holds_the_record() -> None:
    reviewed = Contact.objects.filter(
        status__in=[RecordStatus.CONFIRMED, RecordStatus.SUPERSEDED, RecordStatus.RETURNED]
    )
    assert not reviewed.filter(Q(reviewed_by__isnull=True) | Q(reviewed_at__isnull=True)).exists()
    for user in User.objects.filter(pk__in=reviewed.values("reviewed_by")):
        theirs = reviewed.filter(reviewed_by=user)
        condition = review.review_q(user)
        assert condition is not None, user
        assert theirs.filter(condition).count() == theirs.count(), user.username
    assert set(User.objects.filter(pk__in=reviewed.values("reviewed_by")).values_list("username", flat=True)) >= {
        "huilong_zhiwei",
        "xinshi_staff",
        "youxian_admin",
    }
    late = [r for r in reviewed.values_list("happened_on", "reviewed_at") if r[1] and r[1].date() < r[0]]
    assert not late
    assert not Contact.objects.filter(status=RecordStatus.PENDING, reviewed_by__isnull=False).exists()


def _xinshi_has_a_year_mostly_confirmed_some_waiting_one_returned_one_corrected(today: datetime.date) -> None:
    xinshi = Contact.objects.filter(org__path__startswith=XINSHI)
    statuses = Counter(xinshi.values_list("status", flat=True))
    total = sum(statuses.values())
    assert total > 3000, statuses
    assert statuses[RecordStatus.CONFIRMED] > 0.85 * total, statuses
    assert statuses[RecordStatus.PENDING] >= 20, statuses
    assert statuses[RecordStatus.RETURNED] == 1, statuses
    assert statuses[RecordStatus.SUPERSEDED] == 1, statuses
    returned = xinshi.get(status=RecordStatus.RETURNED)
    assert returned.return_reason
    old = xinshi.get(status=RecordStatus.SUPERSEDED)
    correction = Contact.objects.get(supersedes=old)
    assert correction.status == RecordStatus.CONFIRMED
    assert correction.correction_reason
    assert correction.happened_on == old.happened_on
    assert correction.half_hours != old.half_hours
    dates = xinshi.values_list("happened_on", flat=True)
    assert min(dates) < today - datetime.timedelta(days=300)
    assert max(dates) >= today - datetime.timedelta(days=7)
    assert max(dates) <= today
    assert not xinshi.filter(work_mode__isnull=True).exists()
    assert xinshi.values("work_mode").distinct().count() == 7
    assert not xinshi.filter(half_hours=0).exists()
    # A thinner spread elsewhere in the city, in several counties.
    elsewhere = Contact.objects.exclude(org__path__startswith=XINSHI)
    assert elsewhere.count() > 0
    assert elsewhere.values("county").distinct().count() >= 5
    # At most 24 hours a day for one person.
    per_day = Counter[tuple[int, datetime.date]]()
    for person, day, half_hours in Contact.objects.exclude(
        status__in=[RecordStatus.RETURNED, RecordStatus.SUPERSEDED]
    ).values_list("person", "happened_on", "half_hours"):
        per_day[(person, day)] += half_hours
    assert max(per_day.values()) <= 48


def _a_few_xinshi_members_are_silent(today: datetime.date) -> None:
    """Silent: holding a current post in 新市镇, and no record in the last 90 days (though some before)."""
    members = set(
        Post.objects.filter(end_date__isnull=True, org__path__startswith=XINSHI).values_list("person_id", flat=True)
    )
    since = today - datetime.timedelta(days=90)
    recent = set(Contact.objects.filter(happened_on__gt=since).values_list("person_id", flat=True))
    before = set(Contact.objects.filter(happened_on__lte=since).values_list("person_id", flat=True))
    silent = members - recent
    assert 3 <= len(silent) <= 10, len(silent)
    assert silent <= before


def _huilong_zhiwei_has_her_own_and_xinshi_staff_a_queue() -> None:
    hers = Contact.objects.filter(person__account__username="huilong_zhiwei")
    statuses = Counter(hers.values_list("status", flat=True))
    assert statuses[RecordStatus.CONFIRMED] >= 5
    assert statuses[RecordStatus.PENDING] == 1
    assert statuses[RecordStatus.RETURNED] == 1
    assert not hers.exclude(created_by__username="huilong_zhiwei").exists()
    staff = User.objects.get(username="xinshi_staff")
    queue = review.review_queue(staff)
    assert queue.count() >= 20
    assert queue.filter(person__account__username="huilong_zhiwei").exists()
    assert not queue.exclude(org__path__startswith=XINSHI).exists()
    # As the village chair, 周桂姣 has her village's members' records to confirm.
    assert review.review_queue(User.objects.get(username="huilong_zhiwei")).exists()


def _households_last_contact_follows_the_records() -> None:
    counted = Contact.objects.exclude(status__in=[RecordStatus.RETURNED, RecordStatus.SUPERSEDED])
    latest = dict(
        counted.filter(households__isnull=False)
        .values_list("households")
        .annotate(on=Max("happened_on"))
        .values_list("households", "on")
    )
    assert dict(Household.objects.filter(last_contact_on__isnull=False).values_list("pk", "last_contact_on")) == latest


def _requests_in_every_state_one_escalated_to_the_county_one_overdue(today: datetime.date) -> None:
    requests = Request.objects.all()
    assert set(requests.values_list("status", flat=True)) == set(RequestStatus.values)
    closed = requests.filter(status=RequestStatus.CLOSED)
    assert set(closed.exclude(satisfaction="").values_list("satisfaction", flat=True)) == set(Satisfaction.values)
    assert closed.filter(satisfaction="").exists()  # closed without asking: she moved away
    assert requests.filter(reopened=True, status=RequestStatus.IN_PROGRESS).exists()
    assert requests.filter(status=RequestStatus.IN_PROGRESS, steps__kind=StepKind.UPDATE).exists()
    escalated = requests.filter(holder__code="430223", steps__kind=StepKind.ESCALATE, steps__to_org__code="430223")
    assert escalated.count() == 1
    assert escalated.get().status in (RequestStatus.ASSIGNED, RequestStatus.IN_PROGRESS)
    overdue = Request.objects.overdue(today)
    assert overdue.count() == 1
    assert overdue.get().assignee.username == "huilong_zhiwei"  # type: ignore[union-attr]
    assert not closed.filter(answer="").exists()
    orgs = {o.pk: o for o in Organisation.objects.all()}
    ancestry = ancestries_of(orgs.values())
    for request in requests:
        assert request.ancestry == ancestry[request.org_id], request.pk
        assert request.recorded_on <= today
        assert request.due_on > request.recorded_on
        steps = list(request.steps.order_by("pk").values_list("kind", "at"))
        assert steps[0][0] == StepKind.RECORD
        assert [at for _kind, at in steps] == sorted(at for _kind, at in steps)
        assert steps[0][1].date() >= request.recorded_on
    # Another county's users see none of 新市镇's.
    yanling = User.objects.get(username="yanling_admin")
    visible = Request.objects.visible_to(yanling, "duties.view")
    assert visible.exists()
    assert not visible.filter(org__path__startswith=XINSHI).exists()
    assert not Contact.objects.visible_to(yanling, "grid.view").filter(org__path__startswith=XINSHI).exists()


def _fingerprint() -> tuple[Any, ...]:
    return (
        list(Contact.objects.order_by("id").values_list("id", "status", "reviewed_by", "happened_on", "org_id")),
        list(Request.objects.order_by("id").values_list("id", "status", "holder", "recorded_on")),
        RequestStep.objects.count(),
        list(
            Household.objects.filter(last_contact_on__isnull=False).order_by("id").values_list("id", "last_contact_on")
        ),
    )
