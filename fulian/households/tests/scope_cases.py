from fulian.core.testing.scope import ScopeCase
from fulian.households.models import Household, HouseholdMember
from fulian.households.tests.helpers import household, member

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
            ("households:member_create", "post"),
            ("households:reveal", "post"),
            ("api:household-detail", "get"),
            ("api:household-reveal", "post"),
        ],
        lists=[
            ("households:list", lambda h: {"q": "zjh"}),
            ("households:list", lambda h: {"q": "13907331111"}),
            ("api:household-list", lambda h: {"q": "钟建华"}),
            ("api:household-list", lambda h: {}),
        ],
    ),
    ScopeCase(
        model=HouseholdMember,
        make=lambda world: member(world, household(world, "shucai", "钟建华")),
        outsider="xinshi_staff",
        insider="yanling_admin",
        detail=[
            ("households:member_edit", "get"),
            ("households:member_remove", "post"),
            ("households:member_reveal", "post"),
            ("api:household-member-detail", "get"),
            ("api:household-member-reveal", "post"),
        ],
        lists=[("api:household-member-list", lambda m: {"household": str(m.household_id)})],
    ),
]
