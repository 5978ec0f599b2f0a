"""Load the Zhuzhou demo: each installed fulian app may ship a ``demo.py`` with ``load(out)``.

Steps run in INSTALLED_APPS order, so later areas extend the demo by adding their own
``demo.py``; each step is idempotent, so a second run changes nothing and is quick.
"""

import importlib
import importlib.util
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from fulian.audit.recorder import audit_context
from fulian.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from fulian.orgs import counts


class Command(BaseCommand):
    help = "Load the Zhuzhou demo data and accounts (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        with audit_context(actor_name="manage.py load_demo"):
            for config in apps.get_app_configs():
                module_name = f"{config.name}.demo"
                if not config.name.startswith("fulian.") or importlib.util.find_spec(module_name) is None:
                    continue
                module = importlib.import_module(module_name)
                with transaction.atomic():
                    module.load(self.stdout)
        # The summaries city and county lists read "about N" from.
        counts.refresh()
        self.stdout.write(f"Demo password: {DEMO_PASSWORD}")
        self.stdout.write(f"Demo authenticator secret: {DEMO_TOTP_SECRET}")
        self.stdout.write(
            f"  current code: .venv/bin/python -c \"import pyotp; print(pyotp.TOTP('{DEMO_TOTP_SECRET}').now())\""
        )
