from django.http import HttpResponse

from fulian.accounts.http import AuthedRequest
from fulian.audit.filters import AuditEventFilter
from fulian.audit.models import AuditEvent
from fulian.core.views import render_list, requires_somewhere


@requires_somewhere("audit.view")
def event_list(request: AuthedRequest) -> HttpResponse:
    """The audit log for the audit officer, newest first, filtered by time, actor, action, org."""
    filterset = AuditEventFilter(request.GET, queryset=AuditEvent.objects.visible_to(request.user), request=request)
    events = filterset.qs if filterset.is_valid() else AuditEvent.objects.none()
    return render_list(
        request, "audit/event_list.html", "audit/_event_results.html", events.order_by("-id"), {"filter": filterset}
    )
