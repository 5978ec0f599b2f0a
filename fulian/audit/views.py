from django.http import HttpResponse
from django.shortcuts import render

from fulian.accounts.http import AuthedRequest
from fulian.audit.display import show
from fulian.audit.filters import AuditEventFilter
from fulian.audit.models import AuditEvent
from fulian.core.paging import page_of
from fulian.core.views import requires_somewhere, wants_fragment


@requires_somewhere("audit.view")
def event_list(request: AuthedRequest) -> HttpResponse:
    """The audit log for the audit officer, newest first, filtered by time, actor, action, org;
    each event with names and labels in the reader's language (``display.show``)."""
    filterset = AuditEventFilter(request.GET, queryset=AuditEvent.objects.visible_to(request.user), request=request)
    events = filterset.qs if filterset.is_valid() else AuditEvent.objects.none()
    page = page_of(events.order_by("-id"), request.GET)
    page.items = show(page.items)
    template = "audit/_event_results.html" if wants_fragment(request) else "audit/event_list.html"
    return render(request, template, {"filter": filterset, "page": page})
