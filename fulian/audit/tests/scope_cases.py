from fulian.audit.choices import Action
from fulian.audit.models import AuditEvent
from fulian.audit.recorder import record
from fulian.testing.scope import ScopeCase


def _yanling_event(world):  # type: ignore[no-untyped-def]
    return record(Action.UPDATE, org=world.org("shucai"), object_repr="scope-probe-蔬菜村", actor_name="yanling_admin")


CASES = [
    ScopeCase(
        model=AuditEvent,
        make=_yanling_event,
        outsider="youxian_auditor",
        insider="auditor",
        detail=[("api:audit-detail", "get")],
        lists=[("audit:list", lambda e: {}), ("api:audit-list", lambda e: {})],
        marker=lambda e: "scope-probe-蔬菜村",
    ),
]
