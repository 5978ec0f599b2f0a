"""The guard of the public forms (nomination, objection, vote), with no third party: a small
sum asked as text whose answer travels signed with the form, a honeypot field, and a limit per
client address kept in Django's cache.

The sum's answer is in the form only as an HMAC keyed with the project's secret, so a script
that reads the form cannot test candidate answers against it. A form sent back less than
``MIN_SECONDS`` after it was drawn (a script) or more than ``MAX_SECONDS`` after (a form left
open) is refused; each drawn sum is accepted once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from fulian.core.http import client_ip

MIN_SECONDS = 3
MAX_SECONDS = 30 * 60
PER_HOUR = 5
PER_DAY = 20
SALT = "fulian.campaigns.guard"
TOKEN_FIELD = "guard_token"
ANSWER_FIELD = "guard_answer"
HONEYPOT_FIELD = "website"


class Refused(Exception):
    """A submission the guard turns away, with the message the person reads."""

    def __init__(self, message: str, *, field: str | None = None, done: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        # The same form was sent again after it was stored (a double tap): say "thank you" again.
        self.done = done


@dataclass(frozen=True)
class Challenge:
    question: str
    token: str


def _now() -> float:
    return timezone.now().timestamp()


def _digest(purpose: str, nonce: str, answer: int) -> str:
    return salted_hmac(SALT, f"{purpose}:{nonce}:{answer}").hexdigest()


def challenge(purpose: str) -> Challenge:
    """A new sum for a form of ``purpose`` ("nominate", "object", "vote")."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    if secrets.randbelow(2) and a != b:
        a, b = max(a, b), min(a, b)
        question, answer = _("What is %(a)d minus %(b)d?") % {"a": a, "b": b}, a - b
    else:
        question, answer = _("What is %(a)d plus %(b)d?") % {"a": a, "b": b}, a + b
    nonce = secrets.token_urlsafe(12)
    token = signing.dumps({"n": nonce, "t": _now(), "h": _digest(purpose, nonce, answer)}, salt=SALT)
    return Challenge(question=question, token=token)


def check(purpose: str, data: Any) -> None:
    """Refuse a submission whose honeypot is filled, whose sum is wrong, or whose form is too
    fresh, too old, or already used. Nothing is stored before this passes."""
    if (data.get(HONEYPOT_FIELD) or "").strip():
        raise Refused(_("This form could not be accepted. Please fill it in again."))
    try:
        nonce, drawn, digest = _payload(data)
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise Refused(_("This form could not be checked. Please answer the new question.")) from None
    age = _now() - drawn
    if age > MAX_SECONDS:
        raise Refused(_("This form was open for more than 30 minutes. Please answer the new question."))
    if age < MIN_SECONDS:
        raise Refused(_("That was too fast. Please check what you typed and send it again."))
    answer = (data.get(ANSWER_FIELD) or "").strip()
    try:
        number = int(answer)
    except ValueError:
        raise Refused(_("Type the answer to the question as a number."), field=ANSWER_FIELD) from None
    if not constant_time_compare(_digest(purpose, nonce, number), digest):
        raise Refused(_("The answer to the question is not right. Please try the new question."), field=ANSWER_FIELD)
    if not cache.add(f"{SALT}:used:{nonce}", 1, MAX_SECONDS + 60):
        raise Refused(
            _("This form was already sent. Please answer the new question to send it again."),
            done=bool(cache.get(f"{SALT}:done:{nonce}")),
        )


def _payload(data: Any) -> tuple[str, float, str]:
    payload = signing.loads(data.get(TOKEN_FIELD) or "", salt=SALT)
    return str(payload["n"]), float(payload["t"]), str(payload["h"])


def _keys(purpose: str, request: HttpRequest) -> list[tuple[str, int, int]]:
    """(cache key, limit, lifetime) of the hour and the day the request falls in."""
    ip = client_ip(request) or "unknown"
    now = int(_now())
    return [
        (f"{SALT}:rate:{purpose}:{ip}:h{now // 3600}", PER_HOUR, 3600),
        (f"{SALT}:rate:{purpose}:{ip}:d{now // 86400}", PER_DAY, 86400),
    ]


def check_rate(purpose: str, request: HttpRequest) -> None:
    """Refuse a sixth submission from one address within the hour, a 21st within the day."""
    for key, limit, _lifetime in _keys(purpose, request):
        if (cache.get(key) or 0) >= limit:
            if limit == PER_HOUR:
                raise Refused(
                    _("Too many submissions from your network in the last hour (at most %(n)d). Please try later.")
                    % {"n": limit}
                )
            raise Refused(
                _("Too many submissions from your network today (at most %(n)d). Please try tomorrow.") % {"n": limit}
            )


def count(purpose: str, request: HttpRequest) -> None:
    """Count a stored submission towards the address's hour and day, and remember that its
    form was stored (a second tap on the same form is then thanked, not stored again)."""
    try:
        nonce = _payload(request.POST)[0]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        nonce = ""
    if nonce:
        cache.set(f"{SALT}:done:{nonce}", 1, MAX_SECONDS + 60)
    for key, _limit, lifetime in _keys(purpose, request):
        if not cache.add(key, 1, lifetime):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, lifetime)
