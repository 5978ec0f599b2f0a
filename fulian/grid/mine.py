"""A 执委's own view: the households she is responsible for, and who is due a contact.

Read on her phone on a weak network, so it must be quick on a city of 1.3M households: her
assignments in force are read first (a handful of rows, by the ``(person, start_date)``
index), then the households are one query over literal id lists, ``pk IN (…)``,
``group_id IN (…)``, ``village_id IN (…)``, each served by its own index (an OR of
subqueries instead would make PostgreSQL scan the table).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, QuerySet

from fulian.grid import coverage
from fulian.grid.models import Assignment, active_q
from fulian.households.models import Household, HouseholdQuerySet
from fulian.orgs.choices import Level


def reach_of(person: Any, *, on: datetime.date) -> tuple[list[int], list[int], list[int]]:
    """The ids of what ``person`` answers for on ``on`` as a village 执委 (包组到户): households
    taken directly, groups, whole villages. One query over her assignments."""
    households: list[int] = []
    groups: list[int] = []
    villages: list[int] = []
    rows = (
        Assignment.objects.filter(active_q(on), person=person, tier=Level.VILLAGE)
        .order_by()
        .values_list("household_id", "target_org_id", "target_org__level")
    )
    for household_id, org_id, level in rows:
        if household_id is not None:
            households.append(household_id)
        elif level == Level.GROUP:
            groups.append(org_id)
        elif level == Level.VILLAGE:
            villages.append(org_id)
    return households, groups, villages


def households_of(person: Any, *, on: datetime.date | None = None) -> HouseholdQuerySet:
    """The current households ``person`` is responsible for on ``on`` (today by default):
    directly, through an assigned group, or through a whole village she took as a village
    执委. Each row is annotated with ``due`` (not contacted in the last 90 days, or never:
    ``coverage.uncontacted_q``) and ordered due first: never contacted, then the oldest
    contact, then by the head's name. ``Household.last_contact_on`` says when."""
    on = on or coverage.today()
    households, groups, villages = reach_of(person, on=on)
    reach = Q()
    if households:
        reach |= Q(pk__in=households)
    if groups:
        reach |= Q(group_id__in=groups)
    if villages:
        reach |= Q(village_id__in=villages)
    if not reach:
        return Household.objects.none()
    return (
        Household.objects.filter(reach, archived_at__isnull=True)
        .annotate(due=ExpressionWrapper(coverage.uncontacted_q(on), output_field=BooleanField()))
        .order_by(F("last_contact_on").asc(nulls_first=True), "head_name", "id")
    )


def summary(households: QuerySet[Household], *, on: datetime.date | None = None) -> dict[str, int]:
    """How many households a list of hers holds and how many are due a contact (one query)."""
    on = on or coverage.today()
    counts = households.order_by().aggregate(total=Count("pk"), due=Count("pk", filter=coverage.uncontacted_q(on)))
    return {"total": counts["total"] or 0, "due": counts["due"] or 0}
