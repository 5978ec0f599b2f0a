"""API tokens: issued per device or client, stored as a hash, ending on a date.

A token is ``fl_`` and 43 characters of ``secrets.token_urlsafe`` (256 random bits). Only its
SHA-256 is stored: a random secret of that size needs no salt or slow hash (nobody can guess
it, so there is no dictionary to slow down), and the hash is what the token is looked up by.
The first 8 characters (``prefix``) are kept to tell tokens apart in lists; they are not
enough to use or guess the rest.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from fulian.accounts.models import ApiToken, User
from fulian.accounts.services import login_succeeded, reach_refusal
from fulian.audit.choices import Action
from fulian.audit.recorder import record

TOKEN_PREFIX = "fl_"
PREFIX_SHOWN = 8
# last_used_at is written at most this often: a write per API call would double their cost.
LAST_USED_EVERY = datetime.timedelta(minutes=1)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def token_issue(*, request: HttpRequest | None, user: User, name: str, two_factor: bool) -> tuple[ApiToken, str]:
    """A new token for ``user``'s device or client ``name``, for a user who passed every login
    step; returns the token and its key, which is shown this once and stored only as a hash.

    One token per device or client: an active token of the same name is revoked (the device
    logged in again), so a lost token is replaced rather than left working beside the new one.
    """
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": [_("Name the device or client this token is for, such as 办公室电脑.")]})
    if len(name) > 100:
        raise ValidationError({"name": [_("Keep the name under 100 characters.")]})
    for old in ApiToken.objects.active().filter(user=user, name=name).select_for_update():
        _revoke(old, reason="replaced", request=request)
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=key[:PREFIX_SHOWN],
        key_hash=hash_key(key),
        expires_at=timezone.now() + datetime.timedelta(days=settings.FULIAN_TOKEN_DAYS),
        two_factor=two_factor,
    )
    login_succeeded(user)
    record(
        Action.TOKEN,
        user,
        actor=user,
        request=request,
        changes={"name": name, "prefix": token.prefix, "expires_at": token.expires_at, "second_factor": two_factor},
    )
    return token, key


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken, request: HttpRequest | None = None) -> None:
    """End a token: one's own, or (security officers) one of an account in reach. Revoking
    grants nothing, so like unlocking it needs reach over the account, not management of it:
    a security officer may end a leaked token of an audit officer in her subtree."""
    if token.user_id != actor.pk:
        refusal = reach_refusal(actor=actor, user=token.user)
        if refusal is not None:
            raise PermissionDenied(refusal)
    if token.revoked_at is not None:
        return
    _revoke(token, reason="revoked", request=request)


def _revoke(token: ApiToken, *, reason: str, request: HttpRequest | None) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record(
        Action.TOKEN_REVOKED,
        token.user,
        request=request,
        changes={"reason": reason, "name": token.name, "prefix": token.prefix},
    )


class TokenRefused(Exception):
    """A token that does not open the API, with the message and code to answer with."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def token_check(key: str) -> ApiToken:
    """The active token ``key`` names, with its user; else TokenRefused saying why.

    The token is found by the hash of what was sent (an index look-up of a value the caller
    cannot steer), never by comparing secrets, so the time taken reveals nothing.
    """
    token = ApiToken.objects.select_related("user", "user__org").filter(key_hash=hash_key(key)).first()
    if token is None:
        raise TokenRefused(_("Invalid token."), "token_invalid")
    if token.revoked_at is not None:
        raise TokenRefused(_("This token has been revoked. Ask for a new one at /api/v1/auth/token/."), "token_revoked")
    now = timezone.now()
    if token.expires_at <= now:
        raise TokenRefused(
            _("This token expired on %(date)s. Ask for a new one at /api/v1/auth/token/.")
            % {"date": timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M")},
            "token_expired",
        )
    if not token.user.is_active:
        raise TokenRefused(_("This account has been deactivated."), "inactive")
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
