from fulian.accounts.choices import Role
from fulian.core.permissions import register

register(
    {
        # The tree is structure, not business data: every role reads it within its subtree
        # (the security officer needs it to grant roles, the auditor to filter the log).
        "orgs.view": set(Role),
        "orgs.change": {Role.ADMIN, Role.STAFF},
    }
)
