from fulian.accounts.models import RoleGrant, User
from fulian.core.testing.scope import ScopeCase

CASES = [
    ScopeCase(
        model=User,
        make=lambda world: world.user("yanling_staff"),  # an account of 炎陵县
        outsider="youxian_security",
        insider="security",
        detail=[
            ("accounts:detail", "get"),
            ("accounts:unlock", "post"),
            ("accounts:set_active", "post"),
            ("accounts:password", "get"),
            ("accounts:reveal_mobile", "post"),
            ("api:account-detail", "get"),
            ("api:account-unlock", "post"),
            ("api:account-password", "post"),
            ("api:account-active", "post"),
            ("api:account-reveal-mobile", "post"),
        ],
        lists=[
            ("accounts:list", lambda u: {"q": u.username}),
            ("api:account-list", lambda u: {"search": u.username}),
        ],
    ),
    ScopeCase(
        model=RoleGrant,
        make=lambda world: RoleGrant.objects.get(user__username="yanling_staff"),
        outsider="youxian_security",
        insider="security",
        detail=[("accounts:grant_revoke", "post"), ("api:role-grant-detail", "get")],
        lists=[("api:role-grant-list", lambda g: {"user": str(g.user_id)})],
    ),
]
