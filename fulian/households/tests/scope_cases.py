from fulian.households import services
from fulian.households.models import Household, HouseholdMember
from fulian.households.tests.helpers import household, member
from fulian.testing.scope import ScopeCase


def _archived(world):  # an archived household of 蔬菜村, with a member
    archived = household(world, "shucai", "钟建华")
    member(world, archived)
    return services.household_archive(actor=world.user("city_admin"), household=archived, reason="全家迁出")


# A household of 炎陵县 霞阳镇 蔬菜村: 新市镇's staff must never see it.
CASES = [
    ScopeCase(
        model=Household,
        make=lambda world: household(world, "shucai", "钟建华", mobile="13907331111"),
        outsider="xinshi_staff",
        insider="yanling_admin",
        detail=[
            ("households:detail", "get"),
            ("households:edit", "get"),
            ("households:member_create", "post", 400),
            ("households:reveal", "post", 400),
            ("api:household-detail", "get"),
            ("api:household-detail", "patch", 200),
            ("api:household-reveal", "post", 400),
            ("households:archive", "get"),
            ("households:archive", "post", 400),
            ("households:erase", "get"),
            ("households:erase", "post", 400),
            ("api:household-archive", "post", 400),
            ("api:household-erase", "post", 400),
        ],
        lists=[
            ("households:list", lambda h: {"q": "zjh"}),
            ("households:list", lambda h: {"q": "13907331111"}),
            ("api:household-list", lambda h: {"q": "钟建华"}),
            ("api:household-list", lambda h: {}),
        ],
    ),
    ScopeCase(
        model=Household,
        make=_archived,
        outsider="xinshi_staff",
        insider="yanling_admin",
        detail=[
            ("households:detail", "get"),
            ("households:restore", "get"),
            ("households:restore", "post", 400),
            ("api:household-detail", "get"),
            ("api:household-restore", "post", 400),
        ],
        lists=[
            ("households:list", lambda h: {"archived": "1", "q": "zjh"}),
            ("api:household-list", lambda h: {"archived": "1"}),
        ],
    ),
    ScopeCase(
        model=HouseholdMember,
        make=lambda world: member(world, household(world, "shucai", "钟建华")),
        outsider="xinshi_staff",
        insider="yanling_admin",
        detail=[
            ("households:member_edit", "get"),
            ("households:member_remove", "post", 302),
            ("households:member_reveal", "post", 200),
            ("api:household-member-detail", "get"),
            ("api:household-member-detail", "patch", 200),
            ("api:household-member-detail", "delete", 204),
            ("api:household-member-reveal", "post", 200),
        ],
        # The outsider naming a household outside her area is "no household with id N" (400).
        lists=[("api:household-member-list", lambda m: {"household": str(m.household_id)}, 400)],
    ),
]
