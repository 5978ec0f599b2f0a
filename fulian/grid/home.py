"""What the home page shows of the grid, per role (reads only):

- staff and administrators: their subtree's coverage, its five worst children, its gaps, and
  what changed this week (assignments started and ended, contacts recorded);
- an executive member with her own account: the households she is responsible for, and who
  is due a contact;
- a leader (viewer): the coverage chart of her organisation with its table.

Each section is a fixed number of queries, whatever the size of the subtree.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from fulian.accounts.choices import Role
from fulian.core.ancestry import within_q
from fulian.core.scoping import AnyUser, Grant, grants_for
from fulian.grid import coverage
from fulian.grid.mine import households_of, summary
from fulian.grid.models import Assignment, Contact
from fulian.households.models import Household
from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation

ACTION = "grid.view"
WEEK = 7
LATEST = 3
WORST = 5
DUE_SHOWN = 5
# One section per organisation at most this many (someone with roles at many places).
SECTIONS = 3


def this_week(user: AnyUser, org: Organisation, on: datetime.date) -> dict[str, Any]:
    """Assignments started and ended and contacts recorded in the 7 days up to ``on`` within
    ``org``: their numbers and the latest few of each."""
    since = on - datetime.timedelta(days=WEEK - 1)
    assignments = Assignment.objects.visible_to(user, ACTION).filter(within_q(org))
    started = assignments.filter(start_date__gte=since, start_date__lte=on)
    ended = assignments.filter(end_date__gte=since - datetime.timedelta(days=1), end_date__lt=on)
    contacts = Contact.objects.visible_to(user, ACTION).filter(
        within_q(org), happened_on__gte=since, happened_on__lte=on
    )
    related = ("person", "target_org", "household")
    return {
        "started": started.count(),
        "started_latest": list(started.select_related(*related).order_by("-start_date", "-id")[:LATEST]),
        "ended": ended.count(),
        "ended_latest": list(ended.select_related(*related).order_by("-end_date", "-id")[:LATEST]),
        "contacts": contacts.count(),
        "contacts_latest": list(contacts.select_related("person").order_by("-happened_on", "-id")[:LATEST]),
    }


def _staff_section(user: AnyUser, org: Organisation, on: datetime.date) -> dict[str, Any]:
    from fulian.grid.views.coverage import band, worst_first

    whole, parts = coverage.figures(org)
    worst = [f for f in worst_first(parts) if f.households and f.uncovered][:WORST]
    gaps = coverage.gap_counts(org, on=on) if org.level not in (Level.VILLAGE, Level.GROUP) else None
    return {
        "kind": "staff",
        "org": org,
        "whole": whole,
        "whole_band": band(whole),
        "worst": [(f, band(f)) for f in worst],
        "gaps": gaps,
        "week": this_week(user, org, on),
    }


def _mine(user: AnyUser, on: datetime.date) -> QuerySet[Household]:
    person = getattr(user, "person", None)
    if person is None:
        return Household.objects.none()
    # Her households, within what her roles let her see (a 执委 moved away keeps no reach).
    return households_of(person, on=on).filter(
        pk__in=Household.objects.visible_to(user, "households.view").values("pk")
    )


def _member_section(user: AnyUser, on: datetime.date) -> dict[str, Any]:
    households = _mine(user, on)
    counts = summary(households, on=on)
    return {
        "kind": "member",
        "households": counts["total"],
        "due": counts["due"],
        # Never contacted first, then the longest since (the order of her list).
        "due_latest": list(households.filter(coverage.uncontacted_q(on)).select_related("org")[:DUE_SHOWN]),
        "mine_url": reverse("grid:mine"),
    }


def _leader_section(org: Organisation) -> dict[str, Any]:
    from fulian.grid.views.coverage import band, chart_data

    whole, parts = coverage.figures(org)
    return {
        "kind": "leader",
        "org": org,
        "whole": whole,
        "whole_band": band(whole),
        "rows": [(f, band(f)) for f in parts],
        "child_level": Level(coverage.CHILD_LEVEL[org.level]).label if org.level in coverage.CHILD_LEVEL else "",
        "charts": chart_data(org, parts, tree=False),
    }


def sections(user: AnyUser) -> list[dict[str, Any]]:
    """The grid's sections of ``user``'s home page, outermost organisation first."""
    grants: list[Grant] = sorted(grants_for(user, ACTION), key=lambda g: g.path)[:SECTIONS]
    if not grants:
        return []
    on = coverage.today()
    orgs = Organisation.objects.in_bulk([g.org_id for g in grants])
    result: list[dict[str, Any]] = []
    charted = False
    for grant in grants:
        org = orgs[grant.org_id]
        if grant.role in (Role.ADMIN, Role.STAFF):
            result.append(_staff_section(user, org, on))
        elif grant.role == Role.VIEWER and not charted:
            charted = True  # one chart a page (its data has one id)
            result.append(_leader_section(org))
        elif grant.role == Role.VIEWER:
            result.append({**_leader_section(org), "charts": None})
        elif grant.role == Role.MEMBER and getattr(user, "person", None) is not None:
            result.append(_member_section(user, on))
    # Staff who are 执委 themselves see their own households too, when they have some.
    if getattr(user, "person", None) is not None and not any(s["kind"] == "member" for s in result):
        mine = _member_section(user, on)
        if mine["households"]:
            result.append(mine)
    return result
