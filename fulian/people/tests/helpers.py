"""Records for the people tests, written through the services (as a city administrator)."""

from __future__ import annotations

import datetime
from typing import Any

from fulian.core.testing.world import World
from fulian.people import services
from fulian.people.choices import PostKind
from fulian.people.models import Person, Post

START = datetime.date(2021, 9, 1)


def person(world: World, org: str = "huilong", name: str = "周桂姣", **values: Any) -> Person:
    return services.person_create(actor=world.user("city_admin"), org=world.org(org), values={"name": name, **values})


def post(world: World, who: Person, org: str = "huilong", kind: str = PostKind.MEMBER, **kwargs: Any) -> Post:
    kwargs.setdefault("start_date", START)
    return services.post_assign(actor=world.user("city_admin"), person=who, org=world.org(org), kind=kind, **kwargs)
