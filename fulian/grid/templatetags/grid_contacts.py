"""The grid's part of a household's page (the household registry does not know the grid: it
loads this tag library in its template)."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Q

from fulian.core.scoping import can
from fulian.grid import coverage
from fulian.grid.models import Assignment, Contact, active_q
from fulian.orgs.choices import Level

register = template.Library()

LATEST = 5


@register.inclusion_tag("grid/_contact_household.html", takes_context=True)
def household_contacts(context: template.Context, household: Any) -> dict[str, Any]:
    """Who answers for ``household`` today (directly, by its group or its whole village) and
    its latest contacts, as far as the user may see them."""
    request = context["request"]
    user = request.user
    reach = Q(household_id=household.pk) | Q(target_org_id=household.village_id)
    if household.group_id:
        reach |= Q(target_org_id=household.group_id)
    responsible = (
        Assignment.objects.visible_to(user)
        .filter(active_q(coverage.today()), reach, tier=Level.VILLAGE)
        .select_related("person")
        .order_by("person__name", "id")
    )
    contacts = Contact.objects.visible_to(user).filter(households=household).select_related("person")[:LATEST]
    from fulian.grid.views.contacts import DRAFT_SAVED

    return {
        "household": household,
        "responsible": list(responsible),
        "contacts": list(contacts),
        "can_record": household.archived_at is None and can(user, "grid.contact", household.org),
        "draft_saved": str(request.session.pop(DRAFT_SAVED, "")),
    }
