"""Writes for accounts: logging in and out, creating accounts, granting and revoking roles."""

from __future__ import annotations

import datetime
import math

from django.conf import settings
from django.contrib.auth import login as django_login
from django.contrib.auth import logout as django_logout
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from fulian.accounts.backends import UsernameOrMobileBackend, find_account
from fulian.accounts.choices import BUSINESS_ROLES, SYSTEM_ROLES, Role
from fulian.accounts.models import LoginFailure, RoleGrant, User
from fulian.audit.choices import Action
from fulian.audit.recorder import record
from fulian.core.http import client_ip
from fulian.core.personal import validate_mobile
from fulian.core.scoping import forget_grants, require
from fulian.orgs.models import Organisation


class LoginRefused(Exception):
    """A login that did not succeed, with the message to show and a machine-readable code."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _window_start() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=settings.FULIAN_LOCKOUT_MINUTES)


def _minutes_left(until: datetime.datetime) -> int:
    return max(1, math.ceil((until - timezone.now()).total_seconds() / 60))


def _locked_message(minutes: int) -> str:
    return _(
        "This account is locked after %(n)d failed attempts. Try again in %(m)d minutes, "
        "or ask your security officer to unlock it."
    ) % {"n": settings.FULIAN_LOCKOUT_ACCOUNT_FAILURES, "m": minutes}


def login_attempt(*, request: HttpRequest, identifier: str, password: str) -> User:
    """Check a username-or-mobile and password; lock accounts and addresses that keep failing.

    Returns the user on success (without starting a session: the caller decides between a
    session and a token). Raises LoginRefused with a message the person can act on.
    """
    identifier = (identifier or "").strip()
    ip = client_ip(request)
    since = _window_start()
    limit = settings.FULIAN_LOCKOUT_ACCOUNT_FAILURES
    if ip and LoginFailure.objects.filter(ip=ip, at__gte=since).count() >= settings.FULIAN_LOCKOUT_IP_FAILURES:
        record(Action.IP_BLOCKED, object_repr=identifier, request=request)
        raise LoginRefused(
            _("Too many failed logins from your network address. Try again in %(m)d minutes.")
            % {"m": settings.FULIAN_LOCKOUT_MINUTES},
            "ip_blocked",
        )
    account = find_account(identifier)
    if account is not None and account.is_locked:
        _fail(request, identifier, account, reason="locked")
        assert account.locked_until is not None
        raise LoginRefused(_locked_message(_minutes_left(account.locked_until)), "locked")
    if account is None:
        earlier = LoginFailure.objects.filter(identifier=identifier.lower(), user=None, at__gte=since).count()
        if earlier >= limit:
            # An unknown name behaves like a locked account, so lockout does not reveal which names exist.
            _fail(request, identifier, None, reason="locked")
            raise LoginRefused(_locked_message(settings.FULIAN_LOCKOUT_MINUTES), "locked")
    user = UsernameOrMobileBackend().authenticate(request, username=identifier, password=password)
    if user is None:
        failures = _fail(request, identifier, account, reason="password")
        if failures >= limit:
            raise LoginRefused(_locked_message(settings.FULIAN_LOCKOUT_MINUTES), "locked")
        raise LoginRefused(
            _(
                "Wrong username, mobile number or password. %(n)d attempts left before the "
                "account is locked for %(m)d minutes."
            )
            % {"n": limit - failures, "m": settings.FULIAN_LOCKOUT_MINUTES},
            "invalid",
        )
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    user.failed_logins = 0
    user.locked_until = None
    return user


def _fail(request: HttpRequest, identifier: str, account: User | None, *, reason: str) -> int:
    """Record a failure; returns the number of failures now counting towards the lock."""
    LoginFailure.objects.create(ip=client_ip(request), identifier=identifier.lower()[:150], user=account)
    record(
        Action.LOGIN_FAILED,
        account,
        object_repr=identifier[:200],
        changes={"reason": reason},
        request=request,
    )
    if account is None:
        return LoginFailure.objects.filter(identifier=identifier.lower(), user=None, at__gte=_window_start()).count()
    if reason == "locked":
        return settings.FULIAN_LOCKOUT_ACCOUNT_FAILURES
    User.objects.filter(pk=account.pk).update(failed_logins=F("failed_logins") + 1)
    account.refresh_from_db(fields=["failed_logins"])
    if account.failed_logins >= settings.FULIAN_LOCKOUT_ACCOUNT_FAILURES:
        until = timezone.now() + datetime.timedelta(minutes=settings.FULIAN_LOCKOUT_MINUTES)
        User.objects.filter(pk=account.pk).update(failed_logins=0, locked_until=until)
        record(Action.LOCKED, account, changes={"locked_until": until}, request=request)
        return settings.FULIAN_LOCKOUT_ACCOUNT_FAILURES
    return account.failed_logins


def session_login(*, request: HttpRequest, user: User) -> None:
    """Start a browser session for a user who passed ``login_attempt``."""
    django_login(request, user, backend="fulian.accounts.backends.UsernameOrMobileBackend")
    record(Action.LOGIN, user, actor=user, request=request)


def session_logout(*, request: HttpRequest) -> None:
    user = request.user
    if user.is_authenticated:
        record(Action.LOGOUT, user, actor=user, request=request)
    django_logout(request)


def token_issue(*, request: HttpRequest, user: User) -> Token:
    """An API token for a user who passed ``login_attempt`` (the same token until revoked)."""
    token, _created = Token.objects.get_or_create(user=user)
    record(Action.TOKEN, user, actor=user, request=request)
    return token


def token_revoke(*, request: HttpRequest, user: User) -> None:
    Token.objects.filter(user=user).delete()
    record(Action.LOGOUT, user, actor=user, request=request, changes={"token": "revoked"})


@transaction.atomic
def user_create(
    *, actor: User, username: str, full_name: str, org: Organisation, password: str, mobile: str = ""
) -> User:
    """Create an account belonging to ``org`` (the security officer's subtree only)."""
    require(actor, "accounts.manage", org)
    user = User(username=username.strip(), full_name=full_name.strip(), org=org)
    errors: dict[str, list[str]] = {}
    if User.objects.filter(username__iexact=user.username).exists():
        errors["username"] = [_("An account with this username already exists.")]
    if mobile:
        try:
            validate_mobile(mobile)
            user.set_mobile(mobile)
            if User.objects.filter(mobile_hash=user.mobile_hash).exists():
                errors["mobile"] = [_("Another account already uses this mobile number.")]
        except ValidationError as e:
            errors["mobile"] = list(e.messages)
    try:
        validate_password(password, user)
    except ValidationError as e:
        errors["password"] = list(e.messages)
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    try:
        user.save()
    except IntegrityError:
        raise ValidationError({"username": [_("An account with this username already exists.")]}) from None
    return user


@transaction.atomic
def user_set_password(*, actor: User, user: User, password: str) -> None:
    """Set a new password: by the security officer for an account in scope, or by oneself."""
    if actor.pk != user.pk:
        _require_manages(actor, user)
    try:
        validate_password(password, user)
    except ValidationError as e:
        raise ValidationError({"password": list(e.messages)}) from None
    user.set_password(password)
    user.save()


@transaction.atomic
def user_unlock(*, actor: User, user: User) -> None:
    _require_manages(actor, user)
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    record(Action.UPDATE, user, changes={"locked_until": [user.locked_until, None]})
    user.locked_until = None


@transaction.atomic
def user_set_active(*, actor: User, user: User, active: bool) -> None:
    _require_manages(actor, user)
    if actor.pk == user.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    user.is_active = active
    user.save()


def _require_manages(actor: User, user: User) -> None:
    if user.org is None:
        raise PermissionDenied(_("You do not have permission to do this here."))
    require(actor, "accounts.manage", user.org)


@transaction.atomic
def role_grant(*, actor: User, user: User, org: Organisation, role: str) -> RoleGrant:
    """Grant ``role`` at ``org``; keeps system roles apart from business roles (三员分立)."""
    require(actor, "accounts.manage", org)
    _require_manages(actor, user)
    role = Role(role)
    if role == Role.SECURITY:
        raise ValidationError({"role": [_("Security officers are appointed by the system administrator.")]})
    held = set(RoleGrant.objects.filter(user=user).values_list("role", flat=True))
    if role in SYSTEM_ROLES and held - {role}:
        raise ValidationError({"role": [_("A system role cannot be held together with other roles.")]})
    if role in BUSINESS_ROLES and held & SYSTEM_ROLES:
        raise ValidationError({"role": [_("This account holds a system role and cannot get business roles.")]})
    if user.pk == actor.pk:
        raise ValidationError({"role": [_("You cannot grant roles to yourself.")]})
    if RoleGrant.objects.filter(user=user, org=org, role=role).exists():
        raise ValidationError({"role": [_("This account already has this role here.")]})
    grant = RoleGrant.objects.create(user=user, org=org, role=role, granted_by=actor)
    forget_grants(user)
    return grant


@transaction.atomic
def role_revoke(*, actor: User, grant: RoleGrant) -> None:
    require(actor, "accounts.manage", grant.org)
    if grant.user_id == actor.pk:
        raise ValidationError(_("You cannot revoke your own roles."))
    grant.delete()
    forget_grants(grant.user)
