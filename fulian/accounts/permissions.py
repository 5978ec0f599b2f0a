from fulian.accounts.choices import Role
from fulian.core.permissions import register

register(
    {
        # Accounts and role grants belong to the security officer alone (三员分立).
        "accounts.manage": {Role.SECURITY},
    }
)
