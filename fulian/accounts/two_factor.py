"""The second login factor: time-based one-time codes (TOTP, RFC 6238) from an authenticator
app, and one-time recovery codes for a lost phone.

Codes are 6 digits for a 30-second step; the step before and after are accepted too (a phone
clock a little off, a code typed as it changes). A code is accepted once: the account keeps
the last step it accepted, and only a later one passes, so a code seen over a shoulder or in
a proxy log cannot be replayed. Wrong codes count towards the same lock as wrong passwords.

The secret is stored encrypted (``EncryptedTextField``, the personal-data key); recovery
codes as keyed hashes (``core.personal.keyed_hash``), so the database alone gives neither.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass

import pyotp
import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from fulian.accounts.gate import FACTOR_RECOVERY, FACTOR_TOTP, needs_two_factor
from fulian.accounts.models import LoginFailure, RecoveryCode, TwoFactor, User
from fulian.accounts.services import (
    LoginRefused,
    _claim_attempt,
    _fail,
    _lock,
    _minutes_left,
    _refused_locked,
    login_succeeded,
)
from fulian.audit.choices import Action
from fulian.audit.recorder import record
from fulian.core.personal import keyed_hash

ISSUER = "fulian"
RECOVERY_CODES = 10
# Letters and digits a person reads off paper without confusing them (no 0/O, 1/I/L).
RECOVERY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
RECOVERY_LENGTH = 10
TOTP_RE = re.compile(r"^\d{6}$")


def is_enrolled(user: User) -> bool:
    return TwoFactor.objects.filter(user=user, confirmed_at__isnull=False).exists()


def applies(user: User) -> bool:
    """Whether ``user`` logs in with a second factor: required for her roles, or chosen."""
    return needs_two_factor(user) or is_enrolled(user)


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, issuer=ISSUER)


def _matching_step(secret: str, code: str) -> int | None:
    """The time-step (now, or one either side) whose code ``code`` is, else None."""
    if not TOTP_RE.match(code):
        return None
    totp = _totp(secret)
    now = totp.timecode(timezone.now())
    for step in (now - 1, now, now + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def normalise_code(code: str) -> str:
    """Spaces and dashes typed or copied with a code are not part of it."""
    return re.sub(r"[\s-]", "", code or "").upper()


# --- enrolment ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Enrolment:
    """What the enrolment page shows: the secret as text and as a QR code of its URI."""

    secret: str
    uri: str

    @property
    def secret_grouped(self) -> str:
        return " ".join(self.secret[i : i + 4] for i in range(0, len(self.secret), 4))

    @property
    def qr_svg(self) -> str:
        # Drawn here, as inline SVG markup: no image request, no script, nothing from outside.
        # Without a fixed size (a viewBox only): the page's CSS decides how large it is drawn.
        return segno.make_qr(self.uri, error="m").svg_inline(
            border=2, dark="#000", light="#fff", omitsize=True, title=_("QR code of the key")
        )


def enrolment_start(*, user: User) -> Enrolment:
    """The secret to enrol with: a new one, or the one already shown and not yet confirmed (a
    reload shows the same QR code). An account already enrolled keeps its authenticator."""
    with transaction.atomic():
        device, _created = TwoFactor.objects.select_for_update().get_or_create(
            user=user, defaults={"secret": pyotp.random_base32()}
        )
    if device.confirmed_at is not None:
        raise ValueError("already enrolled")
    return Enrolment(secret=device.secret, uri=_totp(device.secret).provisioning_uri(name=user.username))


def enrolment_confirm(*, request: HttpRequest | None, user: User, code: str) -> list[str]:
    """Finish enrolment with a code from the app (proving it holds the secret); returns the
    new recovery codes, shown this once. A wrong code counts towards the lock."""
    code = normalise_code(code)
    attempt = _claim(request, user)
    with transaction.atomic():
        device = TwoFactor.objects.select_for_update().filter(user=user, confirmed_at__isnull=True).first()
        step = _matching_step(device.secret, code) if device is not None else None
        if device is not None and step is not None:
            device.confirmed_at = timezone.now()
            device.last_step = step
            device.save(update_fields=["confirmed_at", "last_step"])
            codes = _new_recovery_codes(user)
            login_succeeded(user)
            record(Action.TWO_FACTOR, user, actor=user, request=request, changes={"two_factor": "enrolled"})
            return codes
    raise _wrong_code(request, user, attempt)


# --- logging in --------------------------------------------------------------------------


def verify(*, request: HttpRequest | None, user: User, code: str) -> str:
    """Check a second-factor code at login: an authenticator code not used before, or an
    unused recovery code (spent by this). Returns the factor used ("totp" or "recovery").
    Wrong codes count towards the same lock as wrong passwords; LoginRefused says what to do."""
    code = normalise_code(code)
    if not code:
        raise LoginRefused(
            _("Enter the 6-digit code from your authenticator app, or one of your recovery codes."), "code_required"
        )
    attempt = _claim(request, user)
    device = TwoFactor.objects.filter(user=user, confirmed_at__isnull=False).first()
    if device is not None:
        step = _matching_step(device.secret, code)
        # Only a step later than the last accepted one: a code is never accepted twice, also
        # when two requests bring it at once (the update is conditional).
        if step is not None and TwoFactor.objects.filter(pk=device.pk, last_step__lt=step).update(last_step=step):
            login_succeeded(user)
            return FACTOR_TOTP
        if step is not None:
            raise _wrong_code(request, user, attempt, replayed=True)
        if len(code) == RECOVERY_LENGTH and _spend_recovery_code(user, code):
            login_succeeded(user)
            record(Action.TWO_FACTOR, user, actor=user, request=request, changes={"two_factor": "recovery code used"})
            return FACTOR_RECOVERY
    raise _wrong_code(request, user, attempt)


def _claim(request: HttpRequest | None, user: User) -> int:
    """Count this code attempt against the account's lock, as a password attempt is."""
    attempt = _claim_attempt(user)
    if attempt is None:
        if request is not None:
            _fail(request, user.username, user, reason=LoginFailure.REASON_LOCKED)
        user.refresh_from_db(fields=["locked_until"])
        raise _refused_locked(_minutes_left(user.locked_until) if user.locked_until else 1)
    if attempt > settings.FULIAN_LOCKOUT_ACCOUNT_FAILURES:
        # Parallel attempts beyond the allowance: refused without looking at the code.
        if request is not None:
            _fail(request, user.username, user, reason=LoginFailure.REASON_LOCKED)
        _lock(request, user)
        raise _refused_locked(settings.FULIAN_LOCKOUT_MINUTES)
    return attempt


def _wrong_code(request: HttpRequest | None, user: User, attempt: int, *, replayed: bool = False) -> LoginRefused:
    if request is not None:
        _fail(request, user.username, user, reason=LoginFailure.REASON_CODE)
    limit = settings.FULIAN_LOCKOUT_ACCOUNT_FAILURES
    if attempt >= limit:
        _lock(request, user)
        return _refused_locked(settings.FULIAN_LOCKOUT_MINUTES)
    if replayed:
        message = _(
            "This code has already been used. Wait for the next code in your authenticator app. "
            "%(n)d attempts left before the account is locked for %(m)d minutes."
        )
    else:
        message = _(
            "Wrong code. Enter the 6-digit code your authenticator app shows now, or a recovery code. "
            "%(n)d attempts left before the account is locked for %(m)d minutes."
        )
    return LoginRefused(message % {"n": limit - attempt, "m": settings.FULIAN_LOCKOUT_MINUTES}, "invalid_code")


# --- recovery codes ----------------------------------------------------------------------


def _recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _i in range(RECOVERY_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def _new_recovery_codes(user: User) -> list[str]:
    codes = [_recovery_code() for _i in range(RECOVERY_CODES)]
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=keyed_hash(normalise_code(c))) for c in codes)
    return codes


def _spend_recovery_code(user: User, code: str) -> bool:
    return bool(
        RecoveryCode.objects.filter(user=user, code_hash=keyed_hash(code), used_at__isnull=True).update(
            used_at=timezone.now()
        )
    )


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def recovery_codes_renew(*, request: HttpRequest | None, user: User, code: str) -> list[str]:
    """New recovery codes (the old ones end), given a current authenticator code."""
    verify(request=request, user=user, code=code)
    codes = _new_recovery_codes(user)
    record(Action.TWO_FACTOR, user, actor=user, request=request, changes={"two_factor": "new recovery codes"})
    return codes


def two_factor_disable(*, request: HttpRequest | None, user: User, code: str) -> None:
    """Turn off a second factor one chose (given a current code); required ones stay."""
    if needs_two_factor(user):
        raise LoginRefused(_("Your roles require two-factor login; it cannot be turned off."), "required")
    verify(request=request, user=user, code=code)
    _remove(user)
    record(Action.TWO_FACTOR, user, actor=user, request=request, changes={"two_factor": "turned off"})


def two_factor_reset(*, user: User) -> bool:
    """Remove an account's authenticator and recovery codes (a lost phone), by the system
    administrator from the shell; the account enrols again at its next login. Audited under
    the command's name (the caller's audit context)."""
    removed = _remove(user)
    if removed:
        record(Action.TWO_FACTOR, user, changes={"two_factor": "reset"})
    return removed


def _remove(user: User) -> bool:
    with transaction.atomic():
        removed, _rows = TwoFactor.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
    return bool(removed)
