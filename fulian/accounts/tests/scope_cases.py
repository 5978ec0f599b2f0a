from fulian.accounts.models import ApiToken, RoleGrant, User
from fulian.accounts.tokens import token_issue
from fulian.testing.scope import ScopeCase
from fulian.testing.world import World


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
            ("accounts:unlock", "post", 302),
            ("accounts:set_active", "post", 302),
            ("accounts:password", "get"),
            ("accounts:reveal_mobile", "post", 200),
            ("api:account-detail", "get"),
            ("api:account-unlock", "post", 200),
            ("api:account-password", "post", 400),
            ("api:account-active", "post", 400),  # visible; the empty body lacks "active"
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
    ScopeCase(
        model=ApiToken,
        make=_token_of_yanling_staff,
        outsider="youxian_security",
        insider="security",
        detail=[
            ("accounts:token_revoke", "post", 302),
            ("api:api-token-detail", "get"),
            ("api:api-token-detail", "delete", 204),
        ],
        lists=[("api:api-token-list", lambda t: {})],
    ),
    # One's own tokens: nobody else finds them there, not even the officer who sees them above.
    ScopeCase(
        model=ApiToken,
        make=_token_of_yanling_staff,
        outsider="security",
        insider="yanling_staff",
        detail=[("api:my-token-detail", "get"), ("api:my-token-detail", "delete", 204)],
        lists=[("api:my-token-list", lambda t: {})],
    ),
]
