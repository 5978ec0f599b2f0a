from fulian.accounts.choices import Role
from fulian.core.permissions import register

register(
    {
        # Village 执委 read the households of their village: they are the ones who visit them.
        "households.view": {Role.ADMIN, Role.STAFF, Role.MEMBER, Role.VIEWER},
        "households.change": {Role.ADMIN, Role.STAFF},
        "households.reveal": {Role.ADMIN, Role.STAFF},
        # Erasing a record for good (a personal-information deletion request): administrators.
        "households.erase": {Role.ADMIN},
    }
)
