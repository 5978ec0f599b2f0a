from fulian.orgs.models import Organisation
from fulian.testing.scope import ScopeCase

CASES = [
    ScopeCase(
        model=Organisation,
        make=lambda world: world.org("shucai"),  # 炎陵县 霞阳镇 蔬菜村
        outsider="xinshi_staff",
        insider="yanling_admin",
        detail=[
            ("orgs:detail", "get"),
            ("orgs:children", "get"),
            ("orgs:group_create", "post", 400),
            ("orgs:group_rename", "post", 400),
            ("api:org-detail", "get"),
            ("api:org-groups", "post", 400),
            ("api:org-rename", "post", 400),
        ],
        lists=[
            ("orgs:list", lambda o: {"q": o.code}),
            ("api:org-list", lambda o: {"search": o.code}),
            ("api:org-list", lambda o: {"level": "village"}),
        ],
    ),
]
