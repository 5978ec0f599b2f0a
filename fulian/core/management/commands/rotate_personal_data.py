"""Re-encrypt personal data with the current key (the first of FULIAN_DATA_KEYS).

Key rotation: put the new key first in FULIAN_DATA_KEYS (keeping the old one after it),
restart, run this command, then drop the old key. Rows already under the current key are
left alone, so the command can be interrupted and run again.
"""

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import TextField
from django.db.models.functions import Cast

from fulian.audit.choices import Action
from fulian.audit.recorder import audit_context, record
from fulian.core.personal import EncryptedTextField, current_key_id


class Command(BaseCommand):
    help = "Re-encrypt every encrypted personal-data column with the current key."

    def handle(self, *args: Any, **options: Any) -> None:
        prefix = f"{current_key_id()}:"
        total = 0
        with audit_context(actor_name="manage.py rotate_personal_data"):
            for model in apps.get_models():
                for field in model._meta.concrete_fields:
                    if isinstance(field, EncryptedTextField):
                        total += self._rotate(model, field.name, prefix)
            record(Action.UPDATE, object_repr="personal data keys", changes={"key": prefix[:-1], "rows": total})
        self.stdout.write(f"Re-encrypted {total} values with key {prefix[:-1]}.")

    def _rotate(self, model: Any, name: str, prefix: str) -> int:
        stale = (
            model._default_manager.annotate(_raw=Cast(name, TextField()))
            .exclude(_raw__startswith=prefix)
            .exclude(**{f"{name}__isnull": True})
            .values_list("pk", flat=True)
        )
        done = 0
        for pk in list(stale.iterator()):
            with transaction.atomic():
                row = model._default_manager.select_for_update().only(name).get(pk=pk)
                # update() bypasses the model-change audit: the value itself does not change.
                model._default_manager.filter(pk=pk).update(**{name: getattr(row, name)})
            done += 1
        return done
