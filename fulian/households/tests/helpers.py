"""Records for the household tests, written through the services (as a city administrator)."""

from __future__ import annotations

from typing import Any

from fulian.households import services
from fulian.households.choices import Relation
from fulian.households.models import Household, HouseholdMember
from fulian.testing.world import World


def household(world: World, org: str = "huilong", head: str = "周建国", **values: Any) -> Household:
    return services.household_create(
        actor=world.user("city_admin"), org=world.org(org), values={"head_name": head, **values}
    )


def member(world: World, of: Household, name: str = "周小红", **values: Any) -> HouseholdMember:
    values.setdefault("relation", Relation.CHILD)
    return services.member_add(actor=world.user("city_admin"), household=of, values={"name": name, **values})
