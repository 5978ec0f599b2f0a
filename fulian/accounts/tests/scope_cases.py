from fulian.accounts.models import ApiToken, RoleGrant, User
from fulian.accounts.tokens import token_issue
from fulian.core.testing.scope import ScopeCase
from fulian.core.testing.world import World


def _token_of_yanling_staff(world: World) -> ApiToken:
    token, _key = token_issue(request=None, user=world.user("yanling_staff"), name="县里电脑", two_factor=False)
    return token


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
    ScopeCase(
        model=ApiToken,
        make=_token_of_yanling_staff,
        outsider="youxian_security",
        insider="security",
        detail=[("accounts:token_revoke", "post"), ("api:api-token-detail", "get")],
        lists=[("api:api-token-list", lambda t: {})],
    ),
    # One's own tokens: nobody else finds them there, not even the officer who sees them above.
    ScopeCase(
        model=ApiToken,
        make=_token_of_yanling_staff,
        outsider="security",
        insider="yanling_staff",
        detail=[("api:my-token-detail", "get")],
        lists=[("api:my-token-list", lambda t: {})],
    ),
]
