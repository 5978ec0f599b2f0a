from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import resolve_url
from django.utils import timezone
from django.utils.cache import patch_vary_headers


class PagesLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Every page needs a login unless marked ``login_not_required``. The API under /api/
    authenticates on its own (session or token) and answers 401/403 in JSON instead of
    redirecting to the login page."""

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)

    def handle_no_permission(self, request: HttpRequest, view_func: Any) -> HttpResponseBase:  # type: ignore[override]
        # An htmx request (a search box, a tree toggle) after the session ended would swap the
        # login page into a corner of the page; send the whole window to the login page instead.
        htmx = getattr(request, "htmx", None)
        if htmx:
            back_to = htmx.current_url_abs_path or request.get_full_path()
            response = HttpResponse(status=204)
            response["HX-Redirect"] = f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': back_to})}"
            return response
        return super().handle_no_permission(request, view_func)


class VaryOnHtmxMiddleware:
    """Pages answer htmx requests with fragments at the same URL; ``Vary: HX-Request`` keeps
    the browser from serving a cached fragment as the whole page (e.g. on Back)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        patch_vary_headers(response, ("HX-Request",))
        return response


class SessionIdleMiddleware:
    """Keeps a session alive while it is used: the idle timeout (SESSION_COOKIE_AGE) restarts
    with every save, and a session in use is saved at most once per SESSION_RENEW_SECONDS,
    instead of on every request (SESSION_SAVE_EVERY_REQUEST costs three queries a page)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        session = getattr(request, "session", None)
        # Only logged-in sessions are renewed (loading an expired one leaves it empty).
        if session is not None and session.session_key and session.get(SESSION_KEY):
            now = int(timezone.now().timestamp())
            if now - session.get(_RENEWED, 0) >= settings.SESSION_RENEW_SECONDS:
                session[_RENEWED] = now
        return self.get_response(request)


_RENEWED = "_fulian_renewed"


class ContentSecurityPolicyMiddleware:
    """Sends settings.CONTENT_SECURITY_POLICY with every response that has none of its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
