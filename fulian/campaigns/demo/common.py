"""What both demo rounds share: the city's rubric, the accounts that act, made-up sheet values."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from fulian.accounts.models import User
from fulian.campaigns.choices import CampaignKind, ItemKind
from fulian.campaigns.models import Rubric
from fulian.campaigns.services import setup
from fulian.orgs.models import Organisation

CITY = "430200"
RUBRIC_TEMPLATE = "courtyard"
HALF = Decimal("0.5")


def user(username: str) -> User:
    return User.objects.get(username=username)


def city_rubric(actor: User, city: Organisation) -> Rubric:
    """The city's copy of the shipped 最美庭院 rubric (made once, used by both rounds)."""
    found = Rubric.objects.filter(org=city, kind=CampaignKind.COURTYARD, previous__isnull=True).order_by("pk").first()
    return found or setup.rubric_create(actor=actor, org=city, name="", template=RUBRIC_TEMPLATE)


def sheet_values(rubric: Rubric, quality: float, pick: random.Random) -> dict[str, Any]:
    """A rater's sheet for a household of ``quality`` (0–1): each points item near that share of
    its maximum (in half points, a little noise per rater), a fault or two where the household
    is weaker, no veto."""
    values: dict[str, Any] = {}
    for item in rubric.items.all():
        if item.kind == ItemKind.VETO:
            values[str(item.pk)] = {"hit": False}
        elif item.kind == ItemKind.DEDUCTION:
            values[str(item.pk)] = {"faults": max(0, round((1 - quality) * 8 + pick.uniform(-1, 1)))}
        else:
            share = min(1.0, max(0.0, quality + pick.uniform(-0.08, 0.05)))
            points = (Decimal(item.max_points) * Decimal(str(share)) / HALF).quantize(Decimal(1)) * HALF
            values[str(item.pk)] = {"v": str(points)}
    return values
