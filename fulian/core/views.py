"""Base views that make scoping impossible to forget, the home page and the error pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from fulian.core.forms import ReasonForm, add_service_errors
from fulian.core.paging import page_of
from fulian.core.scoping import can_anywhere


def wants_fragment(request: HttpRequest) -> bool:
    """An htmx request for part of a page; a history restore (Back button) needs the whole."""
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


def render_list(
    request: HttpRequest,
    template: str,
    partial: str,
    queryset: QuerySet[Any],
    context: dict[str, Any],
    per_page: int = 50,
) -> HttpResponse:
    """A list page, or just its results when htmx asks for them (search as you type)."""
    context = {**context, "page": page_of(queryset, request.GET, per_page)}
    if not wants_fragment(request):
        return render(request, template, context)
    response = render(request, partial, context)
    # The filter bar is not part of the results swapped in: a filter that is not valid (an
    # organisation that matches nothing) says so above them, instead of an unexplained empty list.
    form = context.get("form")
    if form is not None and form.is_bound and form.errors:
        errors = render_to_string("includes/filter_errors.html", {"form": form}, request=request)
        response.content = errors.encode() + response.content
    return response


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"detail": _("Not found.")}, status=404, json_dumps_params={"ensure_ascii": False})
    return render(request, "404.html", status=404)


@csrf_exempt
def api_not_found(request: HttpRequest) -> HttpResponse:
    """Any other path under /api/, for any method: JSON, never a page (nor a CSRF page)."""
    return JsonResponse({"detail": _("Not found.")}, status=404, json_dumps_params={"ensure_ascii": False})


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"detail": str(exception) or _("Permission denied.")}, status=403)
    return render(request, "403.html", {"message": str(exception or "")}, status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form older than its session (left open overnight, or after logging in elsewhere)."""
    if _wants_json(request):
        return JsonResponse({"detail": _("The request was refused (CSRF check). Reload and try again.")}, status=403)
    message = _("This page was open too long or you logged in again elsewhere. Go back, reload the page and try again.")
    return render(request, "403.html", {"message": message}, status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"detail": _("Bad request.")}, status=400)
    return render(request, "400.html", status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"detail": _("Server error. The problem has been logged.")}, status=500)
    return render(request, "500.html", status=500)


def requires_somewhere(action: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """For pages that are not one object (a list, a create form): 403 unless the user may
    perform ``action`` somewhere. Rows within are still scoped by ``visible_to``."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not can_anywhere(request.user, action):
                raise PermissionDenied(_("This page is not part of your role."))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def reason_page(
    request: HttpRequest,
    *,
    act: Callable[[str], Any],
    title: str,
    subject: str,
    back_url: str,
    consequences: list[str],
    button: str,
    done: str,
    help_text: str = "",
    danger: bool = False,
) -> HttpResponse:
    """The confirmation page of a change that needs a reason (archive, restore, erase): a GET
    says what will happen, a POST with the reason calls ``act(reason)`` (the service, which
    checks everything again) and goes back to the record; a refusal is shown on the page."""
    # An empty POST is a form sent without a reason (a 400 naming it), not a fresh page.
    form = ReasonForm(request.POST if request.method == "POST" else None, help_text=help_text)
    if request.method == "POST" and form.is_valid():
        try:
            act(form.cleaned_data["reason"])
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, done)
            return redirect(back_url)
    context = {
        "form": form,
        "title": title,
        "subject": subject,
        "back_url": back_url,
        "consequences": consequences,
        "button": button,
        "danger": danger,
    }
    return render(request, "reason_page.html", context, status=400 if form.errors else 200)
