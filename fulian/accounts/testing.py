"""Test helpers for logging in without the login pages (tests that are not about logging in).

``Client.force_login`` starts a session without the mark the login pages write after the
second factor, and the gate (``accounts.gate``) ends such a session for an account that needs
one — as it would for a session started by any other code. Tests mark the session as the
login pages would; a real login cannot (the mark is written only by ``session_login``).
"""

from __future__ import annotations

from typing import Any

import pyotp
from django.utils import timezone

from fulian.accounts.gate import FACTOR_KEY, FACTOR_TOTP
from fulian.accounts.models import TwoFactor, User


def force_login(client: Any, user: User, *, factor: str = FACTOR_TOTP) -> None:
    """Log ``client`` in as ``user``, as after both login steps (``factor``: the second one)."""
    client.force_login(user)
    session = client.session
    session[FACTOR_KEY] = factor
    session.save()


def enrol(user: User, secret: str) -> TwoFactor:
    """Give ``user`` an authenticator with a known secret (the world's officers, the demo's)."""
    device, _created = TwoFactor.objects.update_or_create(
        user=user, defaults={"secret": secret, "confirmed_at": timezone.now(), "last_step": 0}
    )
    return device


def code_for(secret: str, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app with ``secret`` shows now (or ``steps_ahead`` steps later,
    still accepted: one step either side of now is)."""
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(timezone.now()) + steps_ahead)
