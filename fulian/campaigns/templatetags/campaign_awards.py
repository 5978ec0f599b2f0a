"""The campaigns' part of a household's page (the household registry does not know the
campaigns: it loads this tag library in its template)."""

from __future__ import annotations

from typing import Any

from django import template

from fulian.campaigns.models import Award

register = template.Library()


@register.inclusion_tag("campaigns/setup/_household_awards.html", takes_context=True)
def household_awards(context: template.Context, household: Any) -> dict[str, Any]:
    """The household's awards the user may see, newest first, revoked ones with their reason
    (one query)."""
    awards = Award.objects.visible_to(context["request"].user).filter(household_id=household.pk)
    return {"awards": list(awards.order_by("-issued_on", "-id"))}
