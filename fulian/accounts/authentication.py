"""How the API knows its caller: a hashed, expiring token (``accounts.tokens``) or the browser's
session — each with the account's gates (``accounts.gate``): a second factor the account now
needs, a password it must choose first."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication, get_authorization_header
from rest_framework.request import Request

from fulian.accounts.gate import end_unverified_session, needs_two_factor, session_refusal
from fulian.accounts.models import ApiToken, User
from fulian.accounts.tokens import TokenRefused, token_check

KEYWORD = "Token"


class CodedAuthenticationFailed(exceptions.AuthenticationFailed):
    """A 401 whose body says what went wrong in words and as a code (expired, revoked…)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__({"detail": message, "code": code})


class PasswordChangeRequired(exceptions.PermissionDenied):
    def __init__(self) -> None:
        super().__init__(
            {
                "detail": _(
                    "Choose your own password first: the one you were given is known to whoever set it. "
                    "POST your current and new password to /api/v1/me/password/."
                ),
                "code": "password_change_required",
            }
        )


def _check_password_gate(request: Request, user: User) -> None:
    """An account that must choose its own password reaches only the views that let it."""
    view = request.parser_context.get("view") if request.parser_context else None
    if user.must_change_password and not getattr(view, "open_before_password_change", False):
        raise PasswordChangeRequired()


class ApiTokenAuthentication(BaseAuthentication):
    """``Authorization: Token fl_…``. A bad, revoked or expired token is a 401 that says which
    (with ``WWW-Authenticate: Token``); a token issued without the second factor its account
    now needs is refused too."""

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise CodedAuthenticationFailed(_("Send the token as: Authorization: Token <token>."), "token_invalid")
        try:
            key = parts[1].decode()
        except UnicodeError:
            raise CodedAuthenticationFailed(_("Invalid token."), "token_invalid") from None
        try:
            token = token_check(key)
        except TokenRefused as refused:
            raise CodedAuthenticationFailed(refused.message, refused.code) from None
        user = token.user
        if needs_two_factor(user) and not token.two_factor:
            raise CodedAuthenticationFailed(
                _(
                    "This account now logs in with a second factor. Ask for a new token at /api/v1/auth/token/ "
                    "with the code from your authenticator app."
                ),
                "two_factor_required",
            )
        _check_password_gate(request, user)
        return user, token

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD


class GatedSessionAuthentication(SessionAuthentication):
    """The browser's session, with CSRF checks (DRF's), and the gates the pages apply."""

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        http_request = request._request
        if session_refusal(http_request, user) == "two_factor":
            end_unverified_session(http_request)
            raise CodedAuthenticationFailed(
                _("Your account now logs in with a code from an authenticator app. Log in again."),
                "two_factor_required",
            )
        _check_password_gate(request, user)
        return result
