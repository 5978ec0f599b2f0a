"""Create an account with a role, from the server's shell (the system administrator's tool).

The security officer manages every other account in the browser; this command is how the
first security officer (and auditor) of a deployment are appointed. The system administrator
who runs it knows the password it sets, so the officer chooses her own at her first login
(and, as an officer, sets up her authenticator app there too).
"""

import getpass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from fulian.accounts.choices import Role
from fulian.accounts.models import RoleGrant, User
from fulian.accounts.services import username_errors
from fulian.audit.recorder import audit_context
from fulian.orgs.models import Organisation


class Command(BaseCommand):
    help = "Create an account holding a role at an organisation, e.g. the first security officer."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=[r.value for r in Role])
        parser.add_argument("--org", required=True, help="division code, such as 430200")
        parser.add_argument("--full-name", default="")
        parser.add_argument("--password", help="omit to be asked (recommended)")

    def handle(
        self, *args: Any, username: str, role: str, org: str, full_name: str, password: str | None, **options: Any
    ) -> None:
        organisation = Organisation.objects.filter(code=org).first()
        if organisation is None:
            raise CommandError(f"No organisation with code {org}; load the divisions first (manage.py load_divisions).")
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"An account called {username} already exists.")
        problems = username_errors(username)
        if problems:
            raise CommandError(" ".join(str(p) for p in problems))
        password = password or getpass.getpass("Password: ")
        user = User(username=username, full_name=full_name, org=organisation, must_change_password=True)
        try:
            validate_password(password, user)
        except ValidationError as e:
            raise CommandError(" ".join(e.messages)) from None
        user.set_password(password)
        with audit_context(actor_name="manage.py bootstrap_account"), transaction.atomic():
            user.save()
            RoleGrant.objects.create(user=user, org=organisation, role=role)
        self.stdout.write(
            f"Created {username} ({Role(role).label}) at {organisation.display_name}. "
            "At the first login the account chooses its own password."
        )
