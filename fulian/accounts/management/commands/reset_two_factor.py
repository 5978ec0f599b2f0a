"""Remove an account's authenticator and recovery codes (a lost phone), from the server's shell.

The system administrator's tool, like ``bootstrap_account``: a security officer cannot do it
from the browser (it would let her take over an officer's login). The account sets up a new
authenticator at its next login. Recorded in the audit log under this command's name.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fulian.accounts.models import User
from fulian.accounts.two_factor import two_factor_reset
from fulian.audit.recorder import audit_context


class Command(BaseCommand):
    help = "Remove an account's two-factor authenticator and recovery codes; it enrols again at its next login."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            raise CommandError(f"No account called {username}.")
        with audit_context(actor_name="manage.py reset_two_factor"):
            removed = two_factor_reset(user=user)
        if removed:
            self.stdout.write(
                f"Two-factor login of {user.username} reset: it sets up a new authenticator at its next login."
            )
        else:
            self.stdout.write(f"{user.username} had no two-factor login; nothing changed.")
