"""The reads of "my work" (``duties:work``) and of its card on the home page: what waits for the
user — requests assigned to her, records waiting for her review, her overdue items, her records
this month and those returned to her; for staff, per organisation where they handle requests,
the requests it holds (overdue flagged) and the overdue requests of the level below.

Every read goes through ``Request.objects.visible_to`` / ``Contact.objects.visible_to`` and
``review_queue``; nothing here counts a big table beyond one person or one subtree's open rows."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, Sum

from fulian.core.scoping import AnyUser, can_anywhere, grants_for
from fulian.duties.choices import RequestStatus
from fulian.duties.models import Request
from fulian.duties.services.review import own_person_id, review_queue
from fulian.grid import coverage
from fulian.grid.choices import RecordStatus
from fulian.grid.models import Contact
from fulian.orgs.models import Organisation

# Rows listed under each heading of "my work" (the rest are behind the heading's link).
SHOWN = 5


@dataclass
class OrgWork:
    """One organisation where the user handles requests: what it holds and what is late below."""

    org: Organisation
    held: int = 0
    held_overdue: int = 0
    below_overdue: int = 0
    overdue_rows: list[Request] = field(default_factory=list)


@dataclass
class MyWork:
    today: datetime.date
    person_id: int | None = None
    to_review: int = 0
    assigned: int = 0
    assigned_rows: list[Request] = field(default_factory=list)
    overdue: int = 0
    overdue_rows: list[Request] = field(default_factory=list)
    to_rate: int = 0
    to_rate_rows: list[Request] = field(default_factory=list)
    returned: int = 0
    returned_rows: list[Contact] = field(default_factory=list)
    month_records: int = 0
    month_confirmed: int = 0
    month_hours: float = 0
    orgs: list[OrgWork] = field(default_factory=list)

    @property
    def month_start(self) -> datetime.date:
        return self.today.replace(day=1)

    @property
    def waiting(self) -> int:
        """What the home page's card adds up: things that need her to act."""
        return (
            self.to_review
            + self.assigned
            + self.overdue
            + self.to_rate
            + self.returned
            + sum(o.held_overdue + o.below_overdue for o in self.orgs)
        )


def _requests(user: AnyUser) -> Any:
    return Request.objects.visible_to(user, "duties.view")


def _rows(queryset: Any) -> list[Any]:
    return list(queryset[:SHOWN])


def mine(user: AnyUser, *, rows: bool = True) -> MyWork:
    """Everything of "my work"; ``rows=False`` for the counts alone (the home page's card)."""
    today = coverage.today()
    work = MyWork(today=today, person_id=own_person_id(user))
    work.to_review = review_queue(user).count()
    requests = _requests(user).select_related("holder", "representative")
    assigned = requests.open().filter(assignee_id=user.pk).order_by("due_on", "id")
    work.assigned = assigned.count()
    mine_q = Q(assignee_id=user.pk)
    if work.person_id is not None:
        mine_q |= Q(representative_id=work.person_id)
    overdue = requests.overdue(today).filter(mine_q).order_by("due_on", "id")
    work.overdue = overdue.count()
    if work.person_id is not None:
        to_rate = requests.filter(representative_id=work.person_id, status=RequestStatus.ANSWERED).order_by("id")
        work.to_rate = to_rate.count()
        records = Contact.objects.visible_to(user, "grid.view").filter(person_id=work.person_id)
        returned = records.filter(status=RecordStatus.RETURNED).select_related("work_mode").order_by("-happened_on")
        work.returned = returned.count()
        month = (
            records.filter(happened_on__gte=work.month_start, happened_on__lte=today)
            .exclude(status=RecordStatus.SUPERSEDED)
            .aggregate(
                n=Count("id"),
                confirmed=Count("id", filter=Q(status=RecordStatus.CONFIRMED)),
                half=Sum("half_hours"),
            )
        )
        work.month_records, work.month_confirmed = month["n"], month["confirmed"]
        work.month_hours = (month["half"] or 0) / 2
        if rows:
            work.to_rate_rows = _rows(to_rate)
            work.returned_rows = _rows(returned)
    if rows:
        work.assigned_rows = _rows(assigned)
        work.overdue_rows = _rows(overdue)
    work.orgs = _org_work(user, today, rows=rows)
    return work


def _org_work(user: AnyUser, today: datetime.date, *, rows: bool) -> list[OrgWork]:
    """Per organisation where the user handles requests (her outermost grants)."""
    grants = grants_for(user, "duties.handle")
    if not grants:
        return []
    orgs = Organisation.objects.in_bulk([g.org_id for g in grants])
    found = []
    for grant in sorted(grants, key=lambda g: g.path):
        org = orgs[grant.org_id]
        held = (
            _requests(user)
            .open()
            .filter(holder_id=org.pk)
            .aggregate(n=Count("id"), late=Count("id", filter=Q(due_on__lt=today)))
        )
        below = (
            _requests(user)
            .overdue(today)
            .filter(holder__path__startswith=org.path)
            .exclude(holder_id=org.pk)
            .select_related("holder", "representative")
            .order_by("due_on", "id")
        )
        work = OrgWork(org=org, held=held["n"], held_overdue=held["late"], below_overdue=below.count())
        if rows:
            work.overdue_rows = _rows(below)
        found.append(work)
    return found


def home_card(user: AnyUser) -> MyWork | None:
    """The counts of "my work" for the home page, for those who see duties; None for others."""
    if not can_anywhere(user, "duties.view"):
        return None
    return mine(user, rows=False)
