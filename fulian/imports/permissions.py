from fulian.accounts.choices import Role
from fulian.core.permissions import register

register(
    {
        # The uploads of a subtree (their previews, problems and progress) are seen by those
        # who may import there; what each kind writes is checked by its own action.
        "imports.view": {Role.ADMIN, Role.STAFF},
    }
)
