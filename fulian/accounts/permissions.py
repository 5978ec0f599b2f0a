from fulian.accounts.choices import Role
from fulian.core.permissions import register

register(
    {
        # Accounts and role grants belong to the security officer alone (三员分立).
        "accounts.manage": {Role.SECURITY},
        # Seeing an account's full mobile number (to confirm who is calling before a reset).
        "accounts.reveal_personal": {Role.SECURITY},
    }
)
