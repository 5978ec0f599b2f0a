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
            ("accounts:unlock", "post", 302),
            ("accounts:set_active", "post", 302),
            ("accounts:password", "get"),
            ("accounts:reveal_mobile", "post", 200),
            ("api:account-detail", "get"),
            ("api:account-unlock", "post", 200),
            ("api:account-password", "post", 400),
            ("api:account-active", "post", 200),
            ("api:account-reveal-mobile", "post", 200),
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
        detail=[
            ("accounts:grant_revoke", "post", 302),
            ("api:role-grant-detail", "get"),
            ("api:role-grant-detail", "delete", 204),
        ],
        # The outsider naming an account outside her subtree is "not a valid choice" (400).
        lists=[("api:role-grant-list", lambda g: {"user": str(g.user_id)}, 400)],
    ),
]
