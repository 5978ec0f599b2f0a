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
        ],
        lists=[("accounts:list", lambda u: {"q": u.username})],
    ),
    ScopeCase(
        model=RoleGrant,
        make=lambda world: RoleGrant.objects.get(user__username="yanling_staff"),
        outsider="youxian_security",
        insider="security",
        detail=[("accounts:grant_revoke", "post")],
    ),
]
