"""Grid records of 炎陵县 霞阳镇 蔬菜村: 新市镇's staff must never see them."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from fulian.grid import coverage, services
from fulian.grid.choices import ContactMode
from fulian.grid.models import Assignment, Contact, ContactPhoto, CoverageCount, LoadRule
from fulian.grid.tests.helpers import assign, executive
from fulian.households.tests.helpers import household
from fulian.orgs.models import Organisation
from fulian.people.tests.helpers import jpeg
from fulian.testing.scope import ScopeCase


def _assignment(world):
    return assign(world, executive(world, "shucai", "钟桂兰"), household(world, "shucai", "钟建华"))[0]


def _coverage(world):
    household(world, "shucai", "钟建华")
    return CoverageCount.objects.get(org=world.org("shucai"))


def _load_rule(world):
    return LoadRule.objects.create(org=world.org("xiayang"), min_households=12)


def _contact(world, photos=()):
    post = executive(world, "shucai", "钟桂兰")
    return services.contact_record(
        actor=world.user("city_admin"),
        person=post.person,
        mode=ContactMode.VISIT,
        happened_on=coverage.today() - datetime.timedelta(days=2),
        households=[household(world, "shucai", "钟建华")],
        note="入户走访",
        photos=photos,
    )


def _contact_photo(world):
    return _contact(world, [SimpleUploadedFile("p.jpg", jpeg())]).photos.get()


CASES = [
    ScopeCase(
        model=Assignment,
        make=_assignment,
        outsider="xinshi_staff",
        insider="yanling_admin",
        detail=[
            ("grid:assignment_detail", "get"),
            ("grid:assignment_end", "get"),
            ("grid:assignment_end", "post", 400),
            ("grid:assignment_change", "get"),
            ("grid:assignment_change", "post", 400),
        ],
        lists=[
            ("grid:assignment_list", lambda a: {}),
            ("grid:assignment_list", lambda a: {"search": a.person.name, "status": "all"}),
        ],
    ),
    ScopeCase(model=CoverageCount, make=_coverage, outsider="xinshi_staff", insider="yanling_admin"),
    ScopeCase(model=LoadRule, make=_load_rule, outsider="xinshi_staff", insider="yanling_admin"),
    ScopeCase(
        model=Contact,
        make=_contact,
        outsider="xinshi_staff",
        insider="yanling_admin",
        detail=[("grid:contact_detail", "get")],
        lists=[("grid:contact_list", lambda contact: {}), ("grid:contact_list", lambda contact: {"mode": "visit"})],
    ),
    # A contact's photo is served only to those who see the contact.
    ScopeCase(
        model=ContactPhoto,
        make=_contact_photo,
        outsider="xinshi_staff",
        insider="yanling_admin",
        detail=[("grid:contact_photo", "get")],
    ),
]

# The coverage pages of an organisation (grid.views.coverage): 蔬菜村's are 炎陵县's alone.
CASES.append(
    ScopeCase(
        model=Organisation,
        make=lambda w: w.org("shucai"),
        outsider="xinshi_staff",
        insider="yanling_admin",
        detail=[
            ("grid:coverage", "get"),
            ("grid:uncovered", "get"),
            ("grid:gaps", "get"),
            ("grid:gaps_export", "get"),
        ],
    )
)

# The load and suggestion pages of an organisation (their URLs take the organisation's pk).
CASES.append(
    ScopeCase(
        model=Organisation,
        make=lambda world: world.org("shucai"),  # 炎陵县 霞阳镇 蔬菜村
        outsider="xinshi_staff",
        insider="yanling_admin",
        detail=[
            ("grid:load", "get"),
            ("grid:load_rule", "get"),
            ("grid:load_rule", "post", 400),
            ("grid:suggest", "get"),
            ("grid:suggest", "post", 400),
        ],
    )
)
