from fulian.accounts.choices import Role
from fulian.core.permissions import register

register(
    {
        # Who is responsible for what, and the coverage figures: every business role of the subtree.
        "grid.view": {Role.ADMIN, Role.STAFF, Role.MEMBER, Role.VIEWER},
        # Assigning and ending responsibility, the load threshold: the federation's staff.
        "grid.assign": {Role.ADMIN, Role.STAFF},
        # Recording a contact: a 执委 for the households in her reach, staff on her behalf.
        "grid.contact": {Role.ADMIN, Role.STAFF, Role.MEMBER},
    }
)
