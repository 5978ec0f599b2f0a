"""Grid records of 炎陵县 霞阳镇 蔬菜村: 新市镇's staff must never see them."""

import datetime

from fulian.grid import coverage, services
from fulian.grid.choices import ContactMode
from fulian.grid.models import Assignment, Contact, CoverageCount, LoadRule
from fulian.grid.tests.helpers import assign, executive
from fulian.households.tests.helpers import household
from fulian.testing.scope import ScopeCase


def _assignment(world):
    return assign(world, executive(world, "shucai", "钟桂兰"), household(world, "shucai", "钟建华"))[0]


def _coverage(world):
    household(world, "shucai", "钟建华")
    return CoverageCount.objects.get(org=world.org("shucai"))


def _load_rule(world):
    return LoadRule.objects.create(org=world.org("xiayang"), min_households=12)


def _contact(world):
    post = executive(world, "shucai", "钟桂兰")
    return services.contact_record(
        actor=world.user("city_admin"),
        person=post.person,
        mode=ContactMode.VISIT,
        happened_on=coverage.today() - datetime.timedelta(days=2),
        households=[household(world, "shucai", "钟建华")],
        note="入户走访",
    )


CASES = [
    ScopeCase(model=Assignment, make=_assignment, outsider="xinshi_staff", insider="yanling_admin"),
    ScopeCase(model=CoverageCount, make=_coverage, outsider="xinshi_staff", insider="yanling_admin"),
    ScopeCase(model=LoadRule, make=_load_rule, outsider="xinshi_staff", insider="yanling_admin"),
    ScopeCase(model=Contact, make=_contact, outsider="xinshi_staff", insider="yanling_admin"),
]


def _case(model: type) -> ScopeCase:
    return next(case for case in CASES if case.model is model)


# The API's entries (kept apart from the pages' entries above, which the pages' authors add).
_case(Assignment).detail.extend(
    [
        ("api:grid-assignment-detail", "get"),
        ("api:grid-assignment-end", "post", 400),  # no end_date
        ("api:grid-assignment-change", "post", 400),  # no "on"
    ]
)
_case(Assignment).lists.append(("api:grid-assignment-list", lambda a: {"mode": a.mode}))
_case(Contact).detail.append(("api:grid-contact-detail", "get"))
_case(Contact).lists.append(("api:grid-contact-list", lambda c: {"mode": c.mode}))
