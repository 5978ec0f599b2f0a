"""What a session must have done before it may use the site: both login steps for accounts
that need a second factor, and a password of its own for accounts whose password someone
else chose.

The login pages start a session (``django_login``) only after every step has passed, and
write which second factor was used into it (``FACTOR_KEY``). This gate checks that mark on
every page (the middleware below) and every API call (``accounts.authentication``), so a
session that lacks it — an account given a city administrator's role while logged in, or a
session started by anything other than the login pages — is ended rather than trusted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as django_logout
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, resolve_url
from django.utils.translation import gettext as _

from fulian.accounts.choices import SYSTEM_ROLES, Role
from fulian.audit.choices import Action
from fulian.audit.recorder import record
from fulian.core.scoping import AnyUser, user_grants

# Which factor the session's login passed after the password: "password" (none), "totp" or
# "recovery". Written by ``services.session_login`` only.
FACTOR_KEY = "_fulian_factor"
FACTOR_PASSWORD = "password"
FACTOR_TOTP = "totp"
FACTOR_RECOVERY = "recovery"
SECOND_FACTORS = frozenset({FACTOR_TOTP, FACTOR_RECOVERY})
# The password step passed, the second factor not yet: the account and when (not a login).
PENDING_KEY = "_fulian_pending"

# Pages a person who must choose a new password may still open.
PASSWORD_CHANGE_OPEN = frozenset({"accounts:password_change", "accounts:logout"})


def needs_two_factor(user: AnyUser) -> bool:
    """Security and audit officers, and administrators of a whole city (a root organisation),
    log in with a second factor (等保 level 3 asks it of administrators)."""
    return any(g.role in SYSTEM_ROLES or (g.role == Role.ADMIN and g.is_root) for g in user_grants(user))


def second_factor_passed(request: HttpRequest) -> bool:
    return request.session.get(FACTOR_KEY) in SECOND_FACTORS


def session_refusal(request: HttpRequest, user: AnyUser) -> str | None:
    """What stands between a logged-in session and the site: ``"two_factor"`` (the account
    needs a second factor this session did not pass), ``"password"`` (the account must choose
    its own password first), or None."""
    if needs_two_factor(user) and not second_factor_passed(request):
        return "two_factor"
    if getattr(user, "must_change_password", False):
        return "password"
    return None


def end_unverified_session(request: HttpRequest) -> None:
    """End a session that lacks the second factor its account needs (and say so in the log)."""
    user = request.user
    record(Action.LOGOUT, user, actor=user, request=request, changes={"reason": "second factor missing"})  # type: ignore[arg-type]
    django_logout(request)


class AccountGateMiddleware:
    """Pages: a session without the second factor its account needs is ended and sent to the
    login page; an account that must choose its own password is sent to the password page
    (logging out, and pages open to everyone, still work). The API applies the same gate in
    its authentication classes and answers in JSON."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        user = getattr(request, "user", None)
        if request.path_info.startswith("/api/") or user is None or not user.is_authenticated:
            return None
        refusal = session_refusal(request, user)
        if refusal == "two_factor":
            end_unverified_session(request)
            messages.warning(
                request, _("Your account now logs in with a code from an authenticator app. Log in again.")
            )
            return _send_to(
                request, f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': request.get_full_path()})}"
            )
        if refusal == "password":
            open_to_all = getattr(view_func, "login_required", True) is False
            match = request.resolver_match
            if not open_to_all and (match is None or match.view_name not in PASSWORD_CHANGE_OPEN):
                return _send_to(request, resolve_url("accounts:password_change"))
        return None


def _send_to(request: HttpRequest, url: str) -> HttpResponseBase:
    # An htmx request would swap the target page into a corner of the page: move the window.
    if getattr(request, "htmx", None):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)
