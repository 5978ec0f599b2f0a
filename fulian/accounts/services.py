"""Writes for accounts: logging in and out, creating accounts, granting and revoking roles."""

from __future__ import annotations

import datetime
import math
import re

from django.conf import settings
from django.contrib.auth import login as django_login
from django.contrib.auth import logout as django_logout
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from fulian.accounts.backends import UsernameOrMobileBackend, find_account
from fulian.accounts.choices import SYSTEM_ROLES, Role
from fulian.accounts.gate import FACTOR_KEY, FACTOR_PASSWORD, PENDING_KEY
from fulian.accounts.models import ApiToken, LoginFailure, RoleGrant, User
from fulian.audit.choices import Action
from fulian.audit.recorder import record
from fulian.core.http import client_ip
from fulian.core.personal import MOBILE_RE, keyed_hash, mask_mobile, normalise_mobile, validate_mobile
from fulian.core.scoping import can, forget_grants, require
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


def failure_key(identifier: str) -> str:
    """What failures of ``identifier`` are counted under: the keyed hash of a mobile number's
    11 digits (``+86 139 0733 0001`` and ``13907330001`` are one key) or of the name in lower
    case. A hash, because what people type here is often a phone number (personal data)."""
    identifier = (identifier or "").strip()
    mobile = normalise_mobile(identifier)
    return keyed_hash(mobile if MOBILE_RE.match(mobile) else identifier.lower())


def shown_identifier(identifier: str) -> str:
    """A typed login name as the audit log shows it: a mobile number masked, and any other run
    of 7 or more digits too (an ID number or a password typed into the wrong field)."""
    identifier = (identifier or "").strip()
    mobile = normalise_mobile(identifier)
    if MOBILE_RE.match(mobile):
        return mask_mobile(mobile)
    return re.sub(r"\d{7,}", lambda m: mask_mobile(m.group()), identifier)[:200]


def _refused_locked(minutes: int) -> LoginRefused:
    return LoginRefused(_locked_message(minutes), "locked")


def _refused_invalid(attempt: int) -> LoginRefused:
    limit = settings.FULIAN_LOCKOUT_ACCOUNT_FAILURES
    if attempt >= limit:
        return _refused_locked(settings.FULIAN_LOCKOUT_MINUTES)
    return LoginRefused(
        _(
            "Wrong username, mobile number or password. %(n)d attempts left before the "
            "account is locked for %(m)d minutes."
        )
        % {"n": limit - attempt, "m": settings.FULIAN_LOCKOUT_MINUTES},
        "invalid",
    )


def login_attempt(*, request: HttpRequest, identifier: str, password: str) -> User:
    """Check a username-or-mobile and password; lock accounts and addresses that keep failing.

    Returns the user on success (without starting a session: the caller decides between a
    session and a token). Raises LoginRefused with a message the person can act on.

    An account's attempt is claimed (counted, under a row lock) before its password is
    checked, so parallel requests cannot get more than the allowed number of guesses past the
    lock. An unknown name goes through the same states (counted failures, a lock that refused
    attempts do not extend), so neither the messages nor the counts reveal which names exist.
    """
    identifier = (identifier or "").strip()
    ip = client_ip(request)
    recent = LoginFailure.objects.filter(ip=ip, at__gte=_window_start())
    if ip and recent.count() >= settings.FULIAN_LOCKOUT_IP_FAILURES:
        record(Action.IP_BLOCKED, object_repr=shown_identifier(identifier), request=request)
        raise LoginRefused(
            _("Too many failed logins from your network address. Try again in %(m)d minutes.")
            % {"m": settings.FULIAN_LOCKOUT_MINUTES},
            "ip_blocked",
        )
    account = find_account(identifier)
    if account is None:
        locked_until = _unknown_locked_until(failure_key(identifier))
        if locked_until is not None and locked_until > timezone.now():
            _fail(request, identifier, None, reason=LoginFailure.REASON_LOCKED)
            raise _refused_locked(_minutes_left(locked_until))
        UsernameOrMobileBackend().authenticate(request, username=identifier, password=password)  # same time spent
        raise _refused_invalid(_fail(request, identifier, None, reason=LoginFailure.REASON_PASSWORD))
    attempt = _claim_attempt(account)
    if attempt is None:
        _fail(request, identifier, account, reason=LoginFailure.REASON_LOCKED)
        account.refresh_from_db(fields=["locked_until"])
        raise _refused_locked(_minutes_left(account.locked_until) if account.locked_until else 1)
    limit = settings.FULIAN_LOCKOUT_ACCOUNT_FAILURES
    if attempt > limit:
        # Parallel attempts beyond the allowance: refused without looking at the password.
        _fail(request, identifier, account, reason=LoginFailure.REASON_LOCKED)
        _lock(request, account)
        raise _refused_locked(settings.FULIAN_LOCKOUT_MINUTES)
    user = UsernameOrMobileBackend().authenticate(request, username=identifier, password=password)
    if user is None and not account.is_active and account.check_password(password):
        # The right password for a deactivated account: say so (only its holder learns it),
        # rather than "wrong password" and a countdown she would keep retyping into.
        User.objects.filter(pk=account.pk, failed_logins__gt=0).update(failed_logins=F("failed_logins") - 1)
        record(Action.LOGIN_FAILED, account, changes={"reason": "inactive"}, request=request)
        raise LoginRefused(
            _("This account has been deactivated. Please contact the security officer of your federation."),
            "inactive",
        )
    if user is None or user.pk != account.pk:
        _fail(request, identifier, account, reason=LoginFailure.REASON_PASSWORD)
        if attempt >= limit:
            _lock(request, account)
        raise _refused_invalid(attempt)
    # The right password within the allowance: this attempt does not count. The earlier ones
    # are forgiven only when the whole login succeeds (``login_succeeded``): otherwise a thief
    # who has the password could reset the count before each round of second-factor guesses.
    User.objects.filter(pk=user.pk, failed_logins__gt=0).update(failed_logins=F("failed_logins") - 1)
    return user


def login_succeeded(user: User) -> None:
    """Every login step passed (a session or a token starts): the failure count starts again
    (a lock set meanwhile stays)."""
    User.objects.filter(pk=user.pk).update(failed_logins=0)
    user.failed_logins = 0


def _claim_attempt(account: User) -> int | None:
    """Count one attempt on an unlocked account; its number, or None if the account is locked.

    The row is locked while it is read and counted (SELECT … FOR UPDATE on PostgreSQL; on
    SQLite the IMMEDIATE transaction takes the write lock at BEGIN), so the number returned is
    exactly this attempt's place, even with a lock being set by a parallel request.
    """
    with transaction.atomic():
        row = User.objects.select_for_update().only("failed_logins", "locked_until").get(pk=account.pk)
        if row.locked_until is not None and row.locked_until > timezone.now():
            return None
        attempt = row.failed_logins + 1
        User.objects.filter(pk=account.pk).update(failed_logins=attempt)
    return attempt


def _lock(request: HttpRequest | None, account: User) -> None:
    """Lock an account for FULIAN_LOCKOUT_MINUTES, unless a parallel attempt already did."""
    now = timezone.now()
    until = now + datetime.timedelta(minutes=settings.FULIAN_LOCKOUT_MINUTES)
    locked = (
        User.objects.filter(pk=account.pk)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
        .update(failed_logins=0, locked_until=until)
    )
    if locked:
        record(Action.LOCKED, account, changes={"locked_until": until}, request=request)


def _unknown_failures(key: str) -> tuple[int, LoginFailure | None]:
    """For a name with no account: the failures counting towards its lock, and its last lock."""
    rows = LoginFailure.objects.filter(identifier=key, user=None)
    last_lock = rows.filter(locked_until__isnull=False).order_by("-id").first()
    counted = rows.filter(reason=LoginFailure.REASON_PASSWORD)
    if last_lock is not None:
        counted = counted.filter(id__gt=last_lock.pk)
    return counted.count(), last_lock


def _unknown_locked_until(key: str) -> datetime.datetime | None:
    _count, last_lock = _unknown_failures(key)
    return last_lock.locked_until if last_lock is not None else None


def _fail(request: HttpRequest, identifier: str, account: User | None, *, reason: str) -> int:
    """Record a failure (a LoginFailure row and an audit event). For an unknown name, also
    keep its count and lock; returns the number of failures now counting towards that lock."""
    key = failure_key(identifier)
    typed = shown_identifier(identifier)
    record(
        Action.LOGIN_FAILED,
        account,
        object_repr=str(account) if account is not None else typed,
        changes={"reason": reason, "typed": typed},
        request=request,
    )
    if account is not None or reason == LoginFailure.REASON_LOCKED:
        LoginFailure.objects.create(ip=client_ip(request), identifier=key, user=account, reason=reason)
        return settings.FULIAN_LOCKOUT_ACCOUNT_FAILURES
    limit = settings.FULIAN_LOCKOUT_ACCOUNT_FAILURES
    until = timezone.now() + datetime.timedelta(minutes=settings.FULIAN_LOCKOUT_MINUTES)
    earlier, _last_lock = _unknown_failures(key)
    failures = earlier + 1
    LoginFailure.objects.create(
        ip=client_ip(request), identifier=key, reason=reason, locked_until=until if failures >= limit else None
    )
    if failures >= limit:
        record(Action.LOCKED, object_repr=typed, changes={"locked_until": until}, request=request)
    return failures


def session_login(*, request: HttpRequest, user: User, factor: str = FACTOR_PASSWORD) -> None:
    """Start a browser session for a user who passed every login step: the password, and the
    second factor (``factor``: "totp" or "recovery") where the account has one. The factor is
    written into the session, where the gate (``accounts.gate``) looks for it on every request."""
    django_login(request, user, backend="fulian.accounts.backends.UsernameOrMobileBackend")
    request.session[FACTOR_KEY] = factor
    request.session.pop(PENDING_KEY, None)
    login_succeeded(user)
    changes = {"second_factor": factor} if factor != FACTOR_PASSWORD else None
    record(Action.LOGIN, user, actor=user, request=request, changes=changes)


def session_logout(*, request: HttpRequest) -> None:
    user = request.user
    if user.is_authenticated:
        record(Action.LOGOUT, user, actor=user, request=request)
    django_logout(request)


@transaction.atomic
def user_create(
    *, actor: User, username: str, full_name: str, org: Organisation, password: str, mobile: str = ""
) -> User:
    """Create an account belonging to ``org`` (the security officer's subtree only); its holder
    must choose her own password at her first login."""
    require(actor, "accounts.manage", org)
    # The officer knows the initial password: the holder chooses her own at her first login.
    user = User(username=username.strip(), full_name=full_name.strip(), org=org, must_change_password=True)
    errors: dict[str, list[str]] = {}
    problems = username_errors(user.username)
    if problems:
        errors["username"] = problems
    elif User.objects.filter(username__iexact=user.username).exists():
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
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # Another request took the name or the number between the checks above and the insert.
        if user.mobile_hash and User.objects.filter(mobile_hash=user.mobile_hash).exists():
            raise ValidationError({"mobile": [_("Another account already uses this mobile number.")]}) from None
        raise ValidationError({"username": [_("An account with this username already exists.")]}) from None
    return user


def username_errors(username: str) -> list[str]:
    """What is wrong with a new username: its characters, or looking like a mobile number
    (a login with it would find the account holding that number instead)."""
    if not username:
        return [_("Enter a username.")]
    try:
        User.username_validator(username)
    except ValidationError as e:
        return list(e.messages)
    if MOBILE_RE.match(normalise_mobile(username)):
        return [_("A username cannot be a mobile number; enter the number in the mobile field.")]
    return []


def user_set_password(*, actor: User, user: User, password: str, current_password: str | None = None) -> None:
    """Set a new password: by the security officer for an account in scope, or by oneself.

    Changing one's own password needs the current one, so a browser left logged in cannot
    be used to take the account over. A new password ends every API token of the account
    (browser sessions end through Django's session hash; the caller keeps its own). A password
    set by an officer must be replaced by the holder at her next login; her own clears that.
    """
    if actor.pk == user.pk:
        if not current_password or not user.check_password(current_password):
            # Guessing the current password counts towards the same lock as the login page
            # (committed here, outside any transaction the error would roll back).
            attempt = _claim_attempt(user)
            if attempt is None or attempt >= settings.FULIAN_LOCKOUT_ACCOUNT_FAILURES:
                _lock(None, user)
            raise ValidationError({"current_password": [_("Your current password is not correct.")]})
        User.objects.filter(pk=user.pk).update(failed_logins=0)
    else:
        _require_manages(actor, user)
    try:
        validate_password(password, user)
    except ValidationError as e:
        raise ValidationError({"password": list(e.messages)}) from None
    with transaction.atomic():
        user.set_password(password)
        user.must_change_password = actor.pk != user.pk
        # The hash itself is never logged (nor its upgrade at a login): the new password is.
        user._audit_details = {"new_password": "holder" if actor.pk == user.pk else "officer"}  # type: ignore[attr-defined]
        user.save(update_fields=["password", "must_change_password"])
        tokens_end_all(user=user, reason="password changed")


def tokens_end_all(*, user: User, reason: str) -> int:
    """End every active API token of ``user`` (a new password); recorded as one event."""
    ended = list(ApiToken.objects.active().filter(user=user).values_list("prefix", flat=True))
    if ended:
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        record(Action.TOKEN_REVOKED, user, changes={"reason": reason, "tokens": ended})
    return len(ended)


@transaction.atomic
def user_unlock(*, actor: User, user: User) -> None:
    """Lift a lock early: any account whose home and roles are in reach (an officer's too —
    unlocking changes nothing the account holds)."""
    _require_whole_reach(actor, user)
    if user.locked_until is None and not user.failed_logins:
        return  # nothing to lift, nothing to record
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    record(Action.UPDATE, user, changes={"locked_until": [user.locked_until, None]})
    user.locked_until = None


@transaction.atomic
def user_set_active(*, actor: User, user: User, active: bool) -> None:
    if actor.pk == user.pk:
        raise ValidationError(_("You cannot change whether your own account is active."))
    _require_manages(actor, user)
    user.is_active = active
    user.save(update_fields=["is_active"])


def holds_roles_beyond(actor: User, user: User) -> bool:
    """Whether ``user`` holds a role at an organisation outside ``actor``'s reach.

    Authority over an account is transitive: whoever resets its password can log in as it and
    use every role it holds, so acting on it needs reach over each of them, not only over the
    organisation the account belongs to (an account of 攸县 may be an administrator of the city).
    """
    within = RoleGrant.objects.visible_to(actor).values("pk")
    return RoleGrant.objects.filter(user=user).exclude(pk__in=within).exists()


def reach_refusal(*, actor: User, user: User) -> str | None:
    """Why ``actor`` may not act on ``user`` at all (unlock included), or None if she may:
    the account's home organisation and every role it holds must lie inside her reach."""
    if user.org is None or not can(actor, "accounts.manage", user.org):
        return _("You do not have permission to do this here.")
    if holds_roles_beyond(actor, user):
        return _(
            "This account also holds roles outside your area; a security officer of a higher level must handle it."
        )
    return None


def management_refusal(*, actor: User, user: User) -> str | None:
    """Why ``actor`` may not set the password of, (de)activate, grant to or revoke from ``user``,
    or None. Beyond ``reach_refusal``: accounts holding a system role (security or audit officer)
    are managed by the system administrator from the server shell, so no officer can take over
    another (三员分立)."""
    return reach_refusal(actor=actor, user=user) or system_account_refusal(user=user)


def system_account_refusal(*, user: User) -> str | None:
    """Why no officer manages ``user`` from the pages or the API: it holds a system role."""
    if RoleGrant.objects.filter(user=user, role__in=SYSTEM_ROLES).exists():
        return _("Accounts of security and audit officers are managed by the system administrator.")
    return None


def _require_whole_reach(actor: User, user: User) -> None:
    refusal = reach_refusal(actor=actor, user=user)
    if refusal is not None:
        raise PermissionDenied(refusal)


def _require_manages(actor: User, user: User) -> None:
    refusal = management_refusal(actor=actor, user=user)
    if refusal is not None:
        raise PermissionDenied(refusal)


@transaction.atomic
def role_grant(*, actor: User, user: User, org: Organisation, role: str) -> RoleGrant:
    """Grant a business role at ``org``. System roles (security and audit officers) are
    appointed by the system administrator with ``manage.py bootstrap_account`` (三员分立)."""
    require(actor, "accounts.manage", org)
    # Checked first: a security officer always holds a system role, so the checks below would
    # otherwise answer a grant to oneself with a message about system accounts.
    if user.pk == actor.pk:
        raise ValidationError({"role": [_("You cannot grant roles to yourself.")]})
    role = Role(role)
    if role in SYSTEM_ROLES:
        raise ValidationError({"role": [_("Security and audit officers are appointed by the system administrator.")]})
    _require_manages(actor, user)
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
    _require_manages(actor, grant.user)
    grant.delete()
    forget_grants(grant.user)


def user_reveal_mobile(*, actor: User, user: User) -> str:
    """The full mobile number of an account in scope; every reveal is in the audit log.
    Reading is not acting on the account: its home organisation in reach is enough."""
    if user.org is None:
        raise PermissionDenied(_("You do not have permission to do this here."))
    require(actor, "accounts.reveal_personal", user.org)  # type: ignore[arg-type]
    record(Action.REVEAL, user, changes={"field": "mobile"})
    return user.mobile or ""
