from fulian.accounts.choices import Role
from fulian.core.permissions import register

register(
    {
        # Duty records, requests, figures and reports of the subtree: every business role.
        "duties.view": {Role.ADMIN, Role.STAFF, Role.MEMBER, Role.VIEWER},
        # Recording a 她代表 request: a 执委 for the women of her reach, staff on her behalf.
        "duties.request": {Role.ADMIN, Role.STAFF, Role.MEMBER},
        # Confirming or returning the records of the level below (a village chair also reviews
        # her own village's 执委 through her post: ``fulian.duties.services.review``).
        "duties.review": {Role.ADMIN, Role.STAFF},
        # Accepting, assigning, escalating and answering the requests an organisation holds.
        "duties.handle": {Role.ADMIN, Role.STAFF},
        # Reviewers' entries in the annual assessment, report generation.
        "duties.assess": {Role.ADMIN, Role.STAFF},
        # The work modes and the assessment scheme: the city federation's administrators.
        "duties.configure": {Role.ADMIN},
    }
)
