from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from fulian.audit.recorder import audit_context


class AuditContextMiddleware:
    """Makes the current request (its user and address) known to the audit recorder."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with audit_context(request=request):
            return self.get_response(request)
