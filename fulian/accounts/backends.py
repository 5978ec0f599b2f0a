from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from fulian.accounts.models import User
from fulian.core.personal import MOBILE_RE, keyed_hash, normalise_mobile


def find_account(identifier: str) -> User | None:
    """The account a login name refers to: a username, or a mobile number (by keyed hash)."""
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    mobile = normalise_mobile(identifier)
    if MOBILE_RE.match(mobile):
        user = User.objects.filter(mobile_hash=keyed_hash(mobile)).select_related("org").first()
        if user is not None:
            return user
    return User.objects.filter(username__iexact=identifier).select_related("org").first()


class UsernameOrMobileBackend(ModelBackend):
    """Log in with a username or a mobile number and a password."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if username is None or password is None:
            return None
        user = find_account(username)
        if user is None:
            # Spend the time a real check takes, so response times do not reveal accounts.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
