from fulian.accounts.choices import Role
from fulian.core.permissions import register

register(
    {
        # The roster and the volunteers of the subtree: every business role reads them (a
        # village 执委 sees her own federation's roster), with personal data masked.
        "people.view": {Role.ADMIN, Role.STAFF, Role.MEMBER, Role.VIEWER},
        "people.change": {Role.ADMIN, Role.STAFF},
        # Seeing a full ID or phone number, one at a time or in a full export; always audited.
        "people.reveal": {Role.ADMIN, Role.STAFF},
        # Erasing a record for good (a personal-information deletion request): administrators.
        "people.erase": {Role.ADMIN},
    }
)
