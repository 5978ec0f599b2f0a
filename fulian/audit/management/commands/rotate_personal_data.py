"""Re-encrypt personal data with the current key (the first of FULIAN_DATA_KEYS).

Key rotation: put the new key first in FULIAN_DATA_KEYS (keeping the old one after it),
restart, run this command, then drop the old key. Rows already under the current key are
left alone, so the command can be interrupted and run again.

Rows go in batches of ``--batch`` in id order: each batch is locked, re-encrypted in Python
and written back with one UPDATE, in its own short transaction, so that a city's millions
of values take minutes and a form saved meanwhile waits at most for one batch.

It lives in the audit app because the rotation is recorded in the log: ``core``, where the
encrypted fields are, imports no app.
"""

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.db.models import TextField
from django.db.models.functions import Cast

from fulian.audit.choices import Action
from fulian.audit.recorder import audit_context, record
from fulian.core.personal import EncryptedTextField, current_key_id


class Command(BaseCommand):
    help = "Re-encrypt every encrypted personal-data column with the current key."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", type=int, default=2000, help="rows locked and rewritten at a time")

    def handle(self, *args: Any, **options: Any) -> None:
        prefix = f"{current_key_id()}:"
        total = 0
        with audit_context(actor_name="manage.py rotate_personal_data"):
            for model in apps.get_models():
                for field in model._meta.concrete_fields:
                    if isinstance(field, EncryptedTextField):
                        total += self._rotate(model, field, prefix, max(1, options["batch"]))
            record(Action.UPDATE, object_repr="personal data keys", changes={"key": prefix[:-1], "rows": total})
        self.stdout.write(f"Re-encrypted {total} values with key {prefix[:-1]}.")

    def _rotate(self, model: Any, field: EncryptedTextField, prefix: str, batch: int) -> int:
        manager = model._default_manager
        stale = (
            manager.annotate(_raw=Cast(field.name, TextField()))
            .exclude(_raw__startswith=prefix)
            .exclude(**{f"{field.name}__isnull": True})
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        quote = connection.ops.quote_name
        # A plain UPDATE a row, sent as one batch (psycopg pipelines executemany): it bypasses
        # the model-change audit, as it should: the values themselves do not change.
        table, key = quote(model._meta.db_table), quote(model._meta.pk.column)
        column = quote(str(field.column))
        update = f"UPDATE {table} SET {column} = %s WHERE {key} = %s"  # noqa: S608 - names from the model, quoted
        done, last = 0, None
        while pks := list((stale if last is None else stale.filter(pk__gt=last))[:batch]):
            with transaction.atomic(), connection.cursor() as cursor:
                # Read under a lock, so that a concurrent edit is not overwritten; the field
                # decrypts with whichever key a value carries and encrypts with the current one.
                rows = manager.select_for_update().filter(pk__in=pks).values_list("pk", field.name)
                cursor.executemany(update, [(field.get_db_prep_save(value, connection), pk) for pk, value in rows])
            done += len(pks)
            last = pks[-1]
            if done % (batch * 50) < batch:
                self.stdout.write(f"{model._meta.label}.{field.name}: {done}")
        return done
