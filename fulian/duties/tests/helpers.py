"""Records for the duties tests, written through the services."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import get_user_model

from fulian.accounts.choices import Role
from fulian.accounts.models import RoleGrant
from fulian.duties.choices import Category, RequestKind, Urgency
from fulian.duties.models import Request
from fulian.duties.services import requests
from fulian.grid import coverage, services
from fulian.grid.choices import ContactMode
from fulian.grid.models import Contact, WorkMode
from fulian.households.models import Household
from fulian.households.tests.helpers import household
from fulian.people.choices import PostKind
from fulian.people.models import Person
from fulian.people.tests.helpers import person, post
from fulian.testing.world import World


def zhiwei(
    world: World,
    org: str = "huilong",
    name: str = "周桂姣",
    *,
    username: str | None = None,
    kind: str = PostKind.MEMBER,
    representative: bool = True,
    account: Any = None,
) -> Person:
    """A 执委 of ``org`` with a current post there (a 她代表 unless said). With ``username`` a new
    account (role member at ``org``) is hers; with ``account`` an existing one (a persona)."""
    who = person(world, org, name)
    post(world, who, org, kind=kind, is_representative=representative)
    if username:
        account = get_user_model().objects.create_user(username=username, password="Test-Passw0rd!", org=world.org(org))
        RoleGrant.objects.create(user=account, org=world.org(org), role=Role.MEMBER)
    if account is not None:
        who.account = account
        who.save()
    return who


def mode(name: str = "入户走访") -> WorkMode:
    return WorkMode.objects.get(name=name)


def record(
    world: World,
    who: Person,
    *,
    actor: Any = None,
    households: list[Household] | None = None,
    on: datetime.date | None = None,
    half_hours: int = 2,
    work_mode: str = "入户走访",
    **kwargs: Any,
) -> Contact:
    """A duty record of ``who`` (by her own account if she has one, else the city's admin)."""
    if households is None:
        households = [household(world, _org_key(world, who), "周建国")]
    return services.contact_record(
        actor=actor or who.account or world.user("city_admin"),
        person=who,
        mode=ContactMode.VISIT,
        happened_on=on or coverage.today(),
        households=households,
        work_mode=mode(work_mode),
        half_hours=half_hours,
        **kwargs,
    )


def _org_key(world: World, who: Person) -> str:
    from fulian.testing.world import ORGS

    return next(key for key, code in ORGS.items() if code == who.org.code)


def request(world: World, who: Person, *, actor: Any = None, **kwargs: Any) -> Request:
    """A 她代表 request of ``who`` (by her own account if she has one)."""
    kwargs.setdefault("kind", RequestKind.NEED)
    kwargs.setdefault("category", Category.JOBS)
    kwargs.setdefault("urgency", Urgency.NORMAL)
    kwargs.setdefault("description", "想找一份离家近的工作")
    return requests.request_record(actor=actor or who.account or world.user("city_admin"), representative=who, **kwargs)
