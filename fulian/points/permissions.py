from fulian.accounts.choices import Role
from fulian.core.permissions import register

register(
    {
        # Balances, passbooks, ranks, stores and orders of the subtree: every business role.
        # A holder always sees her own passbook and orders, whatever her roles.
        "points.view": {Role.ADMIN, Role.STAFF, Role.MEMBER, Role.VIEWER},
        # Awarding or deducting by hand, the second review, reversing an entry.
        "points.post": {Role.ADMIN, Role.STAFF},
        # Running a store: items, stock, redeeming at the counter, handing over, cancelling.
        "points.store": {Role.ADMIN, Role.STAFF},
        # The schemes: their versions, rules, levels and honours; opening stores.
        "points.configure": {Role.ADMIN},
        # The reconciliation of balances and stock (audit officers, and administrators).
        "points.reconcile": {Role.ADMIN, Role.AUDITOR},
    }
)
